"""Legacy formats at scale: a generated XML stock report, fixed-width ERP extract and vendor
JSON document (records under ``data``) of about ``--size-mb`` MB each, converted by
``convert_file`` in a process of their own, so that its peak memory (``ru_maxrss``) is the
conversion's alone. Memory must stay flat whatever the size: expat streams the XML 1 MiB at a
time, DuckDB the lines of the fixed-width text, and the JSON document's records are streamed a
record at a time.

    python bench/formats.py --size-mb 1024 --out bench/out/formats

Prints one line per format (MB, rows, seconds, MB/s, peak RSS) and, with ``--report``, writes
them as a Markdown table. Run by ``make bench-formats`` (mk/formats.mk); never by ``make test``.

Measured on the shared 2-core machine (load average about 15, so wall times are stretched;
CPU seconds are the fairer measure), 2026-12-05:

| format | MB | rows in | rows out | quarantined | seconds | CPU s | peak RSS (MB) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| xml | 1028 | 4,433,064 | 4,432,621 | 443 | 380 | 134 | 217 |
| fixed_width | 1024 | 18,199,014 | 18,197,195 | 1,819 | 157 | 39 | 377 |
| json (`records_path: data`) | 1024 | 10,756,529 | 10,755,454 | 1,075 | 373 | 101 | 246 |

At 32 MB the XML and fixed-width peaks are 161 and 172 MB, at 4 MB the JSON's 116 MB: memory
stays flat as the file grows. (Before streaming, a 206 MB JSON document under `records_path`
failed: DuckDB could not allocate it within the conversion's memory limit.) The XML pass is
bound by expat's Python callbacks (about 8 MB/s per core); the fixed-width text is cut in
pieces converted side by side, as CSV is.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ITEM = (
    '  <inv:Item sku="SKU-{n:09d}">\n'
    "    <inv:name>Widget {n} &amp; co</inv:name>\n"
    "    <inv:qty>{qty}</inv:qty>\n"
    '    <inv:price currency="EUR">{price}</inv:price>\n'
    '    <inv:supplier id="{supplier}"><inv:name>Acmé {supplier}</inv:name></inv:supplier>\n'
    "  </inv:Item>\n"
)
XML_CONTRACT = {
    "format": {
        "type": "xml",
        "record_path": "inv:Stock/inv:Item",
        "namespaces": {"inv": "urn:example:inventory"},
        "flatten_depth": 2,
    },
    "schema": [
        {"name": "sku", "type": "string", "nullable": False, "source_name": "@sku"},
        {"name": "name", "type": "string"},
        {"name": "qty", "type": "int"},
        {"name": "price", "type": "decimal(10,2)"},
        {"name": "currency", "type": "string", "source_name": "price.@currency"},
        {"name": "supplier_id", "type": "int", "source_name": "supplier.@id"},
        {"name": "supplier_name", "type": "string", "source_name": "supplier.name"},
    ],
}
JSON_CONTRACT = {
    "format": {"type": "json", "records_path": "data", "flatten_depth": 1},
    "schema": [
        {"name": "product_id", "type": "bigint", "nullable": False, "source_name": "id"},
        {"name": "title", "type": "string"},
        {"name": "price", "type": "decimal(10,2)", "source_name": "price.amount"},
        {"name": "currency", "type": "string", "source_name": "price.currency"},
    ],
}
FIXED_CONTRACT = {
    "format": {
        "type": "fixed_width",
        "encoding": "latin-1",
        "skip_rows": 1,
        "footer_rows": 1,
        "row_count": r"^TRL(\d{12})",
        "fields": [
            {"name": "invoice_no", "width": 12},
            {"name": "customer", "width": 22},
            {"name": "invoice_date", "width": 10},
            {"name": "amount", "width": 11},
            {"name": "currency", "width": 3},
        ],
    },
    "schema": [
        {"name": "invoice_no", "type": "bigint", "nullable": False},
        {"name": "customer", "type": "string"},
        {"name": "invoice_date", "type": "date"},
        {"name": "amount", "type": "decimal(12,2)"},
        {"name": "currency", "type": "string"},
    ],
}

CONTRACTS = {"xml": XML_CONTRACT, "fixed_width": FIXED_CONTRACT, "json": JSON_CONTRACT}
SUFFIXES = {"xml": "xml", "fixed_width": "txt", "json": "json"}


def make_xml(path: Path, size: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<inv:Stock xmlns:inv="urn:example:inventory">\n')
        n, written = 0, 0
        while written < size:
            n += 1
            qty = "three" if n % 10_000 == 0 else str(n % 500)
            block = ITEM.format(n=n, qty=qty, price=f"{n % 9973}.{n % 100:02d}", supplier=n % 97)
            out.write(block)
            written += len(block)
        out.write("</inv:Stock>\n")


def make_fixed(path: Path, size: int) -> None:
    customers = ["Müller GmbH", "Café Olé SL", "Nørd AS", "Dupont & Fils", "Smith Ltd"]
    with path.open("w", encoding="latin-1", newline="\n") as out:
        out.write("HDRERPX  20261124\n")
        n, written, batch = 0, 0, []
        while written < size:
            n += 1
            amount = "0000ABC.00" if n % 10_000 == 0 else f"{n % 99991 * 1.25:011.2f}"
            line = f"{n:012d}{customers[n % 5]:<22}2026-11-{n % 28 + 1:02d}{amount:>11}EUR\n"
            batch.append(line)
            written += len(line)
            if len(batch) == 10_000:
                out.write("".join(batch))
                batch = []
        out.write("".join(batch))
        out.write(f"TRL{n:012d}\n")


def make_json(path: Path, size: int) -> None:
    """A vendor's catalogue: records under ``data``, pretty-printed, ``meta`` first."""
    with path.open("w", encoding="utf-8") as out:
        out.write('{\n  "meta": {"page": 1, "generated": "2026-11-24T06:00:00Z"},\n  "data": [\n')
        n, written, batch = 0, 0, []
        while written < size:
            n += 1
            amount = "n/a" if n % 10_000 == 0 else f"{n % 9973}.{n % 100:02d}"
            record = json.dumps(
                {"id": n, "title": f"Product {n}", "price": {"amount": amount, "currency": "EUR"}}
            )
            batch.append(("    " if n == 1 else ",\n    ") + record)
            written += len(record) + 6
            if len(batch) == 10_000:
                out.write("".join(batch))
                batch = []
        out.write("".join(batch) + "\n  ]\n}\n")


