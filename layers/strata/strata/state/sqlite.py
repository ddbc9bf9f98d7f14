"""State store in one SQLite file: the embedded twin of the DynamoDB table.

One table keyed like DynamoDB (partition key, sort key) holding each item as JSON. The local
pipeline runs Map iterations on threads, so each thread gets its own connection (SQLite
connections must not be shared) and WAL mode lets readers proceed while one thread writes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from strata.errors import ConditionFailedError
from strata.state.base import Item, Match, StateStore, check_item

SCHEMA = """
CREATE TABLE IF NOT EXISTS state (
    pk   TEXT NOT NULL,
    sk   TEXT NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID
"""


class SQLiteStateStore(StateStore):
    def __init__(self, path: Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            # Created on first use, so that a run refused for an invalid project writes nothing.
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit: every call is one statement, atomic on its own.
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # durable enough in WAL mode
            connection.execute(SCHEMA)
            self._local.connection = connection
        return connection

    def get(self, pk: str, sk: str) -> Item | None:
        row = (
            self._connection()
            .execute("SELECT item FROM state WHERE pk = ? AND sk = ?", (pk, sk))
            .fetchone()
        )
        return json.loads(row[0]) if row else None

    def put(
        self, pk: str, sk: str, item: Item, *, if_absent: bool = False, if_match: Match = None
    ) -> None:
        check_item(item)
        document = json.dumps(item, separators=(",", ":"))
        if if_match is not None:
            attribute, value = if_match
            changed = self._connection().execute(
                "UPDATE state SET item = ? WHERE pk = ? AND sk = ? AND json_extract(item, ?) = ?",
                (document, pk, sk, _path(attribute), value),
            )
            if changed.rowcount != 1:
                raise ConditionFailedError(f"item {pk!r}/{sk!r} no longer has {attribute}={value}")
            return
        if not if_absent:
            self._connection().execute(
                "INSERT INTO state (pk, sk, item) VALUES (?, ?, ?)"
                " ON CONFLICT (pk, sk) DO UPDATE SET item = excluded.item",
                (pk, sk, document),
            )
            return
        try:
            self._connection().execute(
                "INSERT INTO state (pk, sk, item) VALUES (?, ?, ?)", (pk, sk, document)
            )
        except sqlite3.IntegrityError:
            raise ConditionFailedError(f"item {pk!r}/{sk!r} already exists") from None

    def query(self, pk: str, sk_prefix: str = "") -> list[Item]:
        # SQLite compares TEXT by its UTF-8 bytes, the order DynamoDB sorts string keys in.
        rows = self._connection().execute(
            "SELECT item FROM state WHERE pk = ? AND substr(sk, 1, length(?)) = ? ORDER BY sk",
            (pk, sk_prefix, sk_prefix),
        )
        return [json.loads(document) for (document,) in rows]

    def delete(self, pk: str, sk: str, *, if_match: Match = None) -> None:
        if if_match is None:
            self._connection().execute("DELETE FROM state WHERE pk = ? AND sk = ?", (pk, sk))
            return
        attribute, value = if_match
        self._connection().execute(
            "DELETE FROM state WHERE pk = ? AND sk = ? AND json_extract(item, ?) = ?",
            (pk, sk, _path(attribute), value),
        )

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def _path(attribute: str) -> str:
    """The JSON path of a top-level attribute, quoted so any name is taken literally."""
    return '$."' + attribute.replace('"', '""') + '"'
