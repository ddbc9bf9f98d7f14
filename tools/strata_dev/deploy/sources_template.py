"""The per-source section of ``template.yaml``: the ingestion functions of the kinds of source
in use and every source's trigger (:mod:`strata_dev.deploy.source_resources`), dumped as YAML
between two markers.

``strata template`` (or ``python -m strata_dev.deploy.sources_template``) rewrites the lines
between the markers from the contracts in ``sources/``; ``--check`` (and a test, so
``make test``) fails when they are stale. Adding a source is adding its contract and running
``strata template``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from strata.contracts.model import SourceContract
from strata.errors import ConfigError
from strata_dev.deploy.cfn import dump_resources
from strata_dev.deploy.naming import per_source
from strata_dev.deploy.source_resources import section

TEMPLATE = Path("template.yaml")
BEGIN = "  # >>> strata template: per-source ingestion (from sources/*.yaml; do not edit) >>>"
END = "  # <<< strata template <<<"
NO_SOURCES = "  # (no sources)\n"


def section_resources(contracts: dict[str, SourceContract]) -> dict[str, dict[str, Any]]:
    """The section's resources by logical id: the kinds' functions, then each source's trigger,
    sources in name order.

    Two names can spell the same logical id (``x1`` and ``x_1`` both give ``X1``); the second
    would silently replace the first's resources, so that is refused."""
    resources: dict[str, dict[str, Any]] = {}
    owner: dict[str, str] = {}
    served = {contract.name: contract for contract in per_source(contracts)}
    for name, group in section(served):
        for logical_id, resource in group.items():
            if logical_id in owner:
                raise ConfigError(
                    f"sources {owner[logical_id]!r} and {name!r} would both own "
                    f"{logical_id} in {TEMPLATE}: rename one of them",
                    field="name",
                )
            owner[logical_id] = name
            resources[logical_id] = resource
    return resources


def render_section(contracts: dict[str, SourceContract]) -> str:
    """The lines between the markers, for these contracts."""
    resources = section_resources(contracts)
    return dump_resources(resources) if resources else NO_SOURCES


def replace_section(template: str, section: str, file: str = str(TEMPLATE)) -> str:
    lines = template.splitlines(keepends=True)
    try:
        start = lines.index(BEGIN + "\n")
        end = lines.index(END + "\n", start)
    except ValueError:
        raise ConfigError(
            f"the markers are missing; add these two lines under Resources:\n{BEGIN}\n{END}",
            file=file,
        ) from None
    return "".join(lines[: start + 1]) + section + "".join(lines[end:])


def rendered_template(project_dir: Path) -> str:
    from strata.contracts.loader import load_contracts

    path = project_dir / TEMPLATE
    contracts = load_contracts(project_dir / "sources")
    return replace_section(path.read_text(encoding="utf-8"), render_section(contracts), str(path))


def is_current(project_dir: Path) -> bool:
    path = project_dir / TEMPLATE
    return path.read_text(encoding="utf-8") == rendered_template(project_dir)


def write(project_dir: Path) -> bool:
    """Rewrite the section; True when the file changed."""
    path = project_dir / TEMPLATE
    text = rendered_template(project_dir)
    if path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m strata_dev.deploy.sources_template",
        description="Regenerate the per-source section of template.yaml from sources/.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when the section is stale")
    parser.add_argument("--root", type=Path, default=Path("."), help="project folder")
    args = parser.parse_args(argv)
    if args.check:
        if is_current(args.root):
            return 0
        print(
            f"{args.root / TEMPLATE}: the per-source section is stale: run `strata template` "
            "and commit the result",
            file=sys.stderr,
        )
        return 1
    changed = write(args.root)
    print(f"{'updated' if changed else 'unchanged'}: {args.root / TEMPLATE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
