"""A demo lake built once for the read tests: the sample files with their six months of
history (samples/backfill), converted and modelled by a real local run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from strata_dev.cli.main import main

REPO = Path(__file__).resolve().parents[2]
PROJECT_PARTS = ("sources", "warehouse", "statemachines", "functions", "template.yaml")
DROPS = {
    "orders": ["samples/orders/*.csv", "samples/backfill/orders/*.csv"],
    "shipments": ["samples/shipments/*.ndjson", "samples/backfill/shipments/*.ndjson"],
    "marketing_spend": [
        "samples/marketing_spend/*.xlsx",
        "samples/backfill/marketing_spend/*.xlsx",
    ],
}


def copy_project(target: Path) -> Path:
    for part in PROJECT_PARTS:
        if (REPO / part).is_file():
            shutil.copy(REPO / part, target / part)
        else:
            shutil.copytree(
                REPO / part, target / part, ignore=shutil.ignore_patterns("__pycache__")
            )
    return target


def sample_files(source: str) -> list[Path]:
    return sorted(path for pattern in DROPS[source] for path in REPO.glob(pattern))


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The drop sources of the demo (no servers needed), run once for the session."""
    project = copy_project(tmp_path_factory.mktemp("demo") / "project")
    for source in DROPS:
        files = [str(path) for path in sample_files(source)]
        assert main(["--project-dir", str(project), "upload", source, *files]) == 0
    sources = [argument for source in DROPS for argument in ("--source", source)]
    assert main(["--project-dir", str(project), "run", *sources]) == 0
    return project


@pytest.fixture
def lake(demo_project: Path):
    import strata_read

    return strata_read.connect(demo_project, env={})
