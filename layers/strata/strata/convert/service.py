"""Convert one raw object end to end: fetch it, convert it, publish Parquet to cleansed and
rejects to quarantine, register partitions in the catalog, record the outcome.

Re-converting the same raw object replaces its earlier output exactly: file names derive from
the raw key, and files of the previous conversion that the new one did not write are removed.
Each partition's files go to its live folder (:mod:`strata.lake.partitions`), under its lock.
When the object's earlier rows are inside compacted files (shared with other objects), its new
files wait in the partition's staged folder instead, and the next compaction swaps them in with
the earlier rows taken out, in one step for readers.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from strata.catalog.base import CatalogColumn, TableDef
from strata.catalog.tables import table_for
from strata.contracts.model import SourceContract
from strata.convert.converter import FileConversion, Lineage, convert_file
from strata.errors import ConversionError
from strata.lake import partitions, state_keys
from strata.lake.claims import release_run
from strata.lake.keys import (
    RawKey,
    conversion_manifest_key,
    quarantined_file_prefix,
    quarantined_rows_key,
    raw_object_id,
)
from strata.lake.payloads import ConversionResult, MemberCounts
from strata.runtime import Context, Ports, cleansed_location
from strata.scratch import scratch_dir


def convert_object(ctx: Context, run_id: str, source: str, raw_key: str) -> ConversionResult:
    contract = ctx.project.contract(source)
    try:
        parsed = RawKey.parse(raw_key)
    except ValueError as exc:
        raise ConversionError(str(exc), source=source, key=raw_key) from exc
    ports = ctx.ports
    raw = ports.raw
    info = raw.head(raw_key)
    received = info.metadata.get("strata-received-at") or f"{parsed.ingest_date}T00:00:00+00:00"
    lineage = Lineage(
        source_file=raw_key,
        ingested_at=_naive_utc(received),
        run_id=parsed.run_id,
        ingest_date=parsed.ingest_date,
    )
    file_id = raw_object_id(raw_key)
    known = ports.catalog.get_table(contract.name)
    with scratch_dir("convert") as workdir:
        with raw.local_copy(raw_key, workdir) as path:
            outcome = convert_file(contract, path, lineage, workdir / "out", file_id, known)
        result = _publish(ports, contract, run_id, parsed, raw_key, outcome, known)
    result.bytes = info.size
    _record(ports, run_id, result)
    return result


def _publish(
    ports: Ports,
    contract: SourceContract,
    run_id: str,
    parsed: RawKey,
    raw_key: str,
    outcome: FileConversion,
    known: TableDef | None,
) -> ConversionResult:
    file_id = raw_object_id(raw_key)
    quarantine: list[str] = []
    rows_key = quarantined_rows_key(contract.name, parsed.ingest_date, file_id)
    if outcome.rejects_file is not None:
        ports.quarantine.put_file(rows_key, outcome.rejects_file, {"strata-source-file": raw_key})
        quarantine.append(rows_key)
    else:
        ports.quarantine.delete(rows_key)
    previous = ports.state.get(state_keys.converted(contract.name), raw_key) or {}
    if outcome.file_rejected_reason is not None:
        quarantine += _quarantine_file(ports, contract.name, parsed, raw_key, file_id, outcome)
        files: list[Path] = []
    else:
        files = outcome.files
        location = cleansed_location(ports, contract.name)
        ports.catalog.ensure_table(_table(contract, location, outcome, known))
    outputs = _upload_parquet(ports, contract, run_id, raw_key, files, previous)
    for key in previous.get("outputs", []):
        if key not in outputs:
            ports.cleansed.delete(key)
    return ConversionResult(
        source=contract.name,
        raw_key=raw_key,
        status="quarantined" if outcome.file_rejected_reason else "converted",
        rows_in=outcome.rows_in,
        rows_out=outcome.rows_out,
        rows_quarantined=outcome.rows_quarantined,
        rows_unknown=outcome.rows_unknown,
        partitions=outcome.partitions,
        outputs=outputs,
        quarantine=quarantine,
        reason=outcome.file_rejected_reason,
        drift=outcome.drift,
        members=[MemberCounts(**asdict(member)) for member in outcome.members],
        new_columns=outcome.new_columns if outcome.file_rejected_reason is None else [],
    )


def _upload_parquet(
    ports: Ports,
    contract: SourceContract,
    run_id: str,
    raw_key: str,
    files: list[Path],
    previous: dict[str, Any],
) -> list[str]:
    """Each partition's files into its live folder (or staged, see the module), and the
    partitions the object had rows in before queued for compaction when those rows are in
    compacted files; returns the keys written."""
    key_name = contract.partition_key
    by_folder: dict[str, list[Path]] = {}
    for path in files:
        by_folder.setdefault(path.parent.name + "/", []).append(path)  # event_date=…/
    values = {folder.split("=", 1)[1].rstrip("/") for folder in by_folder}
    earlier = set(previous.get("partitions", {}))
    outputs: list[str] = []
    for value in sorted(values | earlier):
        partition = {key_name: value}
        folder = f"{key_name}={value}/"
        with partitions.locked(
            ports.state, ports.liveness, contract.name, partition, run_id
        ) as live:
            before = [key for key in previous.get("outputs", []) if f"/{folder}" in key]
            compacted = value in earlier and not all(k.startswith(live.prefix) for k in before)
            # Earlier rows in compacted files: staged, then swapped in by the compaction.
            staged = partitions.staged_prefix(contract.name, folder)
            prefix = staged if compacted else live.prefix
            for path in by_folder.get(folder, []):
                ports.cleansed.put_file(prefix + path.name, path)
                outputs.append(prefix + path.name)
            if by_folder.get(folder):
                # Registered under the lock: a compaction never finds the partition unknown.
                ports.catalog.add_partitions(contract.name, [partition])
            if by_folder.get(folder) or compacted:
                partitions.mark_touched(
                    ports.state, contract.name, partition, raw_key if compacted else None
                )
    return outputs


def _table(
    contract: SourceContract, location: str, outcome: FileConversion, known: TableDef | None
) -> TableDef:
    """The contract's table, plus (``schema_change: evolve``) the columns files added."""
    table = table_for(contract, location)
    if contract.schema_change != "evolve":
        return table
    names = {column.name for column in table.columns}
    earlier = [c for c in (known.columns if known else ()) if c.name not in names]
    added = [
        CatalogColumn(name, "string", "Added by schema evolution (a column new in the source).")
        for name in outcome.extra_columns
        if name not in {column.name for column in earlier}
    ]
    return replace(table, columns=table.columns + tuple(earlier) + tuple(added))


