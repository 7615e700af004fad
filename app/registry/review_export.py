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
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "复核清单"
    sheet.append([TITLES_ZH[which]])
    sheet.append(["序号", "姓名", "设区市", "标识编码", DUE_ZH[which]])
    cities = city_names()
    for number, item in enumerate(items, start=1):
        sheet.append(
            [
                number,
                item.name,
                cities.get(item.city_code, item.city_code),
                item.marker_code or "",
                item.due.isoformat(),
            ]
        )
    for column, width in zip("ABCDE", (6, 12, 10, 18, 14), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
