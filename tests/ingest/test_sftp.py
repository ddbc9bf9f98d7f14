"""SFTP ingestion against a real SFTP server on 127.0.0.1 (asyncssh, started by the tests)."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import asyncssh
import pytest
from conftest import write_contract, write_secrets

from strata.ingest.exceptions import HostKeyError, SftpError
from strata.ingest.sftp import ingest_sftp
from strata.lake.keys import RawKey
from strata.runtime import build_context
from strata.settings import Settings

LATIN1 = "id,name,city\n1,Zoë Dupré,Orléans\n2,Jürgen Weiß,Köln\n".encode("latin-1")
OLD = time.time() - 3600


def unique(label):
    """A file's bytes of its own: equal bytes under two names are one delivery (a duplicate)."""
    return LATIN1 + f"3,{label},Porto\n".encode("latin-1")


def sftp_source(project_dir, server, **sftp):
    settings = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": "partner",
        "secret": "partner_sftp",
        "host_keys": [server.host_key_line],
        "path": "outbox",
        "include": ["*.csv"],
        "settle_seconds": 60,
        **sftp,
    }
    write_contract(
        project_dir,
        "partner",
        kind="sftp",
        format={"type": "csv", "encoding": "latin-1"},
        schema=[
            {"name": "id", "type": "bigint"},
            {"name": "name", "type": "string"},
            {"name": "city", "type": "string"},
        ],
        sftp=settings,
    )
    write_secrets(project_dir, partner_sftp={"password": "demo-password"})


def remote_file(server, relative, data=LATIN1, mtime=OLD):
    path = server.root / "outbox" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


def pending(ctx):
    return sorted(item["raw_key"] for item in ctx.ports.state.query("pending#partner"))


def test_files_land_byte_for_byte_once_and_a_second_run_downloads_nothing(
    ctx, project_dir, sftp_server
):
    remote_file(sftp_server, "customers_1.csv")
    remote_file(sftp_server, "customers_2.csv", LATIN1 + b"3,Ana,Porto\n")
    remote_file(sftp_server, "readme.txt", b"not data")
    sftp_source(project_dir, sftp_server)

    first = ingest_sftp(ctx, "partner")

    assert [f["remote_path"] for f in first.landed] == [
        "/outbox/customers_1.csv",
        "/outbox/customers_2.csv",
    ]
    key = first.landed[0]["raw_key"]
    assert ctx.ports.raw.get_bytes(key) == LATIN1 and RawKey.parse(key).name == "customers_1.csv"
    metadata = ctx.ports.raw.head(key).metadata
    assert metadata["strata-sha256"] == hashlib.sha256(LATIN1).hexdigest()
    assert (
        metadata["strata-origin"] == f"sftp://127.0.0.1:{sftp_server.port}/outbox/customers_1.csv"
    )
    assert pending(ctx) == sorted(f["raw_key"] for f in first.landed)
    opened = len(sftp_server.opened)

    second = ingest_sftp(ctx, "partner")

    assert second.landed == [] and second.skipped == 2
    assert len(sftp_server.opened) == opened  # nothing downloaded
    assert len(pending(ctx)) == 2


def test_files_landed_by_one_run_are_received_in_delivery_order(ctx, project_dir, sftp_server):
    # Models keep a key's latest delivery by `_ingested_at` (the received time): within one run
    # the later delivery must be received later, whatever order its name or raw key sorts in.
    remote_file(sftp_server, "b.csv", unique("first delivered"), mtime=OLD)
    remote_file(sftp_server, "a.csv", unique("then corrected"), mtime=OLD + 60)
    sftp_source(project_dir, sftp_server)

    landed = ingest_sftp(ctx, "partner").landed

    assert [f["remote_path"] for f in landed] == ["/outbox/b.csv", "/outbox/a.csv"]
    first, then = (ctx.ports.raw.head(f["raw_key"]).metadata for f in landed)
    assert first["strata-received-at"] < then["strata-received-at"]