def _quarantine_file(
    ports: Ports, source: str, parsed: RawKey, raw_key: str, file_id: str, outcome: FileConversion
) -> list[str]:
    prefix = quarantined_file_prefix(source, parsed.ingest_date, file_id)
    reason = {
        "source_file": raw_key,
        "reason": outcome.file_rejected_reason,
        "rows_in": outcome.rows_in,
        "rows_unknown": outcome.rows_unknown,
        "drift": outcome.drift,
        "members": [asdict(member) for member in outcome.members],
    }
    ports.quarantine.copy_from(
        ports.raw, raw_key, prefix + parsed.name, {"strata-source-file": raw_key}
    )
    ports.quarantine.put_bytes(prefix + "reason.json", json.dumps(reason, indent=2).encode())
    return [prefix + parsed.name, prefix + "reason.json"]


def _record(ports: Ports, run_id: str, result: ConversionResult) -> None:
    state = ports.state
    summary = result.dump()
    ports.artifacts.put_bytes(
        conversion_manifest_key(run_id, result.raw_key), json.dumps(summary, indent=2).encode()
    )
    state.put(state_keys.converted(result.source), result.raw_key, {**summary, "run_id": run_id})
    state.delete(state_keys.pending(result.source), result.raw_key)
    release_run(state, state_keys.conversion_claim(result.source), result.raw_key, run_id)


def _naive_utc(timestamp: str) -> str:
    moment = datetime.fromisoformat(timestamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(sep=" ", timespec="microseconds")
