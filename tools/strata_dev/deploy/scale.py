"""The stack at scale: a project of N generated sources, its template, and the template as the
SAM translator expands it, measured against CloudFormation's and IAM's limits.

``python -m strata_dev.deploy.scale 15 50 100`` prints the transformed resource count, the
template's size and the largest policy at each size (docs/deploy.md, "The stack's scale");
``tests/infra/test_scale.py`` checks the limits at 100 sources.

The generated sources mix the four kinds as a company's do (in every ten: four api, two sftp,
three s3_drop, one manual), with names of ``name_length`` characters (IAM's limits count them).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strata_dev.deploy.policy_size import (
    MANAGED_POLICY_LIMIT,
    ROLE_INLINE_LIMIT,
    ROLE_MANAGED_POLICIES,
    deployed_length,
)

MIX = ("api", "s3_drop", "api", "sftp", "s3_drop", "api", "manual", "s3_drop", "api", "sftp")
# CloudFormation's limits (template body uploaded to S3, as `sam deploy` does).
MAX_RESOURCES = 500
MAX_TEMPLATE_BYTES = 1_000_000
MAX_OUTPUTS = 200
MAX_PARAMETERS = 200
MAX_MAPPINGS = 200
REPO = Path(__file__).resolve().parents[3]
SAM_PYTHON = REPO / ".tools" / "sam" / "bin" / "python"

_HEAD = """name: {name}
description: Generated source {number} ({kind}) to measure the stack at scale.
owner: data@example.com
kind: {kind}
freshness: {{expected_every: 1d}}
"""
_SCHEMA = """format:
  type: {format}
schema:
  - name: id
    type: string
"""
_SETTINGS = {
    "api": """schedule: cron({minute} * * * ? *)
api:
  url: https://vendor{number}.example.com/v1/records
  auth:
    type: bearer
    secret: {name}_token
  time_budget_seconds: 300
""",
    "sftp": """schedule: cron({minute} 5 * * ? *)
sftp:
  host: sftp{number}.example.com
  username: strata
  secret: {name}_sftp
  host_keys:
    - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILxp+t0ZppQSOYi48PDQlsVOP0hSDCmcqDiWo676ybqT
  path: outbox
""",
    "s3_drop": """s3_drop:
  prefix: partners/{name}/
""",
    "manual": """s3_drop:
  prefix: uploads/{name}/
""",
}


def source_name(number: int, kind: str, length: int) -> str:
    """``src_007_api`` padded with ``x`` to ``length`` characters (contracts allow 40)."""
    name = f"src_{number:03d}_{kind}"
    return name + "_" + "x" * (length - len(name) - 1) if length > len(name) + 1 else name


def contract_text(number: int, kind: str, name_length: int = 24) -> tuple[str, str]:
    name = source_name(number, kind, name_length)
    values = {"name": name, "number": number, "kind": kind, "minute": number % 60}
    form = "json" if kind == "api" else "csv"
    text = _HEAD.format(**values) + _SETTINGS[kind].format(**values) + _SCHEMA.format(format=form)
    return name, text


def write_project(root: Path, count: int, name_length: int = 24, mix: Sequence[str] = MIX) -> Path:
    """A project of ``count`` generated sources and the repository's template, its ingestion
    section rendered for them."""
    from strata_dev.deploy import sources_template

    (root / "sources").mkdir(parents=True, exist_ok=True)
    for number in range(count):
        name, text = contract_text(number, mix[number % len(mix)], name_length)
        (root / "sources" / f"{name}.yaml").write_text(text, encoding="utf-8")
    shutil.copy(REPO / "template.yaml", root / "template.yaml")
    sources_template.write(root)
    return root


def translate(template: Path) -> dict[str, Any]:
    """The template as the SAM CLI's translator expands it (the SAM CLI's own virtualenv)."""
    result = subprocess.run(
        [str(SAM_PYTHON), str(REPO / "tools" / "sam_translate.py"), str(template)],
        capture_output=True,
        text=True,
        check=True,
        env={"AWS_DEFAULT_REGION": "eu-west-1", "PATH": os.defpath},
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Measure:
    sources: int
    resources: int
    template_bytes: int
    transformed_bytes: int
    largest_managed_policy: int
    largest_role_inline: int
    most_managed_policies: int

    def problems(self) -> list[str]:
        limits = (
            ("resources", self.resources, MAX_RESOURCES - 1),
            ("template bytes", self.template_bytes, MAX_TEMPLATE_BYTES),
            ("transformed template bytes", self.transformed_bytes, MAX_TEMPLATE_BYTES),
            ("managed policy characters", self.largest_managed_policy, MANAGED_POLICY_LIMIT),
            ("a role's inline policy characters", self.largest_role_inline, ROLE_INLINE_LIMIT),
            ("a role's managed policies", self.most_managed_policies, ROLE_MANAGED_POLICIES),
        )
        return [f"{what}: {value} > {limit}" for what, value, limit in limits if value > limit]


def measure(template: Path, translated: dict[str, Any], sources: int) -> Measure:
    resources = translated["Resources"]
    roles = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::IAM::Role"]
    managed = [
        deployed_length(r["Properties"]["PolicyDocument"])
        for r in resources.values()
        if r["Type"] == "AWS::IAM::ManagedPolicy"
    ]
    inline = [
        sum(deployed_length(p["PolicyDocument"]) for p in role.get("Policies", []))
        for role in roles
    ]
    return Measure(
        sources=sources,
        resources=len(resources),
        template_bytes=template.stat().st_size,
        transformed_bytes=len(json.dumps(translated, separators=(",", ":"))),
        largest_managed_policy=max(managed, default=0),
        largest_role_inline=max(inline, default=0),
        most_managed_policies=max((len(r.get("ManagedPolicyArns", [])) for r in roles), default=0),
    )


def measure_at(count: int, workdir: Path, name_length: int = 24) -> Measure:
    project = write_project(workdir / f"n{count}", count, name_length)
    template = project / "template.yaml"
    return measure(template, translate(template), count)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m strata_dev.deploy.scale",
        description="Measure the translated stack at N generated sources.",
    )
    parser.add_argument("counts", nargs="+", type=int, help="numbers of sources")
    parser.add_argument("--name-length", type=int, default=24, help="characters per name")
    args = parser.parse_args(argv)
    if not SAM_PYTHON.is_file():
        print("the SAM CLI is not installed: `make tools`", file=sys.stderr)
        return 1
    print(
        "| sources | resources | template | transformed | largest managed policy "
        "| largest inline (role) | managed policies (role) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    failed = False
    with tempfile.TemporaryDirectory() as folder:
        for count in args.counts:
            m = measure_at(count, Path(folder), args.name_length)
            print(
                f"| {m.sources} | {m.resources} | {m.template_bytes:,} B | "
                f"{m.transformed_bytes:,} B | {m.largest_managed_policy:,} | "
                f"{m.largest_role_inline:,} | {m.most_managed_policies} |"
            )
            for problem in m.problems():
                failed = True
                print(f"  over a limit: {problem}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