MAKERS = {"xml": make_xml, "fixed_width": make_fixed, "json": make_json}


def measure(kind: str, path: Path, work: Path) -> dict[str, object]:
    """Run in a child process: converts ``path`` and reports its own peak memory."""
    sys.path.insert(0, str(REPO / "layers" / "strata"))
    import yaml

    from strata.contracts.loader import parse_contract
    from strata.convert.converter import Lineage, convert_file

    body = {
        "name": kind,
        "description": "bench",
        "owner": "bench",
        "kind": "manual",
        "s3_drop": {"prefix": f"{kind}/"},
        "reject_threshold": 0.5,
        **CONTRACTS[kind],
    }
    contract = parse_contract(yaml.safe_dump(body), f"{kind}.yaml")
    raw_key = f"{kind}/ingest_date=2026-11-25/run_id=bench/{path.name}"
    lineage = Lineage(raw_key, "2026-11-25 06:00:00", "bench", "2026-11-25")
    started, cpu = time.perf_counter(), time.process_time()
    result = convert_file(contract, path, lineage, work, "bench")
    result.check_accounting()
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "rows_in": result.rows_in,
        "rows_out": result.rows_out,
        "rows_quarantined": result.rows_quarantined,
        "rejected": result.file_rejected_reason,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def run(kind: str, size_mb: int, out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{kind}-{size_mb}mb.{SUFFIXES[kind]}"
    if not path.exists():
        MAKERS[kind](path, size_mb << 20)
    work = out / f"work-{kind}"
    shutil.rmtree(work, ignore_errors=True)
    child = subprocess.run(
        [sys.executable, __file__, "--measure", kind, str(path), str(work)],
        check=True,
        capture_output=True,
        text=True,
    )
    shutil.rmtree(work, ignore_errors=True)
    found = json.loads(child.stdout.strip().splitlines()[-1])
    megabytes = path.stat().st_size / (1 << 20)
    found.update(format=kind, mb=round(megabytes), mb_per_s=round(megabytes / found["seconds"], 1))
    return found


def table(results: list[dict[str, object]]) -> str:
    lines = [
        "| format | MB | rows in | rows out | quarantined | seconds | MB/s | peak RSS (MB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['format']} | {r['mb']} | {r['rows_in']:,} | {r['rows_out']:,} | "
            f"{r['rows_quarantined']:,} | {r['seconds']} | {r['mb_per_s']} | {r['peak_rss_mb']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--formats", nargs="+", default=list(CONTRACTS), choices=list(CONTRACTS))
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "formats")
    parser.add_argument("--report", type=Path)
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "PATH", "WORK"))
    args = parser.parse_args()
    if args.measure:
        kind, path, work = args.measure
        print(json.dumps(measure(kind, Path(path), Path(work))))
        return
    results = []
    for kind in args.formats:
        found = run(kind, args.size_mb, args.out)
        print(json.dumps(found))
        results.append(found)
    if args.report:
        args.report.write_text(table(results), encoding="utf-8")


if __name__ == "__main__":
    main()
