"""Reading contracts: YAML in, a validated SourceContract out, or an error naming the file,
the line and the field, with what is allowed."""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from strata.contracts.model import SourceContract
from strata.errors import ContractError

Location = tuple[str | int, ...]

REQUIRED_TOP_LEVEL = "name, description, owner, kind, format, schema"


def parse_contract(text: str, file: str) -> SourceContract:
    root, data = _read_yaml(text, file)
    if not isinstance(data, dict):
        raise _not_a_mapping(data, root, file)
    _reject_duplicate_keys(root, file, ())
    try:
        contract = SourceContract.model_validate(data)
    except ValidationError as exc:
        raise _contract_error(exc, root, data, file) from exc
    stem = Path(file).stem
    if contract.name != stem:
        raise ContractError(
            f"name {contract.name!r} must match the file name {stem!r}",
            file=_where(file, _line_of(root, ("name",))),
            field="name",
        )
    return contract


def load_contract(path: Path) -> SourceContract:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractError(f"cannot read: {exc}", file=str(path)) from exc
    return parse_contract(text, str(path))


def contract_files(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def load_contracts(directory: Path) -> dict[str, SourceContract]:
    """Every contract of a sources folder, all validated before any is used."""
    if not directory.is_dir():
        raise ContractError("no sources folder", file=str(directory))
    contracts: dict[str, SourceContract] = {}
    seen: dict[str, Path] = {}
    for path in contract_files(directory):
        contract = load_contract(path)
        if contract.name in seen:
            raise ContractError(
                f"source {contract.name!r} is already defined in {seen[contract.name]}",
                file=str(path),
                field="name",
            )
        seen[contract.name] = path
        contracts[contract.name] = contract
    return contracts


# --- YAML --------------------------------------------------------------------------------


def _read_yaml(text: str, file: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for line numbers) and its data, from one parse."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = ", ".join(part for part in (exc.context, exc.problem) if part) or "syntax error"
        column = f" (column {mark.column + 1})" if mark else ""
        raise ContractError(
            f"not valid YAML: {problem}{column}",
            file=_where(file, mark.line + 1 if mark else None),
        ) from exc
    except yaml.YAMLError as exc:
        raise ContractError(f"not valid YAML: {exc}", file=file) from exc
    finally:
        loader.dispose()
    return root, data


def _not_a_mapping(data: Any, root: yaml.Node | None, file: str) -> ContractError:
    if data is None:
        found = "the file is empty"
    else:
        found = f"found a {'list' if isinstance(data, list) else type(data).__name__}"
    line = root.start_mark.line + 1 if root is not None else None
    return ContractError(
        f"a contract is a YAML mapping of fields ({found}); required fields: "
        f"{REQUIRED_TOP_LEVEL} (see docs/sources.md)",
        file=_where(file, line),
    )


def _reject_duplicate_keys(node: yaml.Node | None, file: str, path: Location) -> None:
    """YAML silently keeps the last of two equal keys; a contract must not."""
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _reject_duplicate_keys(item, file, (*path, index))
    if not isinstance(node, yaml.MappingNode):
        return
    first_line: dict[str, int] = {}
    for key, value in node.value:
        name = str(key.value)
        if name in first_line:
            raise ContractError(
                f"key {name!r} appears twice (first on line {first_line[name]})",
                file=_where(file, key.start_mark.line + 1),
                field=_dotted((*path, name)),
            )
        first_line[name] = key.start_mark.line + 1
        _reject_duplicate_keys(value, file, (*path, name))


def _line_of(root: yaml.Node | None, loc: Iterable[Any]) -> int | None:
    """The 1-based line of the YAML node at a location, or of its nearest existing parent."""
    if root is None:
        return None
    node: yaml.Node = root
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if pair is None:
                return line
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _where(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line else file


def _dotted(loc: Location) -> str:
    return ".".join(str(part) for part in loc) or "(contract)"


# --- validation errors -------------------------------------------------------------------


def _contract_error(
    exc: ValidationError, root: yaml.Node | None, data: dict[str, Any], file: str
) -> ContractError:
    """Every problem of the contract, each at its own line: the first is the error's file and
    field, the others follow it one per line, so a user fixes them all in one pass."""
    errors = exc.errors()
    paths = [_clean_location(error["loc"])[0] for error in errors]
    problems = []
    for path in dict.fromkeys(paths):
        same_place = [error for error, at in zip(errors, paths, strict=True) if at == path]
        field_loc, line_loc, message = _describe(same_place[0], path, same_place, data)
        problems.append((_where(file, _line_of(root, line_loc)), _dotted(field_loc), message))
    (where, field, message), others = problems[0], problems[1:]
    message += "".join(f"\n  {at}: {name}: {text}" for at, name, text in others)
    return ContractError(message, file=where, field=field)


def _describe(
    error: Any, path: Location, same_place: list[Any], data: dict[str, Any]
) -> tuple[Location, Location, str]:
    """(field location, location whose line is reported, message) of the first error."""
    kind = error["type"]
    message = error["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        allowed = ", ".join(_allowed_fields(error["loc"]))
        return path, path, f"unknown field; allowed here: {allowed}"
    if kind == "literal_error":
        return path, path, f"{message} (got {error['input']!r})"
    if kind == "string_pattern_mismatch":
        return path, path, f"{error['input']!r} is not allowed: {_pattern_help(path)}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = ", ".join(_union_tags(path))
        got = (
            f"{error['ctx']['tag']!r} is not allowed" if kind == "union_tag_invalid" else "missing"
        )
        return (*path, "type"), (*path, "type"), f"{got}; allowed: {tags}"
    if kind == "missing":
        return path, path, "required field is missing"
    if len(same_place) > 1:  # a plain union: one error per member
        members = ", ".join(str(item["loc"][-1]) for item in same_place)
        return path, path, f"expected one of: {members} (got {error['input']!r})"
    if kind == "value_error":
        field_loc, line_loc = _locate_model_problem(message, path, data)
        return field_loc, line_loc, message
    return path, path, message


def _clean_location(loc: Iterable[Any]) -> tuple[Location, Any]:
    """Drop the tags pydantic inserts for union members (`csv`, `str`) from a location, and
    return the annotation found at its end (a model, a list, a Literal, ... or None)."""
    annotation: Any = SourceContract
    path: list[str | int] = []
    for part in loc:
        annotation = _unwrap_optional(annotation)
        members = _union_members(annotation)
        if members:
            annotation = _union_member(members, part)
            continue
        path.append(part)
        annotation = _child_annotation(annotation, part)
    return tuple(path), _unwrap_optional(annotation)


def _union_members(annotation: Any) -> list[Any]:
    if get_origin(annotation) not in (Union, types.UnionType):
        return []
    members = [arg for arg in get_args(annotation) if arg is not type(None)]
    return members if len(members) > 1 else []


def _unwrap_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


def _union_member(members: list[Any], tag: Any) -> Any:
    for member in members:
        if tag in _literal_values(member) or getattr(member, "__name__", None) == tag:
            return member
    return None


def _literal_values(member: Any) -> tuple[Any, ...]:
    """The values of a model's `type: Literal[...]` discriminator field, if it has one."""
    if not _is_model(member) or "type" not in member.model_fields:
        return ()
    annotation = member.model_fields["type"].annotation
    return get_args(annotation) if get_origin(annotation) is Literal else ()


def _child_annotation(annotation: Any, part: Any) -> Any:
    if _is_model(annotation):
        info = _model_field(annotation, str(part))
        return info.annotation if info is not None else None
    if get_origin(annotation) is list and isinstance(part, int):
        return get_args(annotation)[0]
    return None


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _model_field(model: type[BaseModel], name: str) -> Any:
    for field_name, info in model.model_fields.items():
        if name in (field_name, info.alias):
            return info
    return None


def _allowed_fields(raw_loc: tuple[Any, ...]) -> list[str]:
    """The fields of the model holding the last part of a (raw, tagged) location."""
    _, parent = _clean_location(raw_loc[:-1])
    if not _is_model(parent):
        return []
    return [info.alias or name for name, info in parent.model_fields.items()]


def _union_tags(loc: Location) -> list[str]:
    _, annotation = _clean_location(loc)
    return [str(tag) for member in _union_members(annotation) for tag in _literal_values(member)]


def _pattern_help(loc: Location) -> str:
    last = str(loc[-1]) if loc else ""
    return {
        "name": "snake_case: lower-case letters, digits and _, starting with a letter",
        "type": "string, int, bigint, decimal(p,s), double, boolean, date, timestamp, "
        "timestamptz, json",
        "schedule": "an EventBridge Scheduler expression: rate(...) or cron(...)",
        "prefix": "letters, digits and - _ . / (no backslash), not starting with /",
    }.get(last, "see docs/sources.md")


# --- checks across fields: point at the field that breaks them ---------------------------


def _locate_model_problem(
    message: str, path: Location, data: dict[str, Any]
) -> tuple[Location, Location]:
    """A model validator's error carries only the model's location; find the field."""
    if path:
        _, model = _clean_location(path)
        named = re.search(r"`(\w+)`", message) or re.match(r"invalid (\w+)", message)
        if named and _is_model(model) and _model_field(model, named.group(1)):
            return (*path, named.group(1)), (*path, named.group(1))
        return path, path
    for pattern, locate in _CONTRACT_PROBLEMS:
        match = re.search(pattern, message)
        if match:
            return locate(match, data)
    return path, path


def _columns_key(data: dict[str, Any]) -> str:
    return "schema" if "schema" in data else "columns"


def _column_index(data: dict[str, Any], name: str, occurrence: int = 1) -> int | None:
    columns = data.get(_columns_key(data)) or []
    indexes = [i for i, column in enumerate(columns) if column.get("name") == name]
    return indexes[occurrence - 1] if len(indexes) >= occurrence else None


def _duplicate_column(match: re.Match[str], data: dict[str, Any]) -> tuple[Location, Location]:
    name = match.group(1).split(",")[0].strip()
    loc: Location = (_columns_key(data), _column_index(data, name, 2) or 0, "name")
    return loc, loc


def _clashing_column(match: re.Match[str], data: dict[str, Any]) -> tuple[Location, Location]:
    loc: Location = (_columns_key(data), _column_index(data, match.group(1)) or 0, "name")
    return loc, loc


def _unknown_key_column(match: re.Match[str], data: dict[str, Any]) -> tuple[Location, Location]:
    unknown = match.group(1).split(",")[0].strip()
    used = data.get("primary_key") or []
    loc: Location = ("primary_key", used.index(unknown) if unknown in used else 0)
    return loc, loc


def _unknown_rule_column(match: re.Match[str], data: dict[str, Any]) -> tuple[Location, Location]:
    unknown = match.group(1).split(",")[0].strip()
    rules = data.get("quality") or []
    index = next((i for i, rule in enumerate(rules) if rule.get("column") == unknown), 0)
    loc: Location = ("quality", index, "column")
    return loc, loc


def _partition_column(match: re.Match[str], data: dict[str, Any]) -> tuple[Location, Location]:
    return ("partitioning", "column"), ("partitioning", "column")


def _missing_block(match: re.Match[str], data: dict[str, Any]) -> tuple[Location, Location]:
    return (match.group(1),), ("kind",)


_CONTRACT_PROBLEMS: list[
    tuple[str, Callable[[re.Match[str], dict[str, Any]], tuple[Location, Location]]]
] = [
    (r"^duplicate column names: (.+)$", _duplicate_column),
    (r"^column '(\w+)' clashes with the partition column", _clashing_column),
    (r"^primary_key names unknown columns: (.+)$", _unknown_key_column),
    (r"^quality names unknown columns: (.+)$", _unknown_rule_column),
    (r"^partitioning\.column ", _partition_column),
    (r"needs a `(\w+):` block", _missing_block),
]