# paramiko's prefetch thread trips over the closed socket in the background: expected here.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_disconnect_mid_transfer_records_nothing_and_the_next_run_lands_it_whole(
    ctx, project_dir, sftp_server
):
    big = os.urandom(3 * 1024 * 1024 + 123)
    remote_file(sftp_server, "big.csv", big)
    sftp_source(project_dir, sftp_server)
    sftp_server.drop_reads_after(1024 * 1024)

    with pytest.raises(SftpError, match=r"transfer of /outbox/big\.csv failed"):
        ingest_sftp(ctx, "partner")

    assert list(ctx.ports.raw.list("partner/")) == []
    assert ctx.ports.state.query("landed#partner") == [] and pending(ctx) == []

    again = ingest_sftp(ctx, "partner")

    (landed,) = again.landed
    assert ctx.ports.raw.get_bytes(landed["raw_key"]) == big
    assert landed["sha256"] == hashlib.sha256(big).hexdigest()
    assert pending(ctx) == [landed["raw_key"]]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_files_landed_before_a_disconnect_stay_landed(ctx, project_dir, sftp_server):
    remote_file(sftp_server, "a.csv", mtime=OLD - 10)
    remote_file(sftp_server, "b.csv", os.urandom(2 * 1024 * 1024))
    sftp_source(project_dir, sftp_server)
    sftp_server.drop_reads_after(1024 * 1024)

    with pytest.raises(SftpError):
        ingest_sftp(ctx, "partner")
    assert len(pending(ctx)) == 1

    again = ingest_sftp(ctx, "partner")
    assert [f["remote_path"] for f in again.landed] == ["/outbox/b.csv"] and again.skipped == 1


def test_an_unknown_host_key_is_refused_with_its_fingerprint(ctx, project_dir, sftp_server):
    other = asyncssh.generate_private_key("ssh-ed25519")
    other_line = " ".join(other.export_public_key("openssh").decode().split()[:2])
    remote_file(sftp_server, "a.csv")
    sftp_source(project_dir, sftp_server, host_keys=[other_line])

    with pytest.raises(HostKeyError, match=r"presented host key ssh-ed25519 SHA256:\S+"):
        ingest_sftp(ctx, "partner")
    assert sftp_server.opened == []


def test_unknown_host_keys_are_accepted_only_when_opted_in_and_never_in_prod(
    ctx, project_dir, sftp_server, tmp_path
):
    remote_file(sftp_server, "a.csv")
    sftp_source(project_dir, sftp_server, host_keys=[], allow_unknown_host_key=True)
    assert len(ingest_sftp(ctx, "partner").landed) == 1

    prod = build_context(
        Settings(project_dir=project_dir, lake_dir=tmp_path / "prod-lake", environment="prod")
    )
    with pytest.raises(HostKeyError, match="refused in prod"):
        ingest_sftp(prod, "partner")


def test_private_key_login(ctx, project_dir, tmp_path):
    from samples.servers.sftp_server import SftpServer

    client_key = asyncssh.generate_private_key("ssh-ed25519")
    root = tmp_path / "remote"
    (root / "outbox").mkdir(parents=True)
    with SftpServer(root, password=None, client_keys=[client_key]) as server:
        remote_file(server, "a.csv")
        sftp_source(project_dir, server)
        pem = client_key.export_private_key("openssh").decode()
        write_secrets(project_dir, partner_sftp={"private_key": pem})

        assert len(ingest_sftp(ctx, "partner").landed) == 1


def test_a_wrong_password_fails_clearly_without_showing_it(ctx, project_dir, sftp_server):
    remote_file(sftp_server, "a.csv")
    sftp_source(project_dir, sftp_server)
    write_secrets(project_dir, partner_sftp="not-the-password")

    with pytest.raises(SftpError, match="refused the credentials of 'partner'") as caught:
        ingest_sftp(ctx, "partner")
    assert "not-the-password" not in str(caught.value)


def test_globs_exclude_and_recursion(ctx, project_dir, sftp_server):
    remote_file(sftp_server, "top.csv", unique("top"))
    remote_file(sftp_server, "2026/11/deep.csv", unique("deep"))
    remote_file(sftp_server, "2026/11/deep_tmp.csv", unique("deep_tmp"))
    sftp_source(project_dir, sftp_server, exclude=["*_tmp.csv"])
    assert [f["remote_path"] for f in ingest_sftp(ctx, "partner").landed] == ["/outbox/top.csv"]

    sftp_source(project_dir, sftp_server, exclude=["*_tmp.csv"], recursive=True)
    ctx._project = None  # the contract changed
    landed = ingest_sftp(ctx, "partner").landed
    assert [f["remote_path"] for f in landed] == ["/outbox/2026/11/deep.csv"]


