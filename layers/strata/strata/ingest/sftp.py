"""SFTP ingestion: files matching the contract's globs land in raw, byte for byte, each once.

Per file: skip it when it changed within ``settle_seconds`` (maybe still being written) or when
the ledger knows it (path + size + mtime, or its SHA-256); claim it in the ledger; stream it to
a temporary file (bounded memory) while hashing; check the byte count and that the remote file
did not change meanwhile; upload it to raw (multipart for large files); check the stored size;
queue it for conversion; mark it landed; then archive or delete it remotely if asked.

A transfer that fails (a dropped connection) releases the claim and records nothing, so the
next run lands the file whole; the run then fails, files landed before it stay landed.
"""

from __future__ import annotations

import fnmatch
import posixpath
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from strata.contracts.ingestion import SftpSettings
from strata.contracts.model import SourceContract
from strata.errors import ConfigError
from strata.ingest.exceptions import SftpError
from strata.ingest.http import Deadline
from strata.ingest.ledger import Claim, claim, landed_pk, mark_landed, release
from strata.ingest.raw import new_run_id, queue_for_conversion, raw_key, raw_metadata
from strata.ingest.redact import Redactor
from strata.ingest.sftp_client import connect, download, read_credentials, transfer_errors
from strata.observability import logger
from strata.runtime import Context

# A claim older than this belongs to a run that died mid-transfer: the next run takes it over.
CLAIM_EXPIRY = timedelta(minutes=20)


@dataclass(frozen=True)
class RemoteFile:
    path: str  # absolute on the server
    relative: str  # to the contract's path: what the globs match
    size: int
    mtime: int


@dataclass
class SftpRunResult:
    source: str
    run_id: str
    status: str = "running"
    landed: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0  # already landed
    waiting: list[str] = field(default_factory=list)  # not settled, or left for the next run
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "run_id": self.run_id,
            "status": self.status,
            "files_landed": len(self.landed),
            "files_skipped": self.skipped,
            "files_waiting": len(self.waiting),
            "bytes": sum(item["size"] for item in self.landed),
            "raw_keys": [item["raw_key"] for item in self.landed],
            **({"error": self.error} if self.error else {}),
        }


def ingest_sftp(
    ctx: Context,
    source: str,
    *,
    budget_seconds: float | None = None,
    now: datetime | None = None,
) -> SftpRunResult:
    contract = ctx.project.contract(source)
    if contract.sftp is None:
        raise ConfigError(f"kind {contract.kind!r}, not sftp", file=f"sources/{source}.yaml")
    settings = contract.sftp
    budget = float(settings.time_budget_seconds)
    if budget_seconds is not None:
        budget = min(budget, budget_seconds)
    run = SftpRun(ctx, contract, Deadline(budget), now or datetime.now(UTC))
    return run.execute()


