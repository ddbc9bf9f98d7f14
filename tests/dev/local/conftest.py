"""The local pipeline runs the repository's sample sources, api and sftp ones included: their
servers (samples/servers) are started for each test, on free ports the copied contracts are
pointed at."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import strata.convert
from strata.errors import ConversionError

REPO = Path(__file__).resolve().parents[3]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from demo_project import point_at_servers  # noqa: E402

from samples.servers.demo import DemoServers  # noqa: E402


@pytest.fixture
def demo_servers() -> Iterator[DemoServers]:
    with DemoServers(api_port=0, sftp_port=0) as servers:
        yield servers


@pytest.fixture
def project_dir(project_dir: Path, demo_servers: DemoServers) -> Path:
    return point_at_servers(project_dir, demo_servers)


FAILING_FILE = "orders_2026-11-02.csv"


@pytest.fixture
def failing_orders_file(monkeypatch: pytest.MonkeyPatch) -> str:
    """Conversion of one sample orders file fails (an injected fault); the others convert."""
    real = strata.convert.convert_object

    def flaky(ctx: object, run_id: str, source: str, raw_key: str) -> object:
        if raw_key.endswith(FAILING_FILE):
            raise ConversionError("injected failure", source=source, key=raw_key)
        return real(ctx, run_id, source, raw_key)

    monkeypatch.setattr(strata.convert, "convert_object", flaky)
    return FAILING_FILE
