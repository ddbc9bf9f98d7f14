"""Reading ``template.yaml`` (CloudFormation short-form tags included) and the state machine
definitions it points at."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from strata.errors import ConfigError

PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
STATE_MACHINE_TYPES = ("AWS::Serverless::StateMachine",)


class CfnLoader(yaml.SafeLoader):
    """A SafeLoader that reads CloudFormation short-form tags (!Ref, !Sub, ...) as long form."""


def _construct_cfn(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_cfn)


def load_template(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=CfnLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the template: {exc}", file=str(path)) from exc


def substitutions_by_definition(
    template: dict[str, Any], template_dir: Path
) -> dict[Path, list[tuple[str, dict[str, Any]]]]:
    """Definition file -> [(state machine logical id, DefinitionSubstitutions)]."""
    found: dict[Path, list[tuple[str, dict[str, Any]]]] = {}
    for logical_id, resource in (template.get("Resources") or {}).items():
        if resource.get("Type") not in STATE_MACHINE_TYPES:
            continue
        props = resource.get("Properties") or {}
        uri = props.get("DefinitionUri")
        if not isinstance(uri, str) or uri.startswith("s3://"):
            continue
        path = (template_dir / uri).resolve()
        found.setdefault(path, []).append((logical_id, props.get("DefinitionSubstitutions") or {}))
    return found


def placeholder_problems(definition: str, substitutions: dict[str, Any]) -> list[str]:
    """Placeholders without a substitution, and substitutions no placeholder uses."""
    used = set(PLACEHOLDER.findall(definition))
    given = set(substitutions)
    problems = [
        f"${{{name}}} has no DefinitionSubstitutions entry" for name in sorted(used - given)
    ]
    problems += [f"substitution {name!r} is not used" for name in sorted(given - used)]
    return problems
