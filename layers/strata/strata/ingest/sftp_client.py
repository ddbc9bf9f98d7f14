"""Connecting to an SFTP server with paramiko: the host key checked against the contract's
known keys before any credential is sent, then password or private-key authentication, and a
bounded-memory streaming download.

paramiko is imported on first use (the CLI and the other functions do not need it).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from strata import progress
from strata.contracts.ingestion import SftpSettings
from strata.errors import ConfigError
from strata.ingest.exceptions import HostKeyError, LocalWriteError, SftpError
from strata.ingest.redact import Redactor
from strata.observability import logger

MB = 1024 * 1024
# Read a file window by window: each window is fetched with pipelined requests (fast over a
# slow link) and written out before the next starts, so memory stays near one window.
WINDOW = 8 * MB
MAX_IN_FLIGHT = 64
# The host key algorithms that present each kind of known key.
KEY_ALGORITHMS = {
    "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
    "rsa-sha2-256": ["rsa-sha2-256"],
    "rsa-sha2-512": ["rsa-sha2-512"],
}


@dataclass(frozen=True)
class Credentials:
    password: str | None = None
    private_key: str | None = None
    passphrase: str | None = None


def read_credentials(raw: str, secret: str, redactor: Redactor) -> Credentials:
    """The secret: a bare password, or JSON with ``password`` or ``private_key``."""
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    if isinstance(value, str):
        redactor.add_secret(value)
        return Credentials(password=value)
    if not isinstance(value, dict) or not (value.get("password") or value.get("private_key")):
        raise ConfigError("must hold a password or a private_key", field=f"secret {secret!r}")
    for name in ("password", "private_key", "passphrase"):
        redactor.add_secret(value.get(name))
    return Credentials(value.get("password"), value.get("private_key"), value.get("passphrase"))


def fingerprint(key_blob: bytes) -> str:
    """OpenSSH's SHA256 fingerprint of a public key, as `ssh-keygen -lf` shows it."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(key_blob).digest()).decode().rstrip("=")


def _known(settings: SftpSettings) -> set[tuple[str, str]]:
    return {tuple(line.split()[:2]) for line in settings.host_keys}  # type: ignore[misc]


def check_host_key(
    settings: SftpSettings, source: str, key_type: str, key_base64: str, environment: str
) -> None:
    """Refuse a server whose key the contract does not list (unless it opts out, not in prod)."""
    if (key_type, key_base64) in _known(settings):
        return
    shown = f"{key_type} {fingerprint(base64.b64decode(key_base64))}"
    if settings.allow_unknown_host_key and environment != "prod":
        logger.warning("accepting an unverified SFTP host key", extra={"key": shown})
        return
    reason = (
        "allow_unknown_host_key is refused in prod"
        if settings.allow_unknown_host_key
        else "add its key line to sftp.host_keys once you have verified it"
    )
    raise HostKeyError(
        f"{settings.host}:{settings.port} presented host key {shown}, which the contract does not "
        f"list; {reason}",
        source=source,
    )


def _private_key(credentials: Credentials) -> Any:
    import paramiko

    text = credentials.private_key or ""
    for kind in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return kind.from_private_key(io.StringIO(text), password=credentials.passphrase)
        except (paramiko.SSHException, ValueError):
            continue
    raise ConfigError("private_key is not an Ed25519, ECDSA or RSA key paramiko can read")


@contextmanager
def connect(
    settings: SftpSettings, credentials: Credentials, source: str, environment: str
) -> Iterator[Any]:
    """An open ``paramiko.SFTPClient``; the connection is closed afterwards."""
    import paramiko

    try:
        sock = socket.create_connection((settings.host, settings.port), settings.timeout_seconds)
    except OSError as exc:
        raise SftpError(
            f"cannot reach {settings.host}:{settings.port}: {exc}", source=source
        ) from exc
    transport = paramiko.Transport(sock)
    try:
        transport.banner_timeout = transport.auth_timeout = settings.timeout_seconds
        algorithms = [
            name
            for key_type, _ in sorted(_known(settings))
            for name in KEY_ALGORITHMS.get(key_type, [key_type])
        ]
        if algorithms:  # ask the server for a key of a kind we know
            options = transport.get_security_options()
            supported = set(options.key_types)
            options.key_types = [name for name in algorithms if name in supported] or list(
                supported
            )
        transport.start_client(timeout=settings.timeout_seconds)
        key = transport.get_remote_server_key()
        check_host_key(settings, source, key.get_name(), key.get_base64(), environment)
        _authenticate(transport, settings, credentials, source)
        client = paramiko.SFTPClient.from_transport(transport)
        if client is None:
            raise SftpError("the server refused the sftp subsystem", source=source)
        client.get_channel().settimeout(settings.timeout_seconds)
        yield client
    except paramiko.SSHException as exc:
        raise SftpError(f"{settings.host}:{settings.port}: {exc}", source=source) from exc
    finally:
        transport.close()


def _authenticate(
    transport: Any, settings: SftpSettings, credentials: Credentials, source: str
) -> None:
    import paramiko

    try:
        if credentials.private_key:
            transport.auth_publickey(settings.username, _private_key(credentials))
        else:
            transport.auth_password(settings.username, credentials.password or "")
    except paramiko.AuthenticationException:
        raise SftpError(
            f"{settings.host}:{settings.port} refused the credentials of {settings.username!r}",
            source=source,
        ) from None


def transfer_errors() -> tuple[type[BaseException], ...]:
    """What a broken transfer raises: the socket, the SSH layer or the SFTP layer."""
    import paramiko

    return (OSError, EOFError, paramiko.SSHException)


class ShortReadError(EOFError):
    """The server sent fewer bytes than the listed size: the file shrank, or the link broke (a
    fresh stat of the file tells which)."""


def download(remote: Any, size: int, target: IO[bytes], label: str = "") -> tuple[int, str]:
    """Stream an open remote file into ``target``; returns (bytes written, SHA-256 hex).

    A failed local write (a full disk) raises :class:`LocalWriteError`, so that it is not taken
    for a broken transfer; a short answer from the server raises :class:`ShortReadError`."""
    digest = hashlib.sha256()
    with progress.bytes_task(f"sftp:{id(target)}", label or "download", size) as step:
        offset = _stream(remote, size, target, digest, step)
    with _local_write():  # a buffered write that fails must fail here, not on close
        target.flush()
    return offset, digest.hexdigest()


def _stream(
    remote: Any, size: int, target: IO[bytes], digest: Any, step: Callable[[float], None]
) -> int:
    offset = 0
    while offset < size:
        length = min(WINDOW, size - offset)
        for data in remote.readv(
            [(offset, length)], max_concurrent_prefetch_requests=MAX_IN_FLIGHT
        ):
            if len(data) != length:
                raise ShortReadError(
                    f"short read at offset {offset}: {len(data)} of {length} bytes"
                )
            digest.update(data)
            with _local_write():
                target.write(data)
        offset += length
        step(length)
    return offset


@contextmanager
def _local_write() -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise LocalWriteError(f"cannot write the local copy: {exc.strerror or exc}") from exc
