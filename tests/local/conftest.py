"""The local pipeline runs the repository's sample sources, api and sftp ones included: their
servers (samples/servers) are started for each test, on free ports the copied contracts are
pointed at."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import strata.convert
from strata.errors import ConversionError

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from samples.servers.demo import API_PORT, SECRETS, SFTP_PORT, DemoServers  # noqa: E402


@pytest.fixture
def demo_servers() -> Iterator[DemoServers]:
    with DemoServers(api_port=0, sftp_port=0) as servers:
        yield servers


@pytest.fixture
def project_dir(project_dir: Path, demo_servers: DemoServers) -> Path:
    for contract in (project_dir / "sources").glob("*.yaml"):
        text = contract.read_text(encoding="utf-8")
        text = text.replace(f"http://127.0.0.1:{API_PORT}", demo_servers.api.url)
        text = text.replace(f"port: {SFTP_PORT}", f"port: {demo_servers.sftp.port}")
        contract.write_text(text, encoding="utf-8")
    (project_dir / ".secrets.json").write_text(json.dumps(SECRETS), encoding="utf-8")
    return project_dir


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
