"""Files generated from the contracts: adding a source is one file, and these follow it.

``strata validate`` says which are stale; ``strata validate --fix`` rewrites them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Generated:
    path: Path
    render: Callable[[], str]
    command: str  # the command that writes this file alone

    def stale(self) -> bool:
        current = self.path.read_text(encoding="utf-8") if self.path.exists() else None
        return current != self.render()

    def write(self) -> None:
        self.path.write_text(self.render(), encoding="utf-8")


def sources_yml(ctx: Any, project_dir: Path) -> Generated:
    from strata.models.sources import SOURCES_FILE, sources_yaml

    return Generated(
        project_dir / "warehouse" / SOURCES_FILE,
        lambda: sources_yaml(ctx.project.contracts, ctx.settings.external_schema),
        "strata models sources",
    )


def from_contracts(ctx: Any, project_dir: Path) -> list[Generated]:
    """Every file that must change when a contract is added, removed or renamed."""
    from strata_dev.deploy.sources_template import TEMPLATE, rendered_template

    template = Generated(
        project_dir / TEMPLATE, lambda: rendered_template(project_dir), "strata template"
    )
    return [template, sources_yml(ctx, project_dir)]
