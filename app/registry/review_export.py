"""A review list as the XLSX a clerk forwards: Chinese headers, one row per record, no
ID number."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

from app.core.reference import city_names
from app.registry.review_lists import ReviewItem, ReviewList

TITLES_ZH: dict[ReviewList, str] = {
    ReviewList.expiring: "90天内到期的特殊标识",
    ReviewList.stale: "超过一年未更新备案的记录",
    ReviewList.retiring: "达到或半年内将达到法定退休年龄的持标人员",
}
DUE_ZH: dict[ReviewList, str] = {
    ReviewList.expiring: "有效期至",
    ReviewList.stale: "最近备案日期",
    ReviewList.retiring: "法定退休日期",
}


def review_xlsx(which: ReviewList, items: Sequence[ReviewItem]) -> bytes:
    cities = city_names()
    rows = [
        (
            number,
            item.name,
            cities.get(item.city_code, item.city_code),
            item.marker_code or "",
            item.due.isoformat(),
        )
        for number, item in enumerate(items, start=1)
    ]
    return table_xlsx(TITLES_ZH[which], ("序号", "姓名", "设区市", "标识编码", DUE_ZH[which]), rows)


def table_xlsx(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    sheet_title: str = "复核清单",
) -> bytes:
    """One sheet: the title, the header row, the rows; columns wide enough for Chinese.
    Text is kept as text: a value starting with "=" is never made a formula."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = sheet_title
    sheet.append([title])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for line in sheet.iter_rows():
        for cell in line:
            if cell.data_type == "f":
                cell.data_type = "s"
    for index in range(len(headers)):
        sheet.column_dimensions[chr(ord("A") + index)].width = 16
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