def test_files_still_being_written_wait_for_the_settle_time(ctx, project_dir, sftp_server):
    path = remote_file(sftp_server, "fresh.csv", mtime=time.time())
    sftp_source(project_dir, sftp_server)

    first = ingest_sftp(ctx, "partner")
    assert first.landed == [] and [w["remote_path"] for w in first.waiting] == ["/outbox/fresh.csv"]
    assert "settle_seconds=60" in first.waiting[0]["reason"]

    os.utime(path, (OLD, OLD))
    assert len(ingest_sftp(ctx, "partner").landed) == 1


def test_a_file_rewritten_under_the_same_name_lands_again(ctx, project_dir, sftp_server):
    remote_file(sftp_server, "daily.csv")
    sftp_source(project_dir, sftp_server)
    ingest_sftp(ctx, "partner")

    remote_file(sftp_server, "daily.csv", LATIN1 + b"3,Ana,Porto\n", mtime=OLD + 60)

    assert len(ingest_sftp(ctx, "partner").landed) == 1 and len(pending(ctx)) == 2


def test_checksum_mode_skips_the_same_bytes_under_a_new_date(ctx, project_dir, sftp_server):
    remote_file(sftp_server, "daily.csv")
    sftp_source(project_dir, sftp_server, detect_changes="checksum")
    ingest_sftp(ctx, "partner")

    remote_file(sftp_server, "daily.csv", mtime=OLD + 60)  # touched, same bytes
    again = ingest_sftp(ctx, "partner")
    assert again.landed == [] and again.skipped == 1

    remote_file(sftp_server, "daily.csv", LATIN1 + b"3,Ana,Porto\n", mtime=OLD + 120)
    assert len(ingest_sftp(ctx, "partner").landed) == 1


def test_landed_files_can_be_deleted_or_archived(ctx, project_dir, sftp_server):
    (sftp_server.root / "outbox" / "done").mkdir()
    remote_file(sftp_server, "a.csv")
    sftp_source(
        project_dir, sftp_server, after_success="archive", archive_path="done", recursive=True
    )
    assert len(ingest_sftp(ctx, "partner").landed) == 1
    assert (sftp_server.root / "outbox" / "done" / "a.csv").read_bytes() == LATIN1
    assert not (sftp_server.root / "outbox" / "a.csv").exists()
    assert ingest_sftp(ctx, "partner").landed == []  # the archive is not scanned

    remote_file(sftp_server, "b.csv", unique("b"))
    sftp_source(project_dir, sftp_server, after_success="delete")
    ctx._project = None
    assert len(ingest_sftp(ctx, "partner").landed) == 1
    assert not (sftp_server.root / "outbox" / "b.csv").exists()


def test_max_files_leaves_the_rest_for_the_next_run(ctx, project_dir, sftp_server):
    for index in range(3):
        remote_file(sftp_server, f"f{index}.csv", unique(index), mtime=OLD + index)
    sftp_source(project_dir, sftp_server, max_files=2)

    assert [f["remote_path"] for f in ingest_sftp(ctx, "partner").landed] == [
        "/outbox/f0.csv",
        "/outbox/f1.csv",
    ]
    assert [f["remote_path"] for f in ingest_sftp(ctx, "partner").landed] == ["/outbox/f2.csv"]


def test_an_unreachable_server_fails_clearly(ctx, project_dir, sftp_server):
    sftp_source(project_dir, sftp_server, timeout_seconds=2)
    sftp_server.stop()

    with pytest.raises(SftpError, match=r"cannot reach 127\.0\.0\.1"):
        ingest_sftp(ctx, "partner")


