#!/usr/bin/env python3
"""Print the SAM template as the SAM translator expands it (CloudFormation JSON), offline.

Runs with the SAM CLI's own Python (``.tools/sam/bin/python tools/sam_translate.py``), which
has ``samtranslator``. Local code folders are replaced by dummy S3 URIs (the translator wants
S3 locations; ``sam build``/``sam package`` would upload them) and managed policy names are not
looked up: the result shows the resources SAM generates (roles, permissions, rules), not
deployable artifacts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

URI_PROPERTIES = ("CodeUri", "ContentUri", "DefinitionUri")


class _NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


def translate(path: Path) -> dict[str, Any]:
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    template = yaml_parse(path.read_text(encoding="utf-8"))
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties") or {}
        for name in URI_PROPERTIES:
            if isinstance(props.get(name), str) and not props[name].startswith("s3://"):
                props[name] = f"s3://offline-translation/{props[name]}"
    return transform(template, {}, _NoManagedPolicies())  # type: ignore[no-any-return]


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else "template.yaml")
    json.dump(translate(path), sys.stdout, indent=1, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
