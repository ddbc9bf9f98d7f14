"""The repository's project aimed at the sample servers (samples/servers) on their test ports."""

from __future__ import annotations

import json
from pathlib import Path

from samples.servers.demo import API_PORT, SECRETS, SFTP_PORT, DemoServers


def point_at_servers(project_dir: Path, servers: DemoServers) -> Path:
    """The project's api and sftp contracts aimed at these servers, with their secrets."""
    for contract in (project_dir / "sources").glob("*.yaml"):
        text = contract.read_text(encoding="utf-8")
        text = text.replace(f"http://127.0.0.1:{API_PORT}", servers.api.url)
        text = text.replace(f"port: {SFTP_PORT}", f"port: {servers.sftp.port}")
        contract.write_text(text, encoding="utf-8")
    (project_dir / ".secrets.json").write_text(json.dumps(SECRETS), encoding="utf-8")
    return project_dir
