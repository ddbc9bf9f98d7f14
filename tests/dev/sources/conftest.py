"""The inference tests' fixture: a contract written from a sample in a bare project folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from strata.secrets.local import LocalSecretStore
from strata_dev.sources.new import NewSource, Written, new_source


@pytest.fixture
def infer(tmp_path: Path) -> Callable[..., Written]:
    """``infer(name, kind, sample_path_or_url, **options)`` in a bare project folder."""
    project = tmp_path / "inferred"

    def run(name: str, kind: str, sample: str | Path, **options: Any) -> Written:
        env = options.pop("env", {})
        request = NewSource(name=name, kind=kind, sample=str(sample), **options)
        secrets = LocalSecretStore(env=env, file=project / ".secrets.json")
        return new_source(request, project, secrets)

    return run
