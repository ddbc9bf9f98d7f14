"""Behaviour every ObjectStore shares, run against the local folder and S3 (moto)."""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import datetime
from pathlib import Path

import pytest

from strata.errors import ObjectNotFoundError, StorageError
from strata.storage.base import ObjectInfo, ObjectStore, sha256_file
from strata.storage.local import TEMP_PREFIX, LocalObjectStore


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def keys(store: ObjectStore, prefix: str = "") -> list[str]:
    return [info.key for info in store.list(prefix)]


def test_put_bytes_then_get_bytes_returns_the_same_bytes_and_describes_the_object(store):
    info = store.put_bytes("orders/2024/01/a.csv", b"id,amount\n1,9.5\n", {"source": "orders"})

    assert store.get_bytes("orders/2024/01/a.csv") == b"id,amount\n1,9.5\n"
    assert info.key == "orders/2024/01/a.csv"
    assert info.size == 16
    assert info.etag == md5(b"id,amount\n1,9.5\n")
    assert info.metadata == {"source": "orders"}


def test_head_returns_size_etag_metadata_and_an_aware_timestamp(store):
    store.put_bytes("a.json", b"{}", {"run-id": "r1", "Sha256": "abc"})

    info = store.head("a.json")

    assert (info.size, info.etag) == (2, md5(b"{}"))
    # S3 lowercases user-metadata keys; the local store does the same so code behaves alike.
    assert info.metadata == {"run-id": "r1", "sha256": "abc"}
    assert isinstance(info.last_modified, datetime)
    assert info.last_modified.tzinfo is not None


def test_put_overwrites_content_and_replaces_metadata(store):
    store.put_bytes("k", b"old", {"version": "1", "extra": "x"})
    store.put_bytes("k", b"new", {"version": "2"})

    assert store.get_bytes("k") == b"new"
    assert store.head("k").metadata == {"version": "2"}
    assert store.head("k").etag == md5(b"new")


def test_empty_object_round_trips(store):
    info = store.put_bytes("empty", b"")

    assert info.size == 0
    assert store.get_bytes("empty") == b""
    assert store.head("empty").etag == md5(b"")


def test_non_ascii_metadata_is_refused_as_s3_refuses_it(store):
    with pytest.raises(StorageError):
        store.put_bytes("k", b"x", {"origin": "café.csv"})
    assert not store.exists("k")


def test_list_yields_every_key_in_byte_order_without_metadata(store):
    # "a-c" sorts before "a/b" ("-" < "/"): a per-folder walk would get this wrong.
    for key in ["b", "a/c/d", "ab", "a/b", "a-c", "Z"]:
        store.put_bytes(key, key.encode(), {"m": "v"})

    listed = list(store.list())

    assert [info.key for info in listed] == ["Z", "a-c", "a/b", "a/c/d", "ab", "b"]
    assert all(isinstance(info, ObjectInfo) and info.metadata == {} for info in listed)
    assert {info.key: info.etag for info in listed}["a/c/d"] == md5(b"a/c/d")
    assert {info.key: info.size for info in listed}["ab"] == 2


def test_list_filters_by_prefix_which_need_not_end_at_a_folder(store):
    for key in ["a/b", "a/c/d", "a-c", "ab", "b", "a/cc"]:
        store.put_bytes(key, b"x")

    assert keys(store, "a/") == ["a/b", "a/c/d", "a/cc"]
    assert keys(store, "a/c") == ["a/c/d", "a/cc"]
    assert keys(store, "a") == ["a-c", "a/b", "a/c/d", "a/cc", "ab"]
    assert keys(store, "missing/") == []


def test_list_of_an_empty_store_yields_nothing(store):
    assert keys(store) == []


def test_delete_removes_the_object_and_is_idempotent(store):
    store.put_bytes("x/y/z.csv", b"1")
    store.put_bytes("x/keep.csv", b"2")

    store.delete("x/y/z.csv")
    store.delete("x/y/z.csv")
    store.delete("never/existed")

    assert not store.exists("x/y/z.csv")
    assert keys(store) == ["x/keep.csv"]
    with pytest.raises(ObjectNotFoundError):
        store.head("x/y/z.csv")


