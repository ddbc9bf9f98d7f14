#!/usr/bin/env python3
"""Validate the Step Functions definitions in ``statemachines/*.asl.json``.

For every definition:

1. it must parse as JSON;
2. its ``${Placeholder}`` names must be exactly the ``DefinitionSubstitutions`` keys of the
   template's state machine(s) whose ``DefinitionUri`` points at it (both directions);
3. with the placeholders replaced the way CloudFormation does (plain text substitution, by
   sample values), ``asl-validator`` (npm, pinned in package-lock.json) must accept it.

cfn-lint does not look inside ``DefinitionUri`` files, so this is the only check of the ASL
before a deploy. Exit status 1 on any problem, 2 on usage errors (e.g. asl-validator missing).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from strata_dev.deploy.template import (
    PLACEHOLDER,
    load_template,
    substitutions_by_definition,
)

REPO = Path(__file__).resolve().parent.parent
SAMPLE_ACCOUNT = "123456789012"
SAMPLE_REGION = "eu-west-1"


def sample_value(key: str, value: Any, template: dict[str, Any]) -> str:
    """A realistic stand-in for what CloudFormation will substitute for ``key``."""
    parameters = template.get("Parameters") or {}
    if isinstance(value, (str, int, float, bool)) and not isinstance(value, dict):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if isinstance(value, dict) and "Ref" in value and value["Ref"] in parameters:
        parameter = parameters[value["Ref"]]
        if "Default" in parameter:
            return str(parameter["Default"])
        if parameter.get("Type") == "Number":
            return str(parameter.get("MinValue", 1))
        allowed = parameter.get("AllowedValues")
        return str(allowed[0]) if allowed else f"sample-{key.lower()}"
    target = None
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"][0]
    elif isinstance(value, dict) and "Ref" in value:
        target = value["Ref"]
    resources = template.get("Resources") or {}
    kind = (resources.get(target) or {}).get("Type", "") if target else ""
    name = re.sub(r"(?<!^)(?=[A-Z])", "-", target or key).lower()
    if kind in ("AWS::Serverless::Function", "AWS::Lambda::Function") or key.endswith(
        "FunctionArn"
    ):
        return f"arn:aws:lambda:{SAMPLE_REGION}:{SAMPLE_ACCOUNT}:function:strata-dev-{name}"
    if kind in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
        return f"arn:aws:states:{SAMPLE_REGION}:{SAMPLE_ACCOUNT}:stateMachine:strata-dev-{name}"
    if kind == "AWS::S3::Bucket":
        return f"strata-dev-{name}"
    if kind == "AWS::DynamoDB::Table":
        return f"strata-dev-{name}"
    return f"sample-{name}"


# ----------------------------------------------------------------------------- checks
def json_problem(text: str) -> str | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
    return None


def run_asl_validator(validator: Path, definition: str, label: str) -> str | None:
    with tempfile.TemporaryDirectory(prefix="strata-asl-") as tmp:
        path = Path(tmp) / Path(label).name
        path.write_text(definition, encoding="utf-8")
        result = subprocess.run(
            [str(validator), "--json-path", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode == 0:
        return None
    output = (result.stdout + result.stderr).replace(str(path), label).strip()
    return output or f"asl-validator exited with status {result.returncode}"


def whole_value_placeholders(text: str) -> set[str]:
    """Placeholders that are a complete JSON string value, e.g. ``"MaxConcurrency": "${X}"``."""
    return set(re.findall(r':\s*"\$\{([^}]+)\}"', text))


def validate_file(
    path: Path,
    machines: list[tuple[str, dict[str, Any]]],
    template: dict[str, Any],
    validator: Path,
) -> list[str]:
    label = str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)
    errors: list[str] = []
    text = path.read_text(encoding="utf-8")

    problem = json_problem(text)
    if problem:
        return [f"{label}: {problem}"]

    used = set(PLACEHOLDER.findall(text))
    bad_names = sorted(name for name in used if not re.fullmatch(r"[A-Za-z0-9_]+", name))
    for name in bad_names:
        errors.append(f"{label}: placeholder '${{{name}}}' is not a valid substitution name")

    if not machines:
        errors.append(
            f"{label}: no AWS::Serverless::StateMachine in the template has DefinitionUri: {label}"
        )
        return errors

    substitutions: dict[str, Any] = {}
    for logical_id, subs in machines:
        keys = set(subs)
        for name in sorted(used - keys):
            errors.append(
                f"{label}: placeholder '${{{name}}}' is not a DefinitionSubstitutions key of "
                f"{logical_id} (template keys: {', '.join(sorted(keys)) or 'none'})"
            )
        for name in sorted(keys - used):
            errors.append(
                f"{label}: {logical_id} DefinitionSubstitutions key '{name}' is never used "
                f"as '${{{name}}}' in the definition"
            )
        substitutions.update(subs)

    # CloudFormation replaces ${key} text, like this.
    samples = {key: sample_value(key, value, template) for key, value in substitutions.items()}
    resolved = PLACEHOLDER.sub(lambda match: samples.get(match.group(1), match.group(0)), text)
    problem = json_problem(resolved)
    if problem:
        errors.append(f"{label}: after substitution, {problem}")
        return errors

    failure = run_asl_validator(validator, resolved, label)
    if failure:
        errors.append(
            f"{label}: asl-validator rejected the definition:\n    "
            + failure.replace("\n", "\n    ")
        )
        whole = sorted(whole_value_placeholders(text) & set(substitutions))
        numeric = [name for name in whole if re.fullmatch(r"-?\d+(\.\d+)?", samples[name])]
        if numeric:
            errors.append(
                f"{label}: hint: {', '.join('${' + n + '}' for n in numeric)} is substituted "
                "as text, so a field that needs a number gets a string; pass it through a "
                "*Path field instead (e.g. MaxConcurrencyPath fed by "
                "States.StringToJson('${...}'))"
            )
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "definitions", nargs="*", type=Path, help="ASL files (default: statemachines/*.asl.json)"
    )
    parser.add_argument("--template", type=Path, default=REPO / "template.yaml")
    parser.add_argument(
        "--validator", type=Path, default=REPO / "node_modules" / ".bin" / "asl-validator"
    )
    args = parser.parse_args(argv)

    if not args.template.is_file():
        print(f"error: template {args.template} not found", file=sys.stderr)
        return 2
    if not args.validator.exists():
        print(
            f"error: {args.validator} not found: run `npm ci` (make tools) first", file=sys.stderr
        )
        return 2

    template_path = args.template.resolve()
    template = load_template(template_path)
    by_definition = substitutions_by_definition(template, template_path.parent)

    definitions = [path.resolve() for path in args.definitions] or sorted(
        (template_path.parent / "statemachines").glob("*.asl.json")
    )
    errors: list[str] = []
    if not definitions:
        errors.append("no statemachines/*.asl.json found")
    for missing in sorted(set(by_definition) - set(definitions)):
        if not missing.exists():
            errors.append(f"template DefinitionUri {missing} does not exist")
    for path in definitions:
        if not path.is_file():
            errors.append(f"{path}: not found")
            continue
        file_errors = validate_file(path, by_definition.get(path, []), template, args.validator)
        errors.extend(file_errors)
        if not file_errors:
            print(f"ok: {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")

    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
