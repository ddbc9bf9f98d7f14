"""Regenerate samples/shipments/*.ndjson: the carrier's drops for the sample orders.

One shipment per order the shop shipped (latest status shipped, delivered or returned), promised
three days after the order; the second drop re-sends the shipments whose status changed since
the first. A few bad records (a truncated line, an unknown status, an unreadable timestamp) show
quarantine at work. Deterministic: ``python samples/make_shipments.py``.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
CARRIERS = ["dhl", "ups", "colissimo", "dpd"]
FIRST_DROP = datetime(2026, 11, 4)  # the first drop holds what the carrier knew before this


def latest_orders() -> dict[int, dict[str, str]]:
    orders: dict[int, dict[str, str]] = {}
    for path in sorted((HERE / "orders").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                orders[int(row["Order ID"])] = row
    return orders


def iso(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def main() -> None:
    rng = random.Random(5)
    first: list[dict] = []
    second: list[dict] = []
    for order_id, order in sorted(latest_orders().items()):
        if order["Status"] not in ("shipped", "delivered", "returned"):
            continue
        ordered = datetime.strptime(order["Order Date"], "%Y-%m-%d %H:%M:%S") - timedelta(hours=1)
        shipped = ordered + timedelta(hours=rng.randint(6, 40))
        promised = (ordered + timedelta(days=3)).date()
        delivered = None
        if order["Status"] != "shipped":
            delivered = shipped + timedelta(hours=rng.choice([20, 30, 44, 52, 60, 70, 90, 120]))
        record = {
            "shipment_id": f"SHP-{order_id}",
            "order_id": order_id,
            "carrier": CARRIERS[order_id % len(CARRIERS)],
            "shipped_at": iso(shipped),
            "promised_date": promised.isoformat(),
            "delivered_at": None,
            "status": "in_transit",
        }
        if shipped >= FIRST_DROP:
            first_known = None
        elif delivered and delivered < FIRST_DROP:
            first_known = record | {"delivered_at": iso(delivered), "status": "delivered"}
        else:
            first_known = record
        if first_known:
            first.append(first_known)
        final = record
        if delivered:
            final = record | {"delivered_at": iso(delivered), "status": "delivered"}
        if order["Status"] == "returned":
            final = final | {"status": "returned"}
        if final != first_known:
            second.append(final)
    # realistic bad records: the carrier's export cut a line, invented a status, lost a date
    bad_status = dict(first[3], shipment_id="SHP-900001", status="teleported")
    bad_time = dict(second[2], shipment_id="SHP-900002", shipped_at="yesterday")
    first_lines = [json.dumps(r) for r in first]
    first_lines.insert(10, json.dumps(bad_status))
    first_lines.insert(20, '{"shipment_id": "SHP-900003", "order_id": 100050, "carrier": "d')
    second_lines = [json.dumps(r) for r in second]
    second_lines.insert(5, json.dumps(bad_time))
    out = HERE / "shipments"
    out.mkdir(exist_ok=True)
    (out / "shipments_2026-11-03.ndjson").write_text("\n".join(first_lines) + "\n")
    (out / "shipments_2026-11-05.ndjson").write_text("\n".join(second_lines) + "\n")


if __name__ == "__main__":
    main()
