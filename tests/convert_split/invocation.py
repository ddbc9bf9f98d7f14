"""One invocation of the split path, run as a process of its own: it gets the raw file, its byte
range and where the header ends, builds its range's file (``pieces.range_file``) and converts it
with ``convert_file``, as a Convert Lambda would; prints the accounting as JSON.

    python invocation.py <contract.yaml> <raw file> <start> <end> <header end> <out dir>
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from strata.contracts.loader import load_contract
from strata.convert.converter import Lineage, convert_file
from strata.convert.pieces import range_file

RAW_KEY = "orders/ingest_date=2026-11-24/run_id=r1/big.csv"
LINEAGE = Lineage(RAW_KEY, "2026-11-24 08:00:00", "run-1", "2026-11-24")


def main() -> None:
    contract_path, raw, start, end, header, out = sys.argv[1:7]
    out_dir = Path(out)
    out_dir.mkdir(parents=True)
    piece = range_file(Path(raw), int(start), int(end), int(header), out_dir / "range.csv")
    result = convert_file(load_contract(Path(contract_path)), piece, LINEAGE, out_dir, "big")
    result.check_accounting()
    print(
        json.dumps(
            {
                "rows_in": result.rows_in,
                "rows_out": result.rows_out,
                "rows_quarantined": result.rows_quarantined,
                "files": [str(path) for path in result.files],
                "rejects": str(result.rejects_file) if result.rejects_file else None,
            }
        )
    )


if __name__ == "__main__":
    main()
