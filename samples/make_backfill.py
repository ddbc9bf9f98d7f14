"""Regenerate samples/backfill/: six months of history (May to October 2026) before the
November sample files, so the demo lake carries signal for churn, lifetime value and
segmentation (notebooks/churn_ltv.ipynb).

The shop's one-off history export (orders, one CSV per month), the carrier's (shipments, one
NDJSON per month shipped) and the marketing team's workbooks (one per month), in the formats
of the daily sources. 400 customers: C0001 to C0040 are the loyal core who still order in
November; the others sign up from May to September and may lapse. Each month an active
customer orders a Poisson number of times (more when loyal); after it, the customer lapses with
a probability that rises with late deliveries, returns, low loyalty and an acquisition
channel that brings fickle customers (affiliate, social). So the features a data scientist
builds from orders, shipping and marketing predict who lapses, as they would in a real shop.

Deterministic: ``python samples/make_backfill.py`` (needs openpyxl).
"""

from __future__ import annotations

import csv
import json
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from make_marketing_spend import write_workbook

HERE = Path(__file__).resolve().parent
OUT = HERE / "backfill"
MONTHS = [date(2026, month, 1) for month in range(5, 11)]
CUSTOMERS = 400
CORE = 40  # C0001..C0040 order in the November sample files: they never lapse
FIRST_ORDER_ID = 50001
CHANNELS = ["organic", "email", "paid_search", "social", "affiliate"]
CHANNEL_WEIGHTS = [0.3, 0.15, 0.25, 0.15, 0.15]
# Monthly lapse probability by acquisition channel, before experience and loyalty.
CHANNEL_LAPSE = {"organic": 0.04, "email": 0.03, "paid_search": 0.08, "social": 0.14,
                 "affiliate": 0.16}  # fmt: skip
CARRIERS = ["dhl", "ups", "colissimo", "dpd"]
CARRIER_LATE = {"dhl": 0.08, "ups": 0.12, "colissimo": 0.22, "dpd": 0.38}
ORDER_HEADER = ["Order ID", "Customer", "Order Date", "Status", "Channel", "Amount", "Currency"]
LAST_DAY = date(2026, 10, 31)


@dataclass
class Customer:
    id: str
    channel: str
    loyalty: float
    signup: date
    core: bool
    active: bool = True


def customers(rng: random.Random) -> list[Customer]:
    found = []
    for number in range(1, CUSTOMERS + 1):
        core = number <= CORE
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        loyalty = 0.6 + 0.4 * rng.random() if core else rng.betavariate(2, 2)
        signup = MONTHS[0] if core else MONTHS[rng.randrange(0, 5)]
        found.append(Customer(f"C{number:04d}", channel, loyalty, signup, core))
    return found


def poisson(rng: random.Random, mean: float) -> int:
    threshold, count, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def month_days(month: date) -> int:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (following - month).days


def simulate(rng: random.Random) -> tuple[list[list[str]], list[dict[str, object]]]:
    orders: list[list[str]] = []
    shipments: list[dict[str, object]] = []
    order_id = FIRST_ORDER_ID
    people = customers(rng)
    for month in MONTHS:
        for customer in people:
            if not customer.active or customer.signup > month:
                continue
            late = returned = placed = 0
            for _ in range(poisson(rng, 0.4 + 2.2 * customer.loyalty)):
                day = month + timedelta(days=rng.randrange(month_days(month)))
                # Shop hours only: never the hour the clocks go back (25 Oct 2026, 02:00-03:00).
                ordered = datetime.combine(day, datetime.min.time()) + timedelta(
                    hours=rng.randint(7, 21), minutes=rng.randrange(60)
                )
                channel = customer.channel if rng.random() < 0.7 else rng.choice(CHANNELS)
                status = rng.choices(
                    ["delivered", "returned", "cancelled", "shipped"], [0.82, 0.08, 0.07, 0.03]
                )[0]
                amount = round(min(480.0, rng.lognormvariate(4.2 + 0.5 * customer.loyalty, 0.5)), 2)
                when = ordered.strftime("%Y-%m-%d %H:%M:%S")
                row = [str(order_id), customer.id, when, status, channel, f"{amount:.2f}", "EUR"]
                orders.append(row)
                if status != "cancelled":
                    shipment = ship(rng, order_id, ordered, status)
                    shipments.append(shipment)
                    late += shipment["_late"]  # type: ignore[operator]
                returned += status == "returned"
                placed += 1
                order_id += 1
            if customer.core:
                continue
            lapse = (
                CHANNEL_LAPSE[customer.channel]
                + 0.45 * (late / placed if placed else 0)
                + 0.3 * (returned / placed if placed else 0)
                + 0.2 * (1 - customer.loyalty)
                + (0.1 if placed == 0 else 0)
            )
            customer.active = rng.random() >= lapse
    return orders, shipments


def ship(rng: random.Random, order_id: int, ordered: datetime, status: str) -> dict[str, object]:
    carrier = CARRIERS[order_id % len(CARRIERS)]
    # Shop-local order time to UTC (Paris is UTC+2 until 25 October, UTC+1 after).
    utc = ordered - timedelta(hours=2 if ordered.date() < date(2026, 10, 25) else 1)
    shipped = utc + timedelta(hours=rng.randint(6, 40))
    promised = (utc + timedelta(days=3)).date()
    is_late = rng.random() < CARRIER_LATE[carrier]
    delivered = datetime.combine(promised, datetime.min.time()) + timedelta(
        days=rng.randint(1, 5) if is_late else -rng.randint(0, 1), hours=rng.randint(8, 19)
    )
    delivered = max(delivered, shipped + timedelta(hours=12))
    final = status != "shipped" and delivered.date() <= LAST_DAY
    return {
        "shipment_id": f"SHP-{order_id}",
        "order_id": order_id,
        "carrier": carrier,
        "shipped_at": shipped.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "promised_date": promised.isoformat(),
        "delivered_at": delivered.strftime("%Y-%m-%dT%H:%M:%SZ") if final else None,
        "status": ("returned" if status == "returned" else "delivered") if final else "in_transit",
        "_late": int(final and delivered.date() > promised),
    }


def write(orders: list[list[str]], shipments: list[dict[str, object]]) -> None:
    rng = random.Random(23)
    for folder in ("orders", "shipments", "marketing_spend"):
        (OUT / folder).mkdir(parents=True, exist_ok=True)
    for month in MONTHS:
        stem = month.strftime("%Y-%m")
        with (OUT / "orders" / f"orders_{stem}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(ORDER_HEADER)
            writer.writerows(sorted(row for row in orders if row[2].startswith(stem)))
        lines = [
            json.dumps({key: value for key, value in record.items() if key != "_late"})
            for record in shipments
            if str(record["shipped_at"]).startswith(stem)
        ]
        (OUT / "shipments" / f"shipments_{stem}.ndjson").write_text("\n".join(lines) + "\n")
        workbook = OUT / "marketing_spend" / f"marketing_spend_{stem}.xlsx"
        write_workbook(workbook, month, month_days(month), rng)


def main() -> None:
    orders, shipments = simulate(random.Random(17))
    write(orders, shipments)


if __name__ == "__main__":
    main()
