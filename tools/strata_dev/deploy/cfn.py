"""CloudFormation intrinsic functions as Python values, and the YAML writer that prints them in
their short form (``!Ref``, ``!Sub``, ``!GetAtt``, ``!If``, ``!FindInMap``).

The generators build a template's resources as plain dicts holding these values and dump them
with :func:`dump_resources`; :class:`strata_dev.deploy.template.CfnLoader` reads the result back
as the long form (``{"Ref": ...}``, ``{"Fn::GetAtt": [resource, attribute]}``), which is what
the tests and the checks compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

# Long lines stay whole (as the hand-written part of the template does): a folded scalar means
# the same but is harder to read and to grep.
LINE_WIDTH = 10_000
# A list of a few short words is written on one line (`s3:prefix: [orders/*]`), as the
# hand-written part of the template writes it; a longer one, or one whose items would need
# quotes on one line (PyYAML quotes `s3:GetObject` there), one item per line.
FLOW_LIST_WIDTH = 64


@dataclass(frozen=True)
class Ref:
    """``!Ref name``: a parameter's value or a resource's physical id."""

    name: str


@dataclass(frozen=True)
class Sub:
    """``!Sub text``: text with ``${Parameter}`` and ``${Resource.Attribute}`` filled in."""

    text: str


@dataclass(frozen=True)
class GetAtt:
    """``!GetAtt resource.attribute``."""

    resource: str
    attribute: str


@dataclass(frozen=True)
class If:
    """``!If [condition, when_true, when_false]``."""

    condition: str
    when_true: Any
    when_false: Any


@dataclass(frozen=True)
class FindInMap:
    """``!FindInMap [map, top-level key, second-level key]``."""

    map_name: str
    top_key: Any
    second_key: Any


SHORT_FORM_TAGS = ("!Ref", "!Sub", "!GetAtt")


class CfnDumper(yaml.SafeDumper):
    """A SafeDumper that writes the intrinsics above as short-form tags, like the hand-written
    part of ``template.yaml``: a list indented under its key, a tagged name unquoted
    (``!GetAtt DataKey.Arn``), and a value used twice written twice (no YAML anchors)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def choose_scalar_style(self) -> str:
        # PyYAML quotes every scalar whose tag it would not infer; an explicit tag already says
        # what the scalar is, so a plain one reads the same wherever plain text is allowed.
        event = self.event
        if isinstance(event, yaml.ScalarEvent) and event.tag in SHORT_FORM_TAGS:
            if self.analysis is None:
                self.analysis = self.analyze_scalar(event.value)
            analysis = self.analysis
            plain = analysis.allow_flow_plain if self.flow_level else analysis.allow_block_plain
            if plain and not (analysis.empty or analysis.multiline):
                return ""
        return super().choose_scalar_style()


def _ref(dumper: yaml.SafeDumper, value: Ref) -> yaml.Node:
    return dumper.represent_scalar("!Ref", value.name)


def _sub(dumper: yaml.SafeDumper, value: Sub) -> yaml.Node:
    return dumper.represent_scalar("!Sub", value.text)


def _get_att(dumper: yaml.SafeDumper, value: GetAtt) -> yaml.Node:
    return dumper.represent_scalar("!GetAtt", f"{value.resource}.{value.attribute}")


def _if(dumper: yaml.SafeDumper, value: If) -> yaml.Node:
    items = [value.condition, value.when_true, value.when_false]
    return dumper.represent_sequence("!If", items, flow_style=True)


def _find_in_map(dumper: yaml.SafeDumper, value: FindInMap) -> yaml.Node:
    items = [value.map_name, value.top_key, value.second_key]
    return dumper.represent_sequence("!FindInMap", items, flow_style=True)


def _list(dumper: CfnDumper, value: list[Any]) -> yaml.Node:
    words = all(
        isinstance(item, str) and item and dumper.analyze_scalar(item).allow_flow_plain
        for item in value
    )
    one_line = words and len(", ".join(value)) <= FLOW_LIST_WIDTH
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=one_line)


CfnDumper.add_representer(list, _list)
CfnDumper.add_representer(Ref, _ref)
CfnDumper.add_representer(Sub, _sub)
CfnDumper.add_representer(GetAtt, _get_att)
CfnDumper.add_representer(If, _if)
CfnDumper.add_representer(FindInMap, _find_in_map)


def dump_resources(resources: Mapping[str, Mapping[str, Any]]) -> str:
    """The resources as the lines under ``Resources:`` (indented two spaces), in the given
    order, one blank line between two resources."""
    blocks = []
    for logical_id, resource in resources.items():
        text = yaml.dump(
            {"Resources": {logical_id: dict(resource)}},
            Dumper=CfnDumper,
            sort_keys=False,
            default_flow_style=False,
            allow_unicode=True,
            width=LINE_WIDTH,
        )
        blocks.append(text.split("\n", 1)[1])
    return "\n".join(blocks)
