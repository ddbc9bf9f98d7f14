"""A small SFTP server for the demo and the tests (asyncssh), serving one folder on 127.0.0.1.

Password and public-key logins; the host key is given, or derived from a fixed seed
(:func:`demo_host_key`) so the demo contract can list it without a private key in the
repository. Tests make a transfer fail half-way with :meth:`SftpServer.drop_reads_after`, and
change the served files mid-transfer (a writer that resumes, a file that shrinks or vanishes, a
transfer that stalls) with :meth:`SftpServer.after_reading`.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncssh
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DEMO_SEED = b"strata demo sftp host key (loopback only, not a secret)"


def demo_host_key() -> asyncssh.SSHKey:
    """An Ed25519 host key derived from a fixed, public seed: stable across demo runs."""
    private = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(DEMO_SEED).digest())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    return asyncssh.import_private_key(pem)


def known_hosts_line(key: asyncssh.SSHKey) -> str:
    """``ssh-ed25519 AAAA…``: what a contract's ``sftp.host_keys`` lists."""
    return " ".join(key.export_public_key("openssh").decode().split()[:2])


class _Faults:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.drop_after: list[int] = []  # one entry per transfer to break: bytes served first
        self.opened: list[str] = []  # files opened for reading, in order
        self.actions: list[tuple[int, Callable[[], object]]] = []  # (bytes served, what to do)

    def action_at(self, end: int) -> Callable[[], object] | None:
        """The first pending action due once a read reaches ``end`` bytes (taken: runs once)."""
        with self.lock:
            for index, (nbytes, action) in enumerate(self.actions):
                if end > nbytes:
                    del self.actions[index]
                    return action
        return None


class _Sftp(asyncssh.SFTPServer):
    def __init__(self, chan: Any, root: Path, faults: _Faults) -> None:
        super().__init__(chan, chroot=str(root).encode())
        self._faults = faults

    def open(self, path: bytes, pflags: int, attrs: Any) -> Any:
        with self._faults.lock:
            self._faults.opened.append(path.decode())
        return super().open(path, pflags, attrs)

    async def read(self, file_obj: Any, offset: int, size: int) -> bytes:
        action = self._faults.action_at(offset + size)
        if action is not None:  # on a worker thread: the server keeps serving other clients
            await asyncio.get_running_loop().run_in_executor(None, action)
        with self._faults.lock:
            limit = self._faults.drop_after[0] if self._faults.drop_after else None
            if limit is not None and offset + size > limit:
                self._faults.drop_after.pop(0)
        if limit is not None and offset + size > limit:
            self.connection.abort()  # the wire goes dead mid-file
            return b""
        return super().read(file_obj, offset, size)


class _Server(asyncssh.SSHServer):
    def __init__(self, username: str, password: str | None, keys: list[asyncssh.SSHKey]) -> None:
        self.username = username
        self.password = password
        self.keys = {key.public_data for key in keys}

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return self.password is not None

    def validate_password(self, username: str, password: str) -> bool:
        return username == self.username and password == self.password

    def public_key_auth_supported(self) -> bool:
        return bool(self.keys)

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return username == self.username and key.public_data in self.keys


class SftpServer:
    def __init__(
        self,
        root: Path,
        *,
        username: str = "partner",
        password: str | None = "demo-password",
        client_keys: list[asyncssh.SSHKey] | None = None,
        host_key: asyncssh.SSHKey | None = None,
        port: int = 0,
    ) -> None:
        self.root = Path(root)
        self.username = username
        self.password = password
        self.client_keys = client_keys or []
        self.host_key = host_key or asyncssh.generate_private_key("ssh-ed25519")
        self.port = port
        self.faults = _Faults()
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._acceptor: Any = None

    @property
    def opened(self) -> list[str]:
        with self.faults.lock:
            return list(self.faults.opened)

    @property
    def host_key_line(self) -> str:
        return known_hosts_line(self.host_key)

    def drop_reads_after(self, nbytes: int, transfers: int = 1) -> None:
        """Abort the connection once a transfer reaches ``nbytes`` (for the next N transfers)."""
        with self.faults.lock:
            self.faults.drop_after.extend([nbytes] * transfers)

    def after_reading(self, nbytes: int, action: Callable[[], object]) -> None:
        """Run ``action`` once, when a transfer first asks for bytes past ``nbytes``; that read
        is answered (from the file as it then is) only when the action returns."""
        with self.faults.lock:
            self.faults.actions.append((nbytes, action))

    def start(self) -> SftpServer:
        ready = threading.Event()
        errors: list[BaseException] = []

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                self._acceptor = self._loop.run_until_complete(self._listen())
                self.port = self._acceptor.get_port()
            except BaseException as exc:  # reported to the starting thread
                errors.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="sftp-server", daemon=True)
        self._thread.start()
        if not ready.wait(timeout=10):
            raise TimeoutError("the SFTP server did not start within 10 s")
        if errors:
            raise errors[0]
        return self

    async def _listen(self) -> Any:
        return await asyncssh.create_server(
            lambda: _Server(self.username, self.password, self.client_keys),
            "127.0.0.1",
            self.port,
            server_host_keys=[self.host_key],
            sftp_factory=lambda chan: _Sftp(chan, self.root, self.faults),
            allow_scp=False,
        )

    def stop(self) -> None:
        async def close() -> None:
            if self._acceptor is not None:
                self._acceptor.close()
                await self._acceptor.wait_closed()
            sessions = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in sessions:
                task.cancel()
            await asyncio.gather(*sessions, return_exceptions=True)

        if self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._thread = None

    def __enter__(self) -> SftpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
