"""SFTP ingestion: files matching the contract's globs land in raw, byte for byte, each once.

Listing: a file is a candidate once it was last modified ``settle_seconds`` ago, its done marker
exists (``done_marker``), and, with ``stable_listing_seconds``, a second listing that much later
shows the same size and mtime.

Per candidate: with ``detect_changes: stat`` skip it when the ledger knows its path + size +
mtime (landed: "already landed"; claimed by a run still landing it: "in flight"), else claim
that; stream it to a scratch folder (bounded memory) while hashing; check that the remote file
did not change meanwhile; claim its SHA-256, so that bytes landed before (under another name or
date) are recorded as a duplicate instead of landing twice; upload it to raw (multipart for
large files); check the stored size; queue it for conversion; mark it landed; then archive or
delete it (and its marker) remotely if asked.

A file that cannot be landed, and what the run does:
- it changed, shrank or vanished after the listing: left for the next run (``waiting``, with
  the reason); the run goes on with the others.
- the scratch disk or the raw store refused a write (a full disk): ``failed``, with the cause;
  its claim is released so the next run fetches it again; the run goes on and ends ``failed``.
- the connection broke: its claim is released and the run stops with an error; the files
  landed before stay landed.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import stat
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from strata.contracts.ingestion import SftpSettings
from strata.contracts.model import SourceContract
from strata.errors import ConfigError, StorageError
from strata.ingest.exceptions import (
    LocalWriteError,
    RemoteFileChangedError,
    SftpError,
    StorageFailedError,
)
from strata.ingest.http import Deadline
from strata.ingest.ledger import Claim, claim, landed_pk, mark_landed, release
from strata.ingest.raw import queue_for_conversion, raw_metadata
from strata.ingest.redact import Redactor
from strata.ingest.sftp_client import connect, download, read_credentials, transfer_errors
from strata.lake.keys import new_run_id, raw_key
from strata.observability import logger
from strata.runtime import Context
from strata.scratch import scratch_dir, sweep

# A claim whose owner is dead is taken over at once; where its liveness cannot be told (another
# Lambda), one older than this belongs to a run that died mid-transfer.
CLAIM_EXPIRY = timedelta(minutes=20)


@dataclass(frozen=True)
class RemoteFile:
    path: str  # absolute on the server
    relative: str  # to the contract's path: what the globs match
    size: int
    mtime: int

    @property
    def stat_key(self) -> str:
        """Its ledger key with ``detect_changes: stat``."""
        return f"{self.path}#{self.size}#{self.mtime}"


@dataclass
class SftpRunResult:
    source: str
    run_id: str
    status: str = "running"
    landed: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0  # already landed: the same path, and the same bytes
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # bytes landed under another
    in_flight: list[dict[str, Any]] = field(default_factory=list)  # another run is landing it
    waiting: list[dict[str, Any]] = field(default_factory=list)  # left for the next run
    failed: list[dict[str, Any]] = field(default_factory=list)  # could not be stored: retried
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "run_id": self.run_id,
            "status": self.status,
            "files_landed": len(self.landed),
            "files_skipped": self.skipped,
            "files_duplicate": len(self.duplicates),
            "files_in_flight": len(self.in_flight),
            "files_waiting": len(self.waiting),
            "files_failed": len(self.failed),
            "bytes": sum(item["size"] for item in self.landed),
            "raw_keys": [item["raw_key"] for item in self.landed],
            "duplicates": self.duplicates,
            "in_flight": self.in_flight,
            "waiting": self.waiting,
            "failed": self.failed,
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


def wait_between_listings(seconds: float) -> None:
    """The pause between the two listings of ``stable_listing_seconds`` (tests replace it)."""
    time.sleep(seconds)


class SftpRun:
    def __init__(
        self, ctx: Context, contract: SourceContract, deadline: Deadline, now: datetime
    ) -> None:
        self.ctx = ctx
        self.contract = contract
        self.settings: SftpSettings = contract.sftp  # type: ignore[assignment]
        self.deadline = deadline
        self.now = now
        self._started = time.monotonic()
        self.redactor = Redactor()
        self.result = SftpRunResult(source=contract.name, run_id=new_run_id(now))
        self.pk = landed_pk(contract.name)

    @property
    def source(self) -> str:
        return self.contract.name

    def _clock(self) -> datetime:
        """The time now, on the run's clock: files landed one after another get increasing
        received times (``_ingested_at``), so the latest delivery is the latest received."""
        return self.now + timedelta(seconds=time.monotonic() - self._started)

    def execute(self) -> SftpRunResult:
        sweep()  # the scratch folders of runs that were killed
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
        self._finish()
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

    def _finish(self) -> None:
        failed = self.result.failed
        self.result.status = "failed" if failed else "completed"
        if failed:
            more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
            self.result.error = (
                f"{len(failed)} file(s) could not be stored, the next run retries: "
                f"{failed[0]['remote_path']}: {failed[0]['error']}{more}"
            )

    def _wait(self, remote: RemoteFile, reason: str) -> None:
        self.result.waiting.append({"remote_path": remote.path, "reason": reason})

    # -- listing -------------------------------------------------------------------------

    def _candidates(self, sftp: Any) -> list[RemoteFile]:
        """The files ready to fetch, oldest deliveries first; the others are ``waiting``."""
        listing = self._list(sftp)
        found = [
            f for f in listing.values() if self._wanted(f.relative) and self._ready(f, listing)
        ]
        seconds = self.settings.stable_listing_seconds
        if seconds and any(self._unknown(f) for f in found):
            wait_between_listings(seconds)
            again = self._list(sftp)
            found = [f for f in found if self._unchanged(f, again.get(f.path), seconds)]
        return sorted(found, key=lambda f: (f.mtime, f.path))

    def _list(self, sftp: Any) -> dict[str, RemoteFile]:
        root = self._remote_root(sftp)
        archive = (
            posixpath.normpath(posixpath.join(root, self.settings.archive_path))
            if self.settings.archive_path
            else None
        )
        return {f.path: f for f in self._walk(sftp, root, root, archive)}

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

        marker = self.settings.done_marker
        if marker and _marker_pattern(marker).fullmatch(posixpath.basename(relative)):
            return False  # a marker is a signal, never data
        return matches(self.settings.include) and not matches(self.settings.exclude)

    def _ready(self, remote: RemoteFile, listing: dict[str, RemoteFile]) -> bool:
        """Whether the writer is done with it, by its marker and its age."""
        template = self.settings.done_marker
        marker = marker_path(template, remote.path) if template else None
        if marker and marker not in listing:
            self._wait(remote, f"no done marker {posixpath.basename(marker)} yet")
            return False
        age = self.now.timestamp() - remote.mtime
        if age < self.settings.settle_seconds:
            self._wait(
                remote,
                f"modified {max(age, 0):.0f} s ago, settle_seconds={self.settings.settle_seconds}",
            )
            return False
        return True

    def _unknown(self, remote: RemoteFile) -> bool:
        """Whether it would be downloaded (only such files are worth a second listing)."""
        if self.settings.detect_changes == "checksum":
            return True
        return self.ctx.ports.state.get(self.pk, remote.stat_key) is None

    def _unchanged(self, remote: RemoteFile, later: RemoteFile | None, seconds: int) -> bool:
        if later is None:
            self._wait(remote, "removed after it was listed")
            return False
        if (later.size, later.mtime) != (remote.size, remote.mtime):
            self._wait(
                remote, f"still changing: {remote.size} then {later.size} bytes {seconds} s apart"
            )
            return False
        return True

    # -- one file ------------------------------------------------------------------------

    def _ingest(self, sftp: Any, remote: RemoteFile) -> None:
        held = None
        if self.settings.detect_changes == "stat":
            held = self._claim(remote.stat_key, remote)
            if held is None:
                self._report_taken(remote, self.ctx.ports.state.get(self.pk, remote.stat_key))
                return
        try:
            with scratch_dir("sftp") as folder:
                local = folder / "download"
                digest = self._fetch(sftp, remote, local)
                stored = self._land(remote, local, digest, held)
        except RemoteFileChangedError as exc:
            self._release(held)
            logger.info("left for the next run", extra={"path": remote.path, "reason": str(exc)})
            self._wait(remote, _reason(exc))
            return
        except StorageFailedError as exc:
            self._release(held)
            logger.warning("file not stored", extra={"path": remote.path, "error": str(exc)})
            self.result.failed.append({"remote_path": remote.path, "error": _reason(exc)})
            return
        except BaseException:
            self._release(held)
            raise
        if stored:
            self._after_success(sftp, remote)

    def _claim(self, key: str, remote: RemoteFile, like: Claim | None = None) -> Claim | None:
        """Claim a ledger key; the claim fixes the raw key (``like``'s, when given), so a
        retried landing reuses it."""
        now = self._clock()
        file_run = like.run_id if like else new_run_id(now)
        target = like.raw_key if like else None
        return claim(
            self.ctx.ports.state,
            self.pk,
            key,
            raw_key=target or raw_key(self.source, now, file_run, posixpath.basename(remote.path)),
            run_id=file_run,
            now=now,
            expiry=CLAIM_EXPIRY,
            extra={"ingest_run_id": self.result.run_id},
            liveness=self.ctx.ports.liveness,
        )

    def _release(self, held: Claim | None) -> None:
        if held is not None:
            release(self.ctx.ports.state, held)

    def _report_taken(self, remote: RemoteFile, record: dict[str, Any] | None) -> None:
        """A claim that was refused: landed already, or being landed by another run."""
        if record and record.get("status") == "landed":
            self.result.skipped += 1
            return
        record = record or {}
        self.result.in_flight.append(
            {
                "remote_path": remote.path,
                "run_id": record.get("ingest_run_id") or record.get("run_id"),
                "since": record.get("at"),
            }
        )

    def _fetch(self, sftp: Any, remote: RemoteFile, local: Path) -> str:
        """Download; the SHA-256. Raises RemoteFileChangedError when the file changed, shrank
        or vanished, StorageFailedError when the local copy cannot be written."""
        try:
            target = local.open("wb")
        except OSError as exc:
            raise self._storage_failed(remote, f"cannot write the local copy: {exc}") from exc
        with target:
            try:
                with sftp.open(remote.path, "rb") as handle:
                    _, digest = download(
                        handle, remote.size, target, posixpath.basename(remote.path)
                    )
                after = sftp.stat(remote.path)
            except LocalWriteError as exc:
                raise self._storage_failed(remote, str(exc)) from exc
            except FileNotFoundError as exc:
                raise self._changed(remote, "removed after it was listed") from exc
            except transfer_errors() as exc:
                raise self._changed_or_broken(sftp, remote, exc) from exc
        if (after.st_size, after.st_mtime) != (remote.size, remote.mtime):
            raise self._changed(remote, "changed while it was downloading")
        return digest

    def _changed_or_broken(self, sftp: Any, remote: RemoteFile, exc: BaseException) -> Exception:
        """A transfer stopped: the file changed (a fresh stat shows it), or the link broke."""
        try:
            now = sftp.stat(remote.path)
        except FileNotFoundError:
            return self._changed(remote, "removed while it was downloading")
        except transfer_errors():
            now = None
        if now is not None and (now.st_size, now.st_mtime) != (remote.size, remote.mtime):
            return self._changed(
                remote, f"changed while it was downloading ({remote.size} → {now.st_size} bytes)"
            )
        return SftpError(
            f"transfer of {remote.path} failed: {type(exc).__name__}: {exc}", source=self.source
        )

    def _changed(self, remote: RemoteFile, reason: str) -> RemoteFileChangedError:
        return RemoteFileChangedError(reason, source=self.source, path=remote.path)

    def _storage_failed(self, remote: RemoteFile, reason: str) -> StorageFailedError:
        return StorageFailedError(reason, source=self.source, path=remote.path)

    def _land(self, remote: RemoteFile, local: Path, digest: str, held: Claim | None) -> bool:
        """Land the download unless its bytes were landed already; True when they are in raw
        (landed now or before), False when another run is landing them right now."""
        content = self._claim(f"sha256:{digest}", remote, like=held)
        if content is None:
            return self._seen_before(remote, digest, held)
        try:
            self._store(remote, local, digest, content)
        except BaseException:
            release(self.ctx.ports.state, content)
            raise
        details = {"sha256": digest, "size": remote.size, "remote": remote.path}
        for record in (content, held):
            if record is not None:
                landed = replace(record, raw_key=content.raw_key)
                mark_landed(self.ctx.ports.state, landed, self._clock(), **details)
        self.result.landed.append(
            {
                "remote_path": remote.path,
                "raw_key": content.raw_key,
                "size": remote.size,
                "sha256": digest,
            }
        )
        logger.info(
            "file landed",
            extra={"path": remote.path, "raw_key": content.raw_key, "bytes": remote.size},
        )
        return True

    def _seen_before(self, remote: RemoteFile, digest: str, held: Claim | None) -> bool:
        """Its bytes have a ledger record: landed (record the file so the next run skips it
        without a download), or being landed by another run (leave it to that run)."""
        state = self.ctx.ports.state
        record = state.get(self.pk, f"sha256:{digest}")
        if not record or record.get("status") != "landed":
            self._release(held)
            self._report_taken(remote, record)
            return False
        first = record.get("raw_key")
        if held is not None:
            mark_landed(
                state,
                replace(held, raw_key=first),
                self._clock(),
                sha256=digest,
                size=remote.size,
                remote=remote.path,
                duplicate_of=first,
            )
        if record.get("remote") == remote.path:
            self.result.skipped += 1
        else:
            self.result.duplicates.append({"remote_path": remote.path, "duplicate_of": first})
            logger.info("duplicate not landed", extra={"path": remote.path, "raw_key": first})
        return True

    def _store(self, remote: RemoteFile, local: Path, digest: str, taken: Claim) -> None:
        received = self._clock()
        metadata = raw_metadata(
            source=self.source,
            run_id=taken.run_id,
            received_at=received,
            sha256=digest,
            size=remote.size,
            origin=f"sftp://{self.settings.host}:{self.settings.port}{remote.path}",
        )
        try:
            stored = self.ctx.ports.raw.put_file(taken.raw_key, local, metadata)
        except (OSError, StorageError) as exc:
            raise self._storage_failed(remote, f"cannot store it in raw: {exc}") from exc
        if stored.size != remote.size:
            raise self._storage_failed(
                remote, f"raw holds {stored.size} bytes of {remote.size} at {taken.raw_key}"
            )
        queue_for_conversion(self.ctx.ports.state, self.source, taken.raw_key, received)

    def _after_success(self, sftp: Any, remote: RemoteFile) -> None:
        """Delete or archive a landed file, and its done marker (a marker left behind would
        let a later delivery under the same name land before it is complete)."""
        action = self.settings.after_success
        if action == "keep":
            return
        paths = [remote.path]
        if self.settings.done_marker:
            paths.append(marker_path(self.settings.done_marker, remote.path))
        for path in paths:
            try:
                if action == "delete":
                    sftp.remove(path)
                else:
                    root = sftp.normalize(self.settings.path)
                    folder = posixpath.join(root, self.settings.archive_path or "")
                    sftp.posix_rename(path, posixpath.join(folder, posixpath.basename(path)))
            except OSError as exc:  # landed and recorded already: the ledger prevents a re-landing
                logger.warning(
                    f"could not {action} a landed file", extra={"path": path, "error": str(exc)}
                )


def marker_path(template: str, path: str) -> str:
    """The done marker of a remote file: ``{name}`` is its name, ``{stem}`` that without its
    last extension; the marker sits in the same folder."""
    name = posixpath.basename(path)
    marker = template.replace("{name}", name).replace("{stem}", posixpath.splitext(name)[0])
    return posixpath.join(posixpath.dirname(path), marker)


@cache
def _marker_pattern(template: str) -> re.Pattern[str]:
    """What any file's marker looks like: the template with its placeholders as wildcards."""
    parts = re.split(r"\{(?:name|stem)\}", template)
    return re.compile(".+".join(re.escape(part) for part in parts))


def _reason(exc: RemoteFileChangedError | StorageFailedError) -> str:
    """The message without the source and path prefixes (the result names the file)."""
    return str(exc).removeprefix(f"{exc.source}: ").removeprefix(f"{exc.path}: ")
