"""Regenerate the legacy and vendor samples in samples/legacy/: one small file per format that
legacy systems and vendors bring, each with a row or two a contract must reject (their
contracts are in tests/formats/project/sources/). Deterministic: the same bytes on every run
(``python samples/legacy/make_legacy.py``; needs openpyxl).
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
EPOCH = (2026, 11, 24, 6, 0, 0)  # archive entries' fixed time
CUSTOMERS = ["Müller GmbH", "Café Olé SL", "Nørd AS", "Dupont & Fils", "Smith Ltd"]


def erp_invoices() -> None:
    """A mainframe ERP's fixed-width invoice extract, latin-1, with a header and a trailer
    record that counts the detail records."""
    lines = ["HDRERPX  20261124"]
    for number in range(1, 9):
        customer = CUSTOMERS[number % len(CUSTOMERS)]
        amount = f"{number * 123.45:011.2f}"
        if number == 6:
            amount = "0000ABC.00"  # a corrupted amount: rejected with its line
        lines.append(f"{number:07d}{customer:<22}2026-11-{16 + number:02d}{amount:>11}EUR")
    lines.append(f"TRL{8:08d}")
    write(
        HERE / "erp_invoices" / "INV20261124.txt", ("\r\n".join(lines) + "\r\n").encode("latin-1")
    )


def warehouse_stock() -> None:
    """A warehouse system's stock report: namespaced XML, attributes and nested elements."""
    items = []
    for number in range(1, 7):
        qty = str(number * 3) if number != 4 else "three"  # a quantity in words: rejected
        items.append(
            f'    <inv:Item sku="SKU-{number:03d}">\n'
            f"      <inv:name>Widget {number} &amp; co</inv:name>\n"
            f"      <inv:qty>{qty}</inv:qty>\n"
            f'      <inv:price currency="EUR">{number * 2.5:.2f}</inv:price>\n'
            f'      <inv:supplier id="{100 + number % 2}"><inv:name>Acmé {number % 2}</inv:name>'
            "</inv:supplier>\n"
            "    </inv:Item>\n"
        )
    text = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        '<inv:Stock xmlns:inv="urn:example:inventory" date="2026-11-24">\n'
        '  <inv:Warehouse code="MAD1">\n' + "".join(items) + "  </inv:Warehouse>\n</inv:Stock>\n"
    )
    write(HERE / "warehouse_stock" / "stock_2026-11-24.xml", text.encode("latin-1"))


def store_sales() -> None:
    """Twelve stores' daily sales in one zip, with a readme the contract's pattern skips."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for store in range(1, 13):
            rows = [f"{store:02d}-{n},2026-11-24,{store * 10 + n}.50" for n in range(1, 4)]
            if store == 7:
                rows[1] = "07-2,2026-11-31,12.00"  # no such day: rejected
            body = "ticket,sale_date,total\n" + "\n".join(rows) + "\n"
            entry = zipfile.ZipInfo(f"stores/store_{store:02d}.csv", EPOCH)
            archive.writestr(entry, body)
        archive.writestr(zipfile.ZipInfo("README.txt", EPOCH), "Daily export, one file a store.\n")
    write(HERE / "store_sales" / "store_sales_2026-11-24.zip", buffer.getvalue())


def pos_exports() -> None:
    """A point-of-sale vendor's export: a .tar.gz of CSV files and a manifest."""
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.USTAR_FORMAT) as archive,
    ):
        for terminal in range(1, 4):
            rows = [f"T{terminal}-{n},{n * terminal},{n}.99" for n in range(1, 5)]
            add(
                archive,
                f"export/terminal_{terminal}.csv",
                "receipt,items,amount\n" + "\n".join(rows) + "\n",
            )
        add(archive, "export/manifest.json", json.dumps({"files": 3}))
    write(HERE / "pos_exports" / "pos_2026-11-24.tar.gz", buffer.getvalue())


def add(archive: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), 1795500000, 0o644
    archive.addfile(info, io.BytesIO(data))