def test_downloads_stream_in_bounded_memory(sftp_server, tmp_path, monkeypatch):
    import tracemalloc

    import strata.ingest.sftp_client as client
    from strata.contracts.ingestion import SftpSettings

    size = 24 * 1024 * 1024
    remote_file(sftp_server, "big.bin", os.urandom(size))
    monkeypatch.setattr(client, "WINDOW", 1024 * 1024)
    settings = SftpSettings(
        host="127.0.0.1",
        port=sftp_server.port,
        username="partner",
        secret="unused",
        host_keys=[sftp_server.host_key_line],
    )
    credentials = client.Credentials(password="demo-password")
    with client.connect(settings, credentials, "partner", "dev") as sftp:
        tracemalloc.start()
        try:
            with sftp.open("/outbox/big.bin", "rb") as remote, (tmp_path / "out").open("wb") as out:
                written, _ = client.download(remote, size, out)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert written == size
    assert peak < 8 * 1024 * 1024  # a few windows (this includes the server's own buffers)


# -- faults: a run killed or racing, a writer not done, re-deliveries, files that change, full disks


def test_a_file_another_run_is_landing_is_reported_in_flight_with_that_run(
    ctx, project_dir, sftp_server
):
    big = unique("big") + os.urandom(512 * 1024)
    remote_file(sftp_server, "big.csv", big)
    sftp_source(project_dir, sftp_server)
    stalled, resume = threading.Event(), threading.Event()
    sftp_server.after_reading(64 * 1024, lambda: (stalled.set(), resume.wait(30)))
    first: list = []
    thread = threading.Thread(target=lambda: first.append(ingest_sftp(ctx, "partner")))
    thread.start()
    try:
        assert stalled.wait(30)

        second = ingest_sftp(ctx, "partner")
    finally:
        resume.set()
        thread.join(30)

    (landing,) = first
    assert second.landed == [] and second.skipped == 0
    assert [(f["remote_path"], f["run_id"]) for f in second.in_flight] == [
        ("/outbox/big.csv", landing.run_id)
    ]
    assert second.summary()["files_in_flight"] == 1
    (landed,) = landing.landed
    assert ctx.ports.raw.get_bytes(landed["raw_key"]) == big


KILLED_RUN = """
import sys
from pathlib import Path
from strata.ingest.sftp import ingest_sftp
from strata.runtime import build_context
from strata.settings import Settings
settings = Settings(project_dir=Path(sys.argv[1]), lake_dir=Path(sys.argv[2]))
ingest_sftp(build_context(settings), "partner")
"""


def test_a_run_killed_mid_download_is_never_counted_as_landed_and_its_scratch_is_swept(
    ctx, project_dir, sftp_server, tmp_path, monkeypatch
):
    big = unique("big") + os.urandom(512 * 1024)
    remote_file(sftp_server, "big.csv", big)
    sftp_source(project_dir, sftp_server)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    stalled, resume = threading.Event(), threading.Event()
    sftp_server.after_reading(64 * 1024, lambda: (stalled.set(), resume.wait(30)))
    env = {**os.environ, "TMPDIR": str(scratch)}
    command = [sys.executable, "-c", KILLED_RUN, str(project_dir), str(tmp_path / "lake")]
    killed = subprocess.Popen(command, env=env)
    try:
        assert stalled.wait(60)
        assert list(scratch.glob("strata-sftp-*"))  # its half download
        killed.send_signal(signal.SIGKILL)
        killed.wait(30)
    finally:
        killed.kill()
        resume.set()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    rerun = ingest_sftp(ctx, "partner")

    assert list(scratch.glob("strata-sftp-*")) == []
    # Nothing of it is in raw, so it is not "already landed": it is in flight (the dead run's
    # claim holds until it is taken over) or, once taken over, landed by this run.
    assert rerun.skipped == 0 and len(rerun.in_flight) + len(rerun.landed) == 1
    assert [o.key for o in ctx.ports.raw.list("partner/")] == rerun.summary()["raw_keys"]
    for flying in rerun.in_flight:
        assert flying["remote_path"] == "/outbox/big.csv" and flying["run_id"] != rerun.run_id


