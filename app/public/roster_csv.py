"""The published roster as a CSV file that Excel opens correctly and safely.

UTF-8 with a byte-order mark (Excel reads BOM-less UTF-8 as the local code page) and
Chinese headers. A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
would run as a formula in a spreadsheet: it gets a leading `'` so it stays text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from app.core.reference import short_name_zh
from app.public.schemas import RosterItem

HEADERS = ("姓名", "性别", "所在市", "工作单位", "职业工种", "人才类别", "备案日期")
_GENDER_ZH = {"M": "男", "F": "女"}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def roster_csv(chunks: Iterable[Iterable[RosterItem]]) -> Iterator[bytes]:
    """The file, a piece per chunk of items: the whole roster is never in memory at once."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for items in chunks:
        for item in items:
            writer.writerow(
                safe_cell(cell)
                for cell in (
                    item.name,
                    _GENDER_ZH.get(item.gender, item.gender),
                    item.city_name,
                    item.employer,
                    item.occupation,
                    "；".join(short_name_zh("categories", c) for c in item.categories),
                    item.filed_on.isoformat(),
                )
            )
        yield out.getvalue().encode("utf-8")
        out.seek(0)
        out.truncate()
    if out.tell():
        yield out.getvalue().encode("utf-8")  # an empty roster: the header alone


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value
