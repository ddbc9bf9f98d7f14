"""Deterministic samples for the inference tests, one per format, a few hundred rows each."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from pathlib import Path

START = dt.datetime(2026, 11, 1, 8, 0)
STATUSES = ("placed", "shipped", "delivered", "cancelled")


def orders_csv(rows: int = 200, bad_amounts: dict[int, str] | None = None) -> bytes:
    """A web shop's orders; ``bad_amounts``: row index → the text put in its amount."""
    bad = bad_amounts or {}
    lines = ["Order ID,Customer,Order Date,Status,Amount,Currency,Gift Wrap"]
    for i in range(rows):
        at = START + dt.timedelta(minutes=37 * i)
        amount = bad.get(i, f"{(i * 13) % 500 + 9.99:.2f}")
        wrap = "true" if i % 3 == 0 else "false"
        status = STATUSES[i % 4]
        lines.append(
            f"{1000 + i},C-{i % 37:04d},{at:%Y-%m-%d %H:%M:%S},{status},{amount},EUR,{wrap}"
        )
    return ("\n".join(lines) + "\n").encode()


def european_csv_gz(rows: int = 120) -> bytes:
    """A legacy export: two preamble lines, semicolons, cp1252, day-first dates, decimal commas."""
    lines = ["Export client ERP", "Généré le 30/11/2026", "N° client;Nom;Créé le;Solde"]
    for i in range(rows):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=3 * i)
        lines.append(f"{500 + i};Café n°{i};{day:%d/%m/%Y};{i * 7 % 900},{i % 100:02d}")
    return gzip.compress(("\r\n".join(lines) + "\r\n").encode("cp1252"), mtime=0)


def events_ndjson(rows: int = 150) -> bytes:
    out = io.StringIO()
    for i in range(rows):
        at = START + dt.timedelta(seconds=611 * i)
        record = {
            "event_id": f"ev-{i:05d}",
            "occurred_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "user": {"id": 10 + i % 9, "country": ("FR", "DE", "ES")[i % 3]},
            "value": round(i * 0.25, 2),
            "tags": ["a", "b"][: i % 3],
        }
        out.write(json.dumps(record) + "\n")
    return out.getvalue().encode()


def catalogue_json(rows: int = 80) -> bytes:
    """A vendor's product catalogue: the records under ``data``, paging facts under ``meta``."""
    data = [
        {
            "sku": f"P-{i:04d}",
            "name": f"Product {i}",
            "price": f"{5 + i * 1.5:.2f}",
            "in_stock": i % 4 != 0,
            "listed_on": f"{dt.date(2025, 1, 1) + dt.timedelta(days=i):%Y-%m-%d}",
        }
        for i in range(rows)
    ]
    document = {"data": data, "meta": {"count": rows, "next_cursor": None}}
    return json.dumps(document, indent=1).encode()


def budget_xlsx(path: Path, rows: int = 60) -> Path:
    """A finance workbook: a title and a blank row above the header, then a notes sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Budget"
    sheet.append(["Budget 2026 by cost centre"])
    sheet.append([])
    sheet.append(["Month", "Cost Centre", "Budget (EUR)", "Headcount"])
    for i in range(rows):
        month = dt.date(2026, 1 + i % 12, 1)
        sheet.append([month, f"CC-{i // 12:02d}", round(1000 + i * 12.5, 2), i % 7 + 1])
    book.create_sheet("Notes").append(["Figures approved by the CFO"])
    book.save(path)
    return path