def test_a_deleted_key_can_be_written_again(store):
    store.put_bytes("p/q/r", b"1")
    store.delete("p/q/r")
    store.put_bytes("p/q/r", b"2")

    assert store.get_bytes("p/q/r") == b"2"


@pytest.mark.parametrize("operation", ["get_bytes", "head", "download", "local_copy"])
def test_a_missing_object_raises_object_not_found_naming_bucket_and_key(store, tmp_path, operation):
    store.put_bytes("present", b"x")

    with pytest.raises(ObjectNotFoundError) as raised:
        if operation == "download":
            store.download("absent/key", tmp_path / "out")
        elif operation == "local_copy":
            with store.local_copy("absent/key", tmp_path):
                pass
        else:
            getattr(store, operation)("absent/key")

    assert raised.value.key == "absent/key"
    assert raised.value.bucket == store.bucket
    assert not store.exists("absent/key")
    assert store.exists("present")


@pytest.mark.parametrize("source_kind", ["local", "aws"])
def test_copy_from_copies_bytes_with_new_metadata_from_either_kind_of_store(
    store, make_store, source_kind
):
    source = make_store(source_kind, "landing")
    source.put_bytes("drop/file.csv", b"a,b\n1,2\n", {"uploaded-by": "someone"})

    info = store.copy_from(source, "drop/file.csv", "orders/file.csv", {"source": "orders"})

    assert store.get_bytes("orders/file.csv") == b"a,b\n1,2\n"
    assert store.head("orders/file.csv").metadata == {"source": "orders"}
    assert (info.key, info.size, info.etag) == ("orders/file.csv", 8, md5(b"a,b\n1,2\n"))
    assert source.get_bytes("drop/file.csv") == b"a,b\n1,2\n"  # the source is untouched


@pytest.mark.parametrize("source_kind", ["local", "aws"])
def test_copy_from_a_missing_source_raises_and_writes_nothing(store, make_store, source_kind):
    source = make_store(source_kind, "landing")

    with pytest.raises(ObjectNotFoundError) as raised:
        store.copy_from(source, "absent.csv", "target.csv", {})

    assert raised.value.key == "absent.csv"
    assert keys(store) == []


def test_put_file_and_download_round_trip_a_20_mb_file(store, tmp_path):
    original = tmp_path / "big.bin"
    block = os.urandom(1024 * 1024)
    with original.open("wb") as handle:
        for index in range(20):
            handle.write(bytes([index]) + block[1:])

    info = store.put_file("big/big.bin", original, {"kind": "test"})
    downloaded = store.download("big/big.bin", tmp_path / "out" / "big.bin")

    assert info.size == 20 * 1024 * 1024
    assert store.head("big/big.bin").metadata == {"kind": "test"}
    assert sha256_file(downloaded) == sha256_file(original)
    with store.local_copy("big/big.bin", tmp_path / "work") as path:
        assert sha256_file(path) == sha256_file(original)


def test_readers_never_see_a_partially_written_object(store):
    if not isinstance(store, LocalObjectStore):
        pytest.skip(
            "S3 PUTs are atomic by contract; moto's in-memory S3 closes an object's "
            "buffer under a concurrent reader, so this would test moto"
        )
    size = 256 * 1024
    store.put_bytes("hot.bin", b"A" * size)
    stop = threading.Event()
    seen: list[bytes] = []

    def writer() -> None:
        letter = 0
        while not stop.is_set():
            letter = (letter + 1) % 26
            store.put_bytes("hot.bin", bytes([65 + letter]) * size)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for _ in range(100):
            seen.append(store.get_bytes("hot.bin"))
    finally:
        stop.set()
        thread.join()

    assert all(len(data) == size and data == data[:1] * size for data in seen)
    assert keys(store) == ["hot.bin"]


class BrokenStore(ObjectStore):
    """A source that fails half-way through a download, as a dropped connection would."""

    bucket = "broken"

    def download(self, key: str, path: Path) -> Path:
        with path.open("wb") as handle:
            handle.write(b"partial")
        raise OSError("connection reset")

    def put_bytes(self, *args, **kwargs):  # pragma: no cover - not used
        raise NotImplementedError

    put_file = get_bytes = head = list = delete = copy_from = uri = put_bytes