def test_with_a_done_marker_a_file_lands_only_once_its_marker_exists(ctx, project_dir, sftp_server):
    whole = unique("whole")
    remote_file(sftp_server, "a.csv", whole[:30])  # the writer stalled: old mtime, half written
    sftp_source(project_dir, sftp_server, done_marker="{name}.done", after_success="delete")

    first = ingest_sftp(ctx, "partner")

    assert first.landed == [] and first.waiting == [
        {"remote_path": "/outbox/a.csv", "reason": "no done marker a.csv.done yet"}
    ]
    remote_file(sftp_server, "a.csv", whole)
    remote_file(sftp_server, "a.csv.done", b"")

    (landed,) = ingest_sftp(ctx, "partner").landed

    assert ctx.ports.raw.get_bytes(landed["raw_key"]) == whole
    assert list((sftp_server.root / "outbox").iterdir()) == []  # the marker went with its file


def test_a_done_marker_may_replace_the_extension(ctx, project_dir, sftp_server):
    remote_file(sftp_server, "a.csv", unique("a"))
    remote_file(sftp_server, "b.csv", unique("b"))
    remote_file(sftp_server, "b.ok", b"")
    sftp_source(project_dir, sftp_server, include=["*"], done_marker="{stem}.ok")

    result = ingest_sftp(ctx, "partner")

    assert [f["remote_path"] for f in result.landed] == ["/outbox/b.csv"]  # never the marker
    assert [w["remote_path"] for w in result.waiting] == ["/outbox/a.csv"]


def test_a_file_still_growing_between_two_listings_waits_and_lands_whole_later(
    ctx, project_dir, sftp_server, monkeypatch
):
    import strata.ingest.sftp as sftp_module

    whole = unique("whole")
    path = remote_file(sftp_server, "a.csv", whole[:30])  # stalled for longer than settle_seconds
    sftp_source(project_dir, sftp_server, stable_listing_seconds=20)
    waits = []

    def writer_resumes(seconds):
        waits.append(seconds)
        with path.open("ab") as handle:
            handle.write(whole[30:])
        os.utime(path, (OLD + 1, OLD + 1))  # and the next run comes after settle_seconds

    monkeypatch.setattr(sftp_module, "wait_between_listings", writer_resumes)

    first = ingest_sftp(ctx, "partner")

    assert waits == [20] and first.landed == []
    assert first.waiting == [
        {
            "remote_path": "/outbox/a.csv",
            "reason": f"still changing: 30 then {len(whole)} bytes 20 s apart",
        }
    ]
    monkeypatch.setattr(sftp_module, "wait_between_listings", waits.append)
    (landed,) = ingest_sftp(ctx, "partner").landed
    assert ctx.ports.raw.get_bytes(landed["raw_key"]) == whole

    ingest_sftp(ctx, "partner")
    assert waits == [20, 20]  # nothing new: no second listing, no wait


def test_the_same_bytes_under_a_new_date_or_name_are_not_landed_again(
    ctx, project_dir, sftp_server
):
    remote_file(sftp_server, "daily.csv")
    sftp_source(project_dir, sftp_server)
    (first,) = ingest_sftp(ctx, "partner").landed

    remote_file(sftp_server, "daily.csv", mtime=OLD + 60)  # touched: the same bytes
    remote_file(sftp_server, "daily_copy.csv", mtime=OLD + 120)  # re-sent under a new name
    again = ingest_sftp(ctx, "partner")

    assert again.landed == [] and again.skipped == 1
    assert again.duplicates == [
        {"remote_path": "/outbox/daily_copy.csv", "duplicate_of": first["raw_key"]}
    ]
    assert [o.key for o in ctx.ports.raw.list("partner/")] == [first["raw_key"]]
    assert pending(ctx) == [first["raw_key"]]
    opened = len(sftp_server.opened)

    third = ingest_sftp(ctx, "partner")
    assert third.skipped == 2 and third.duplicates == []  # recognised without a download
    assert len(sftp_server.opened) == opened


def test_a_file_that_shrinks_while_downloading_waits_and_the_others_land(
    ctx, project_dir, sftp_server
):
    path = remote_file(sftp_server, "a.csv", unique("a") + os.urandom(512 * 1024), mtime=OLD)
    remote_file(sftp_server, "b.csv", unique("b"), mtime=OLD + 1)
    sftp_source(project_dir, sftp_server)
    sftp_server.after_reading(64 * 1024, lambda: os.truncate(path, 1000))

    result = ingest_sftp(ctx, "partner")

    assert result.status == "completed"
    assert [f["remote_path"] for f in result.landed] == ["/outbox/b.csv"]
    ((waiting, reason),) = [(w["remote_path"], w["reason"]) for w in result.waiting]
    assert waiting == "/outbox/a.csv" and reason.startswith("changed while it was downloading")
    assert [item["remote"] for item in ctx.ports.state.query("landed#partner")] == [
        "/outbox/b.csv"
    ] * 2


