"""The warehouse project's YAML, read with the line of every key, so that a setting Strata
refuses is reported at ``file:line``."""

from __future__ import annotations

from typing import Any

import yaml

from strata.errors import ModelError

WAREHOUSE_DIR = "warehouse/"


class Marked(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers its own line and the line of each of its keys."""

    line: int = 0
    lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Marked:
    loader.flatten_mapping(node)
    result = Marked()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def shown(path: str) -> str:
    """A warehouse file as the user finds it from the repository root."""
    return WAREHOUSE_DIR + path


def load_yaml(text: str, path: str) -> Marked:
    """One YAML document that must be a mapping (an empty file is an empty mapping)."""
    try:
        document = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ModelError(
            f"not valid YAML: {exc.problem or exc}",
            file=shown(path),
            line=mark.line + 1 if mark else None,
        ) from exc
    except yaml.YAMLError as exc:
        raise ModelError(f"not valid YAML: {exc}", file=shown(path)) from exc
    if document is None:
        empty = Marked()
        empty.line, empty.lines = 1, {}
        return empty
    if not isinstance(document, Marked):
        raise ModelError("expected a mapping", file=shown(path), line=1)
    return document


def refuse(message: str, path: str, line: int | None = None) -> ModelError:
    return ModelError(message, file=shown(path), line=line)