class SftpRun:
    def __init__(
        self, ctx: Context, contract: SourceContract, deadline: Deadline, now: datetime
    ) -> None:
        self.ctx = ctx
        self.contract = contract
        self.settings: SftpSettings = contract.sftp  # type: ignore[assignment]
        self.deadline = deadline
        self.now = now
        self.redactor = Redactor()
        self.result = SftpRunResult(source=contract.name, run_id=new_run_id(now))

    @property
    def source(self) -> str:
        return self.contract.name

    def execute(self) -> SftpRunResult:
        raw_secret = self.ctx.ports.secrets.get(self.settings.secret)
        credentials = read_credentials(raw_secret, self.settings.secret, self.redactor)
        try:
            with connect(
                self.settings, credentials, self.source, self.ctx.settings.environment
            ) as sftp:
                for remote in self._candidates(sftp):
                    if not self._may_continue(remote):
                        break
                    self._ingest(sftp, remote)
        except Exception as exc:
            self.result.status = "failed"
            self.result.error = f"{type(exc).__name__}: {self.redactor.text(str(exc))}"
            raise
        self.result.status = "completed"
        return self.result

    def _may_continue(self, remote: RemoteFile) -> bool:
        if len(self.result.landed) >= self.settings.max_files:
            reason = f"max_files={self.settings.max_files} reached"
        elif self.deadline.remaining() <= 0:
            reason = "time budget spent"
        else:
            return True
        logger.info("leaving files for the next run", extra={"reason": reason})
        return False

    # -- listing -------------------------------------------------------------------------

    def _candidates(self, sftp: Any) -> list[RemoteFile]:
        root = self._remote_root(sftp)
        archive = (
            posixpath.normpath(posixpath.join(root, self.settings.archive_path))
            if self.settings.archive_path
            else None
        )
        found = [f for f in self._walk(sftp, root, root, archive) if self._wanted(f.relative)]
        return sorted(found, key=lambda f: (f.mtime, f.path))  # oldest deliveries first

    def _remote_root(self, sftp: Any) -> str:
        try:
            return sftp.normalize(self.settings.path)
        except OSError as exc:
            raise SftpError(
                f"remote path {self.settings.path!r}: {exc}", source=self.source
            ) from exc

    def _walk(self, sftp: Any, folder: str, root: str, archive: str | None) -> list[RemoteFile]:
        files = []
        for entry in sftp.listdir_attr(folder):
            path = posixpath.join(folder, entry.filename)
            mode = entry.st_mode or 0
            if stat.S_ISDIR(mode):
                if self.settings.recursive and path != archive:
                    files += self._walk(sftp, path, root, archive)
            elif stat.S_ISREG(mode):
                relative = posixpath.relpath(path, root)
                files.append(RemoteFile(path, relative, entry.st_size or 0, entry.st_mtime or 0))
        return files

    def _wanted(self, relative: str) -> bool:
        def matches(patterns: list[str]) -> bool:
            return any(fnmatch.fnmatchcase(relative, pattern) for pattern in patterns)

        return matches(self.settings.include) and not matches(self.settings.exclude)

    # -- one file ------------------------------------------------------------------------

    def _ingest(self, sftp: Any, remote: RemoteFile) -> None:
        age = self.now.timestamp() - remote.mtime
        if age < self.settings.settle_seconds:
            self.result.waiting.append(remote.path)
            return
        if self.settings.detect_changes == "checksum":
            self._ingest_by_checksum(sftp, remote)
            return
        ledger_key = f"{remote.path}#{remote.size}#{remote.mtime}"
        taken = self._claim(ledger_key, remote)
        if taken is None:
            self.result.skipped += 1
            return
        with tempfile.TemporaryDirectory(prefix="strata-sftp-") as workdir:
            local = Path(workdir) / "download"
            try:
                digest = self._fetch(sftp, remote, local)
            except BaseException:
                release(self.ctx.ports.state, taken)
                raise
            if digest is None:  # changed while being read: next run
                release(self.ctx.ports.state, taken)
                self.result.waiting.append(remote.path)
                return
            self._land(sftp, remote, local, digest, taken)

    def _ingest_by_checksum(self, sftp: Any, remote: RemoteFile) -> None:
        with tempfile.TemporaryDirectory(prefix="strata-sftp-") as workdir:
            local = Path(workdir) / "download"
            digest = self._fetch(sftp, remote, local)
            if digest is None:
                self.result.waiting.append(remote.path)
                return
            taken = self._claim(f"sha256:{digest}", remote)
            if taken is None:
                self.result.skipped += 1
                return
            self._land(sftp, remote, local, digest, taken)

    def _claim(self, ledger_key: str, remote: RemoteFile) -> Claim | None:
        """Claim a file; the claim fixes its raw key, so a retried landing reuses it."""
        file_run = new_run_id(self.now)
        return claim(
            self.ctx.ports.state,
            landed_pk(self.source),
            ledger_key,
            raw_key=raw_key(self.source, self.now, file_run, posixpath.basename(remote.path)),
            run_id=file_run,
            now=self.now,
            expiry=CLAIM_EXPIRY,
        )

    def _fetch(self, sftp: Any, remote: RemoteFile, local: Path) -> str | None:
        """Download; the SHA-256, or None when the file changed while it was read."""
        try:
            with sftp.open(remote.path, "rb") as handle, local.open("wb") as target:
                written, digest = download(handle, remote.size, target)
            after = sftp.stat(remote.path)
        except transfer_errors() as exc:
            raise SftpError(
                f"transfer of {remote.path} failed: {type(exc).__name__}: {exc}", source=self.source
            ) from exc
        if written != remote.size or (after.st_size, after.st_mtime) != (remote.size, remote.mtime):
            logger.info("file changed while downloading", extra={"path": remote.path})
            return None
        return digest

    def _land(self, sftp: Any, remote: RemoteFile, local: Path, digest: str, taken: Claim) -> None:
        state, raw = self.ctx.ports.state, self.ctx.ports.raw
        key = taken.raw_key
        metadata = raw_metadata(
            source=self.source,
            run_id=taken.run_id,
            received_at=self.now,
            sha256=digest,
            size=remote.size,
            origin=f"sftp://{self.settings.host}:{self.settings.port}{remote.path}",
        )
        try:
            stored = raw.put_file(key, local, metadata)
            if stored.size != remote.size:
                raise SftpError(
                    f"{key}: stored {stored.size} bytes, expected {remote.size}", source=self.source
                )
            queue_for_conversion(state, self.source, key, self.now)
        except BaseException:
            release(state, taken)
            raise
        mark_landed(state, taken, self.now, sha256=digest, size=remote.size, remote=remote.path)
        self.result.landed.append(
            {"remote_path": remote.path, "raw_key": key, "size": remote.size, "sha256": digest}
        )
        logger.info(
            "file landed", extra={"path": remote.path, "raw_key": key, "bytes": remote.size}
        )
        self._after_success(sftp, remote)

    def _after_success(self, sftp: Any, remote: RemoteFile) -> None:
        action = self.settings.after_success
        if action == "keep":
            return
        try:
            if action == "delete":
                sftp.remove(remote.path)
            else:
                root = sftp.normalize(self.settings.path)
                folder = posixpath.join(root, self.settings.archive_path or "")
                sftp.posix_rename(
                    remote.path, posixpath.join(folder, posixpath.basename(remote.path))
                )
        except OSError as exc:  # landed and recorded already: the ledger prevents a re-landing
            logger.warning(
                f"could not {action} a landed file", extra={"path": remote.path, "error": str(exc)}
            )