def test_a_file_removed_after_the_listing_is_skipped_and_the_others_land(
    ctx, project_dir, sftp_server
):
    remote_file(sftp_server, "a.csv", unique("a") + os.urandom(256 * 1024), mtime=OLD)
    gone = remote_file(sftp_server, "b.csv", unique("b"), mtime=OLD + 1)
    remote_file(sftp_server, "c.csv", unique("c"), mtime=OLD + 2)
    sftp_source(project_dir, sftp_server)
    sftp_server.after_reading(64 * 1024, gone.unlink)  # while a.csv downloads

    result = ingest_sftp(ctx, "partner")

    assert [f["remote_path"] for f in result.landed] == ["/outbox/a.csv", "/outbox/c.csv"]
    assert result.waiting == [
        {"remote_path": "/outbox/b.csv", "reason": "removed after it was listed"}
    ]


class FullDisk:
    """A local file on a disk with ``room`` bytes left: later writes fail as a full disk does."""

    def __init__(self, handle, room):
        self.handle, self.room = handle, room

    def write(self, data):
        self.room -= len(data)
        if self.room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.handle.write(data)

    def flush(self):
        self.handle.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()


def scratch_disk_full(monkeypatch, ctx, room):
    real_open = Path.open

    def open_on_a_full_disk(self, mode="r", *args, **kwargs):
        handle = real_open(self, mode, *args, **kwargs)
        downloading = mode == "wb" and self.parent.name.startswith("strata-sftp-")
        return FullDisk(handle, room) if downloading else handle

    monkeypatch.setattr(Path, "open", open_on_a_full_disk)


def raw_disk_full(monkeypatch, ctx, room):
    real_put = ctx.ports.raw.put_file

    def put_on_a_full_disk(key, path, metadata=None):
        if path.stat().st_size > room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_put(key, path, metadata)

    monkeypatch.setattr(ctx.ports.raw, "put_file", put_on_a_full_disk)


@pytest.mark.parametrize("disk", [scratch_disk_full, raw_disk_full], ids=["scratch", "raw"])
def test_a_full_disk_fails_that_file_clearly_and_the_next_run_lands_it(
    ctx, project_dir, sftp_server, monkeypatch, disk
):
    big = unique("big") + os.urandom(256 * 1024)
    remote_file(sftp_server, "big.csv", big, mtime=OLD)
    remote_file(sftp_server, "small.csv", unique("small"), mtime=OLD + 1)
    sftp_source(project_dir, sftp_server)
    disk(monkeypatch, ctx, room=64 * 1024)

    result = ingest_sftp(ctx, "partner")

    assert [f["remote_path"] for f in result.landed] == ["/outbox/small.csv"]
    ((failed, error),) = [(f["remote_path"], f["error"]) for f in result.failed]
    assert failed == "/outbox/big.csv" and "No space left on device" in error
    assert result.status == "failed"
    assert result.error == f"1 file(s) could not be stored, the next run retries: {failed}: {error}"
    assert "\n" not in result.error and result.summary()["files_failed"] == 1
    assert len(ctx.ports.state.query("landed#partner")) == 2  # small.csv's; big.csv's released
    monkeypatch.undo()

    (landed,) = ingest_sftp(ctx, "partner").landed
    assert ctx.ports.raw.get_bytes(landed["raw_key"]) == big


@pytest.mark.parametrize("marker", ["{name}", "done", "{path}.done", "x/{name}.ok", "{name.ok"])
def test_a_done_marker_must_name_its_file_in_the_same_folder(marker):
    from pydantic import ValidationError

    from strata.contracts.ingestion import SftpSettings

    with pytest.raises(ValidationError, match="a done marker is a file name"):
        SftpSettings(
            host="h", username="u", secret="s", allow_unknown_host_key=True, done_marker=marker
        )
