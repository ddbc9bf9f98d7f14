"""Regenerate samples/marketing_spend/marketing_spend_2026-11.xlsx, the marketing team's monthly
workbook: a title, a blank row, then one row per day, channel and campaign (sheet "Spend").
Deterministic: ``python samples/make_marketing_spend.py`` (needs openpyxl).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

OUT = Path(__file__).resolve().parent / "marketing_spend" / "marketing_spend_2026-11.xlsx"
CAMPAIGNS = {
    "paid_search": ["brand_search", "generic_search"],
    "social": ["autumn_reels"],
    "affiliate": ["cashback_partners"],
    "email": ["newsletter"],
}
BUDGET = {"paid_search": 240, "social": 320, "affiliate": 160, "email": 45}


def write_workbook(path: Path, month: date, days: int, rng: random.Random) -> None:
    """One month's workbook: a title, a blank row, then a row per day, channel and campaign."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Spend"
    ws.append([f"Marketing spend, {month:%B %Y} (EUR, tax excluded)"])
    ws.append([])
    ws.append(["Date", "Channel", "Campaign", "Spend", "Currency"])
    for day in range(days):
        spend_date = month + timedelta(days=day)
        for channel, campaigns in CAMPAIGNS.items():
            for campaign in campaigns:
                spend = round(BUDGET[channel] * rng.uniform(0.6, 1.4), 2)
                ws.append([spend_date, channel, campaign, spend, "EUR"])
                ws.cell(ws.max_row, 1).number_format = "yyyy-mm-dd"
                ws.cell(ws.max_row, 4).number_format = "#,##0.00"
    path.parent.mkdir(exist_ok=True)
    wb.save(path)


def main() -> None:
    write_workbook(OUT, date(2026, 11, 1), 3, random.Random(11))


if __name__ == "__main__":
    main()
