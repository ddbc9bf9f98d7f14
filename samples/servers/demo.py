"""The demo's servers, as the sample contracts expect them: the vendor API on port 18080
(bearer token ``demo-token``) and the SFTP server on port 18022 (user ``partner``, password
``demo-password``, the demo host key) serving a copy of ``samples/sftp/``."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from samples.servers.sftp_server import SftpServer, demo_host_key
from samples.servers.vendor_api import VendorApi

SAMPLES = Path(__file__).resolve().parents[1]
API_PORT = 18080
SFTP_PORT = 18022
# The secrets the sample contracts name, as the local secret store reads them.
# When the partner delivered the sample files: fixed, so every demo run serves the same files
# (same path, size and time) and the second run finds nothing new.
DELIVERED = datetime(2026, 11, 2, 5, 0, tzinfo=UTC).timestamp()
SECRETS = {
    "vendor_api_token": "demo-token",
    "partner_sftp": {"password": "demo-password"},
}


def secret_environment() -> dict[str, str]:
    """``STRATA_SECRET_<NAME>`` variables holding the demo secrets."""
    from strata.secrets.local import env_name

    return {
        env_name(name): value if isinstance(value, str) else json.dumps(value)
        for name, value in SECRETS.items()
    }


class DemoServers:
    def __init__(self, api_port: int = API_PORT, sftp_port: int = SFTP_PORT) -> None:
        self._workdir = Path(tempfile.mkdtemp(prefix="strata-demo-sftp-"))
        root = self._workdir / "root"
        shutil.copytree(SAMPLES / "sftp", root)
        for path in root.rglob("*"):
            os.utime(path, (DELIVERED, DELIVERED))
        self.api = VendorApi(auth="bearer", port=api_port)
        self.sftp = SftpServer(root, host_key=demo_host_key(), port=sftp_port)

    def start(self) -> DemoServers:
        self.api.start()
        try:
            self.sftp.start()
        except BaseException:
            self.api.stop()
            raise
        return self

    def stop(self) -> None:
        try:
            self.sftp.stop()
            self.api.stop()
        finally:
            shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> DemoServers:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
