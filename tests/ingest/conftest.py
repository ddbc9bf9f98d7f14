"""Fixtures for ingestion tests: real servers on 127.0.0.1 (the sample vendor API, an SFTP
server) and contracts written into a copy of the project."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from samples.servers.sftp_server import SftpServer  # noqa: E402
from samples.servers.vendor_api import VendorApi  # noqa: E402

ORDER_SCHEMA = [
    {"name": "id", "type": "bigint", "nullable": False},
    {"name": "updated_at", "type": "timestamptz", "nullable": False},
    {"name": "customer_id", "type": "string"},
    {"name": "status", "type": "string"},
    {"name": "amount", "type": "decimal(12,2)"},
    {"name": "currency", "type": "string"},
]


def write_contract(project_dir: Path, name: str, **fields: Any) -> Path:
    contract = {
        "name": name,
        "description": f"{name}, for a test.",
        "owner": "tests@example.com",
        "schema": ORDER_SCHEMA,
        "primary_key": ["id"],
        **fields,
    }
    path = project_dir / "sources" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(contract, sort_keys=False), encoding="utf-8")
    return path


def keep_only_sources(project_dir: Path, *names: str) -> None:
    """Remove the other api/sftp contracts of the copied project (the demo's samples, whose
    servers these tests do not start), and the staging models that read them; the drop and
    upload sources need no server and stay, since the other models read them."""
    removed = []
    for path in (project_dir / "sources").glob("*.yaml"):
        kind = re.search(r"^kind: *(\w+)", path.read_text(encoding="utf-8"), re.MULTILINE)
        if path.stem not in names and kind and kind.group(1) in ("api", "sftp"):
            path.unlink()
            removed.append(path.stem)
    for model in (project_dir / "warehouse" / "models").rglob("*.sql"):
        reads = re.findall(r"source\(\s*'lake'\s*,\s*'(\w+)'\s*\)", model.read_text())
        if set(reads) & set(removed):
            model.unlink()
            schema = model.parent / "schema.yml"
            described = yaml.safe_load(schema.read_text(encoding="utf-8"))
            described["models"] = [m for m in described["models"] if m["name"] != model.stem]
            schema.write_text(yaml.safe_dump(described, sort_keys=False), encoding="utf-8")


def write_secrets(project_dir: Path, **values: Any) -> None:
    path = project_dir / ".secrets.json"
    current = json.loads(path.read_text()) if path.exists() else {}
    current.update(values)
    path.write_text(json.dumps(current), encoding="utf-8")


@pytest.fixture
def vendor_api() -> Iterator[Callable[..., VendorApi]]:
    """Start sample vendor APIs (stopped after the test): ``vendor_api(auth="bearer")``."""
    started: list[VendorApi] = []

    def start(**options: Any) -> VendorApi:
        server = VendorApi(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def sftp_server(tmp_path: Path) -> Iterator[SftpServer]:
    """A real SFTP server on 127.0.0.1 serving ``tmp_path/remote`` (password login)."""
    root = tmp_path / "remote"
    (root / "outbox").mkdir(parents=True)
    server = SftpServer(root).start()
    yield server
    server.stop()
