"""Shared fixtures: a local Strata context on a temporary lake, over the repository's own
contracts and models (or a copy of them a test can break)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from strata.runtime import Context, build_context, use
from strata.settings import Settings

REPO = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("sources", "warehouse", "statemachines", "functions", "template.yaml")


@pytest.fixture(autouse=True)
def _quiet_powertools(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A copy of the repository's project files, free to edit."""
    target = tmp_path / "project"
    for part in PROJECT_PARTS:
        if (REPO / part).is_file():
            shutil.copy(REPO / part, target / part)
        else:
            shutil.copytree(
                REPO / part, target / part, ignore=shutil.ignore_patterns("__pycache__")
            )
    return target


def make_context(project_dir: Path, lake_dir: Path) -> Context:
    settings = Settings(project_dir=project_dir, lake_dir=lake_dir)
    return build_context(settings)


@pytest.fixture
def ctx(project_dir: Path, tmp_path: Path) -> Iterator[Context]:
    context = make_context(project_dir, tmp_path / "lake")
    use(context)
    yield context
    use(None)
    close = getattr(context.ports.warehouse, "close", None)
    if close:
        close()