def finance_budgets() -> None:
    """Finance's budget workbook: one sheet a quarter, and a notes sheet left out."""
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["Budgets in EUR; approved by the CFO on 2026-10-30."])
    for quarter in (1, 2):
        sheet = workbook.create_sheet(f"Budget 2026 Q{quarter}")
        sheet.append(["Cost centre", "Month", "Budget"])
        for month in range(3 * quarter - 2, 3 * quarter + 1):
            for centre in ("Marketing", "Operations"):
                sheet.append([centre, f"2026-{month:02d}", 10000 + 500 * month])
        if quarter == 2:
            sheet.append(["Operations", "2026-13", 1])  # no such month: rejected
    buffer = io.BytesIO()
    workbook.save(buffer)
    write(HERE / "finance_budgets" / "budgets_2026.xlsx", _stable_zip(buffer.getvalue()))


def _stable_zip(data: bytes) -> bytes:
    """The workbook's zip with fixed entry times and no creation date: the same bytes always."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = b'<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"/>'
            target.writestr(zipfile.ZipInfo(info.filename, EPOCH), body)
    return out.getvalue()


def eu_sales() -> None:
    """A European subsidiary's sales: semicolons, decimal commas, thousands dots, cp1252."""
    rows = [
        "Beleg;Datum;Kunde;Betrag",
        "1001;24.11.2026;Müller GmbH;1.234,50",
        "1002;24.11.2026;Café Olé SL;89,90",
        "1003;24.11.2026;Nørd AS;12.345.678,00",
        "1004;24.11.2026;Smith Ltd;12.34,5",  # misplaced grouping: rejected, not misread
        "1005;24.11.2026;Dupont & Fils;-15,00",
    ]
    write(HERE / "eu_sales" / "umsatz_20261124.csv", ("\r\n".join(rows) + "\r\n").encode("cp1252"))


def bank_statements() -> None:
    """A bank's statement export: a CSV with a trailer line counting the records."""
    rows = ["booking_id,booked_on,amount,counterparty"]
    rows += [f"B{n:04d},2026-11-24,{(-1) ** n * n * 10.25:.2f},Party {n}" for n in range(1, 7)]
    rows.append("TRAILER,RECORDS=6,CHECKSUM=0")
    write(HERE / "bank_statements" / "statement_2026-11-24.csv", ("\n".join(rows) + "\n").encode())


def vendor_products() -> None:
    """A vendor's catalogue: records under `data`, paging details under `meta`."""
    data = [
        {
            "id": n,
            "title": f"Product {n}",
            "price": {"amount": f"{n * 9.99:.2f}", "currency": "EUR"},
        }
        for n in range(1, 6)
    ]
    data[2]["price"]["amount"] = "n/a"  # rejected: not a price
    body = {"data": data, "meta": {"page": 1, "total": 5, "generated": "2026-11-24T06:00:00Z"}}
    write(
        HERE / "vendor_products" / "products_2026-11-24.json", json.dumps(body, indent=2).encode()
    )


def carrier_events() -> None:
    """A carrier's tracking events: JSON Lines, gzipped."""
    lines = [
        json.dumps(
            {
                "parcel": f"P{n:05d}",
                "event": "delivered" if n % 2 else "in_transit",
                "at": f"2026-11-24T0{n}:15:00Z",
            }
        )
        for n in range(1, 8)
    ]
    lines.insert(4, '{"parcel": "P99999", "event": ')  # a truncated line: rejected
    text = ("\n".join(lines) + "\n").encode()
    write(HERE / "carrier_events" / "events_2026-11-24.ndjson.gz", gzip.compress(text, mtime=0))


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def main() -> None:
    for make in (
        erp_invoices,
        warehouse_stock,
        store_sales,
        pos_exports,
        finance_budgets,
        eu_sales,
        bank_statements,
        vendor_products,
        carrier_events,
    ):
        make()


if __name__ == "__main__":
    main()