def test_a_failed_write_keeps_the_previous_object_and_leaves_no_temporary_file(store):
    store.put_bytes("orders/a.csv", b"complete")

    with pytest.raises(OSError, match="connection reset"):
        store.copy_from(BrokenStore(), "x", "orders/a.csv", {"v": "2"})

    assert store.get_bytes("orders/a.csv") == b"complete"
    assert keys(store) == ["orders/a.csv"]
    if isinstance(store, LocalObjectStore):
        on_disk = [path.name for path in store.root.parent.rglob("*") if path.is_file()]
        assert not [name for name in on_disk if name.startswith(TEMP_PREFIX)]


def test_uri_names_where_the_object_lives(store):
    uri = store.uri("orders/a.csv")
    folder = store.uri("orders/")

    if isinstance(store, LocalObjectStore):
        assert Path(uri).is_absolute()
        assert Path(uri) == store.root / "orders" / "a.csv"
        assert folder == str(store.root / "orders") + os.sep
    else:
        assert uri == f"s3://{store.bucket}/orders/a.csv"
        assert folder == f"s3://{store.bucket}/orders/"


# -- local only ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["../escape", "a/../../escape", "/etc/passwd", "a//b", "a/./b", "", "dir/", "a\\b"]
)
def test_local_store_rejects_keys_that_leave_or_blur_the_bucket(tmp_path, key):
    store = LocalObjectStore(tmp_path / "lake" / "raw", "raw")

    with pytest.raises(StorageError):
        store.put_bytes(key, b"x")
    with pytest.raises(StorageError):
        store.get_bytes(key)

    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_local_store_keeps_metadata_outside_the_bucket_folder(tmp_path):
    store = LocalObjectStore(tmp_path / "lake" / "raw", "raw")
    store.put_bytes("orders/a.csv", b"x", {"source": "orders"})

    in_bucket = sorted(p.relative_to(store.root).as_posix() for p in store.root.rglob("*"))

    assert in_bucket == ["orders", "orders/a.csv"]
    assert (tmp_path / "lake" / ".metadata" / "raw" / "orders" / "a.csv.json").is_file()


def test_local_store_lists_files_dropped_into_the_folder_by_hand(tmp_path):
    store = LocalObjectStore(tmp_path / "lake" / "landing", "landing")
    (store.root / "partner").mkdir(parents=True)
    (store.root / "partner" / "drop.csv").write_bytes(b"a,b\n")
    (store.root / "partner" / f"{TEMP_PREFIX}123").write_bytes(b"half")

    assert keys(store) == ["partner/drop.csv"]
    info = store.head("partner/drop.csv")
    assert (info.etag, info.metadata) == (md5(b"a,b\n"), {})


def test_local_store_ignores_metadata_of_a_file_replaced_by_hand(tmp_path):
    store = LocalObjectStore(tmp_path / "lake" / "raw", "raw")
    store.put_bytes("a.csv", b"first", {"source": "orders"})
    (store.root / "a.csv").write_bytes(b"second, longer")

    info = store.head("a.csv")

    assert info.etag == md5(b"second, longer")
    assert info.metadata == {}


def test_local_copy_of_the_local_store_is_the_object_itself(tmp_path):
    store = LocalObjectStore(tmp_path / "lake" / "raw", "raw")
    store.put_bytes("a/b.csv", b"data")

    with store.local_copy("a/b.csv", tmp_path / "work") as path:
        assert path == store.root / "a" / "b.csv"
    assert not (tmp_path / "work").exists()
    assert store.get_bytes("a/b.csv") == b"data"


def test_local_delete_prunes_empty_folders_but_not_the_bucket(tmp_path):
    store = LocalObjectStore(tmp_path / "lake" / "raw", "raw")
    store.put_bytes("x/y/z.csv", b"1")

    store.delete("x/y/z.csv")

    assert store.root.is_dir()
    assert list(store.root.iterdir()) == []
    assert list((tmp_path / "lake" / ".metadata" / "raw").iterdir()) == []
