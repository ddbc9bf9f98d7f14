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


def main() -> None:
    rng = random.Random(11)
    wb = Workbook()
    ws = wb.active
    ws.title = "Spend"
    ws.append(["Marketing spend, November 2026 (EUR, tax excluded)"])
    ws.append([])
    ws.append(["Date", "Channel", "Campaign", "Spend", "Currency"])
    for day in range(3):
        spend_date = date(2026, 11, 1) + timedelta(days=day)
        for channel, campaigns in CAMPAIGNS.items():
            for campaign in campaigns:
                spend = round(BUDGET[channel] * rng.uniform(0.6, 1.4), 2)
                ws.append([spend_date, channel, campaign, spend, "EUR"])
                ws.cell(ws.max_row, 1).number_format = "yyyy-mm-dd"
                ws.cell(ws.max_row, 4).number_format = "#,##0.00"
    OUT.parent.mkdir(exist_ok=True)
    wb.save(OUT)


if __name__ == "__main__":
    main()
