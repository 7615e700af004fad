"""The pages say what the notice says, and claim nothing untrue (issue 20, point 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

TEMPLATES = Path(__file__).parents[2] / "app" / "pages" / "templates"
# Court words for 帮扶 and 公示 (which implies an objection period) are not the notice's.
NOT_THE_NOTICES = ("公示", "案件", "立案", "结案")


@pytest.mark.parametrize("word", NOT_THE_NOTICES)
def test_no_template_uses_a_word_the_notice_does_not(word: str) -> None:
    used = [p.name for p in TEMPLATES.rglob("*.html") if word in p.read_text(encoding="utf-8")]
    assert used == []


def test_home_page_names_the_notice_by_its_title(client: TestClient) -> None:
    page = client.get("/")
    assert "《关于贯彻落实提高技术工人待遇意见的通知》" in page.text
    assert "公布名单" in page.text


def test_audit_page_does_not_claim_lookups_are_in_the_chain() -> None:
    text = (TEMPLATES / "audit.html").read_text(encoding="utf-8")
    assert "优先资格查询不在审计链中" in text


def test_verify_page_does_not_speak_of_a_card_the_person_may_lack() -> None:
    text = (TEMPLATES / "verify.html").read_text(encoding="utf-8")
    assert "蓝卡" not in text
