"""SFTP ingestion against a real SFTP server on 127.0.0.1 (asyncssh, started by the tests)."""

from __future__ import annotations

import hashlib
import os
import time

import asyncssh
import pytest
from conftest import write_contract, write_secrets

from strata.ingest.exceptions import HostKeyError, SftpError
from strata.ingest.raw import RawKey
from strata.ingest.sftp import ingest_sftp
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
