"""Compaction: after a run's conversions, the partitions they touched are rewritten as a few
files near the target size (128 MB by default), each swapped in for readers at once.

A partition's files are merged into a new version folder, then the catalog's partition is
pointed at it (:mod:`strata.lake.partitions` explains why that is atomic for readers, and
``docs/architecture.md`` why plain Parquet with versioned partition folders rather than a table
format). Rows are copied as they are, lineage columns included, so every row still names its raw
object; rows of a replayed object are taken out and its staged files added in the same swap.

A partition is left alone when merging would not lower its number of files (it is compact):
compacting a compact partition does nothing. The versions a swap retired are deleted by a later
compaction, once the grace period has passed, so a query planned against the old folder can
still read it.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from strata.convert import engine, sql
from strata.lake import partitions, state_keys
from strata.lake.keys import compaction_key
from strata.lake.partitions import PartitionState
from strata.lake.payloads import CompactInput, CompactOutput, PartitionCompaction
from strata.observability import logger
from strata.runtime import Context, Ports
from strata.scratch import scratch_dir
from strata.storage.base import ObjectInfo

DEFAULT_TARGET_BYTES = 128 * 1024 * 1024
# Longer than any query a reader plans against a partition's old folder is expected to run.
DEFAULT_GRACE = timedelta(hours=6)
# No partition is started after this many seconds: the function's timeout is 900, and the
# partitions left stay queued for the next run (a backfill touching thousands of them).
DEFAULT_BUDGET_SECONDS = 600.0


@dataclass(frozen=True)
class Limits:
    target_bytes: int = DEFAULT_TARGET_BYTES
    grace: timedelta = DEFAULT_GRACE
    budget_seconds: float = DEFAULT_BUDGET_SECONDS


def compaction_output(ctx: Context, event: CompactInput) -> CompactOutput:
    limits = Limits(
        _number(event.target_bytes, DEFAULT_TARGET_BYTES),
        timedelta(seconds=_number(event.grace_seconds, int(DEFAULT_GRACE.total_seconds()))),
    )
    done = compact_touched(ctx, event.run_id, limits)
    ctx.ports.artifacts.put_bytes(
        compaction_key(event.run_id),
        json.dumps([item.dump() for item in done], indent=2).encode("utf-8"),
    )
    return CompactOutput(
        partitions=sum(item.status == "compacted" for item in done),
        files_before=sum(item.files_before for item in done),
        files_after=sum(item.files_after for item in done),
    )


def compact_touched(ctx: Context, run_id: str, limits: Limits) -> list[PartitionCompaction]:
    """Every partition with new files since its last compaction, of every source; a partition
    that fails, or that the time budget leaves, stays queued for the next run."""
    done = []
    deadline = time.monotonic() + limits.budget_seconds
    for source in sorted(ctx.project.contracts):
        delete_retired(ctx.ports, source, datetime.now(UTC) - limits.grace)
        for partition in partitions.touched(ctx.ports.state, source):
            if time.monotonic() > deadline:
                done.append(PartitionCompaction(source=source, partition=partition, status="left"))
                continue
            try:
                done.append(compact_partition(ctx.ports, source, partition, run_id, limits))
            except Exception as exc:  # best effort: the partition stays right, only uncompacted
                logger.exception("compaction failed", extra={"source": source, **partition})
                done.append(
                    PartitionCompaction(
                        source=source, partition=partition, status="failed", error=repr(exc)
                    )
                )
    return done


def compact_partition(
    ports: Ports, source: str, partition: dict[str, str], run_id: str, limits: Limits
) -> PartitionCompaction:
    state = ports.state
    with partitions.locked(state, ports.liveness, source, partition, run_id) as live:
        files = _parquet(ports, live.prefix)
        staged = _parquet(ports, partitions.staged_prefix(source, live.folder))
        replaced = partitions.replaced(state, source, partition)
        size = sum(info.size for info in files)
        wanted = max(1, math.ceil(size / limits.target_bytes))
        if not staged and not replaced and len(files) <= wanted:
            partitions.untouch(state, source, partition)
            return PartitionCompaction(
                source=source,
                partition=partition,
                status="compact",
                files_before=len(files),
                files_after=len(files),
                location=ports.cleansed.uri(live.prefix),
            )
        version = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
        prefix = partitions.version_prefix(source, live.folder, version)
        rows, written = _merge(ports, files, staged, replaced, prefix, limits.target_bytes)
        # The swap: from this call on, readers read the new version only.
        _swap(ports, live, partition, prefix, version)
        for info in staged:  # never visible, now inside the new version
            ports.cleansed.delete(info.key)
        partitions.untouch(state, source, partition)
    logger.info(
        "compacted",
        extra={
            "source": source,
            "files_before": len(files),
            "files_after": len(written),
            **partition,
        },
    )
    return PartitionCompaction(
        source=source,
        partition=partition,
        status="compacted",
        files_before=len(files) + len(staged),
        files_after=len(written),
        rows=rows,
        location=ports.cleansed.uri(prefix),
    )


def delete_retired(ports: Ports, source: str, before: datetime) -> int:
    """Delete the files of versions retired before ``before``; how many versions."""
    count = 0
    for item in ports.state.query(state_keys.retired(source)):
        if datetime.fromisoformat(item["at"]) >= before:
            continue
        for info in list(ports.cleansed.list(item["prefix"])):
            ports.cleansed.delete(info.key)
        ports.state.delete(state_keys.retired(source), item["key"])
        count += 1
    return count


def _swap(
    ports: Ports, live: PartitionState, partition: dict[str, str], prefix: str, version: str
) -> None:
    """Point the catalog at the new version, then record it as the partition's live folder
    and the old one as retired. Should the record fail, the catalog points back, so readers
    and writers never disagree on where the partition is."""
    catalog, state = ports.catalog, ports.state
    catalog.set_partition_location(live.source, partition, ports.cleansed.uri(prefix))
    try:
        now = datetime.now(UTC).isoformat()
        key = f"{now}#{live.prefix}"
        state.put(
            state_keys.retired(live.source), key, {"key": key, "prefix": live.prefix, "at": now}
        )
        partitions.save(state, PartitionState(live.source, live.folder, prefix, version))
    except Exception:
        catalog.set_partition_location(live.source, partition, ports.cleansed.uri(live.prefix))
        raise


def _parquet(ports: Ports, prefix: str) -> list[ObjectInfo]:
    """The Parquet files directly in the folder ``prefix`` (not in folders below it)."""
    return [
        info
        for info in ports.cleansed.list(prefix)
        if info.key.endswith(".parquet") and "/" not in info.key[len(prefix) :]
    ]


def _merge(
    ports: Ports,
    files: list[ObjectInfo],
    staged: list[ObjectInfo],
    replaced: list[str],
    prefix: str,
    target_bytes: int,
) -> tuple[int, list[str]]:
    """The partition's rows (without the replaced objects' earlier ones, with the staged
    files') in files near ``target_bytes`` under ``prefix``; the rows and the keys written.
    The rows written must be the rows read, or nothing is uploaded."""
    with scratch_dir("compact") as work, ExitStack() as stack:

        def local(infos: list[ObjectInfo], kind: str) -> list[str]:
            paths = []
            for index, info in enumerate(infos):
                folder = work / kind / str(index)
                folder.mkdir(parents=True)
                paths.append(str(stack.enter_context(ports.cleansed.local_copy(info.key, folder))))
            return paths

        live, new = local(files, "live"), local(staged, "staged")
        con = engine.connect(work)
        try:
            query, expected = _rows_query(con, live, new, replaced)
            out = work / "out"
            written = 0
            if query:
                with engine.all_cores(con):
                    written = con.execute(
                        f"COPY ({query}) TO {sql.literal(str(out))} (FORMAT parquet, "
                        f"COMPRESSION zstd, FILE_SIZE_BYTES {int(target_bytes)}, "
                        "FILENAME_PATTERN 'part_{i}')"
                    ).fetchone()[0]
            outputs = sorted(out.glob("*.parquet")) if out.exists() else []
            in_files = _footer_rows(con, outputs)
        finally:
            con.close()
        if not written == expected == in_files:
            raise AssertionError(
                f"compaction of {prefix}: read {expected} rows, wrote {written}, "
                f"the new files hold {in_files}"
            )
        keys = []
        for path in outputs:
            ports.cleansed.put_file(prefix + path.name, path)
            keys.append(prefix + path.name)
        return written, keys


def _rows_query(
    con: object, live: list[str], staged: list[str], replaced: list[str]
) -> tuple[str, int]:
    """The query of the partition's new rows, and how many it must give (from the footers,
    less the replaced objects' earlier rows)."""
    parts = []
    expected = 0
    if live:
        keep = ""
        if replaced:
            listed = ", ".join(sql.literal(key) for key in replaced)
            keep = f" WHERE _source_file NOT IN ({listed})"
            expected -= con.execute(  # type: ignore[attr-defined]
                f"SELECT count(*) FROM {_read(live)} WHERE _source_file IN ({listed})"
            ).fetchone()[0]
        parts.append(f"SELECT * FROM {_read(live)}{keep}")
        expected += _footer_rows(con, [Path(path) for path in live])
    if staged:
        parts.append(f"SELECT * FROM {_read(staged)}")
        expected += _footer_rows(con, [Path(path) for path in staged])
    return " UNION ALL BY NAME ".join(parts), expected


def _read(paths: list[str]) -> str:
    listed = ", ".join(sql.literal(path) for path in paths)
    return f"read_parquet([{listed}], hive_partitioning = false, union_by_name = true)"


def _footer_rows(con: object, paths: list[Path]) -> int:
    if not paths:
        return 0
    listed = ", ".join(sql.literal(str(path)) for path in paths)
    return int(
        con.execute(  # type: ignore[attr-defined]
            f"SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata([{listed}])"
        ).fetchone()[0]
    )


def _number(value: str | int | None, default: int) -> int:
    """A substituted template parameter (text); the default when unusable."""
    try:
        return max(0, int(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
