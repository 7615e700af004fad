"""Every page of every role, checked by axe-core in Chromium (no serious or critical
violation) and at a phone's width (390 px: nothing wider than the screen).

One browser; each role walks its pages in one session, following the links it is shown
(one page of each route), on the demo's data (filings, talents, a partner, accounts).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from app.demo.load import DEMO_PASSWORD as DEMO_LOGIN_PASSWORD
from app.demo.load import load_demo
from app.pages.router import router as pages_router
from tests.pages.conftest import OFFICE_SCREEN, PHONE_SCREEN, LiveServer, needs_chromium

pytestmark = needs_chromium

SERIOUS = {"serious", "critical"}
PHONE_WIDTH = PHONE_SCREEN["width"]
# Where each role starts; it reaches the rest by the links it is shown.
STARTS = {
    "public": ["/roster", "/login", "/verify/LT-0000000000ZZ", "/verify?code=lt-nope"],
    "admin": ["/", "/talents", "/partners", "/accounts", "/audit", "/oversight/reviews"],
    "hefei": ["/", "/talents", "/studios", "/studios/new", "/assistance", "/assistance/new"],
    "wuhu": ["/"],  # a filing with errors waits for this city
    "clerk": ["/"],
    "auditor": ["/", "/audit", "/audit/verify", "/oversight/calendar", "/tasks"],
}
# Downloads and pages only reached by a form, not by a link.
_NOT_PAGES = re.compile(r"\.(csv|xlsx|png|json)$|^/static/|^/logout|^/docs|^/api/")


def _page_routes() -> list[tuple[str, re.Pattern[str]]]:
    """Each GET page route: its path template and a pattern matching its paths."""
    found: list[tuple[str, re.Pattern[str]]] = []

    def walk(routes: Any) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes)
            elif "GET" in (getattr(route, "methods", None) or ()) and not _NOT_PAGES.search(
                route.path
            ):
                pattern = re.sub(r"\{[^}]+\}", "[^/]+", route.path)
                found.append((route.path, re.compile(f"^{pattern}$")))

    walk(pages_router.routes)
    return found


ROUTES = _page_routes()
# Routes no walk reaches: detail pages of records the demo does not make.
UNVISITED = {
    "/studios/{application_id}",
    "/assistance/{case_id}",
    "/audit/export.{extension}",  # a download the events page links to, not a page
}
VISITED: dict[str, set[str]] = {}  # role -> the routes its walk visited


def _template_of(path: str) -> str | None:
    matches = [template for template, pattern in ROUTES if pattern.match(path)]
    # A literal route ("/studios/new") before a parametrised one ("/studios/{id}").
    return min(matches, key=lambda t: t.count("{")) if matches else None


@pytest.fixture(scope="module")
def demo_server(live_server: LiveServer) -> Iterator[LiveServer]:
    with live_server.session() as session:
        lines = load_demo(session)
    holder = next(line for line in lines if "holder with a marker" in line)
    COUNTER_SAMPLES.append(re.findall(r"ID (\w{18})", holder)[0])
    yield live_server


COUNTER_SAMPLES: list[str] = []  # a marker holder's ID number, from the demo's own lines


def _counter_answers(page: Any, server: LiveServer) -> Iterator[str]:
    """The counter's answers are POST pages no link reaches: a holder, then a typo. Yields
    with each answer on the page."""
    for number in (*COUNTER_SAMPLES, "abc123"):
        page.goto(f"{server.url}/counter")
        page.get_by_label("身份证号或蓝卡卡号").fill(number)
        page.get_by_label("服务事项").select_option(index=1)
        page.get_by_label("查询事由").fill("无障碍检查")
        page.get_by_label("身份证号或蓝卡卡号").press("Enter")
        page.wait_for_load_state()
        assert page.locator(".verdict, .notice, [role=alert]").count() > 0
        yield number


def _links(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    out = []
    for href in hrefs:
        url = urlsplit(urljoin(page.url, href))
        if f"{url.scheme}://{url.netloc}" == base and not _NOT_PAGES.search(url.path):
            out.append(url.path + (f"?{url.query}" if url.query else ""))
    return out


def _walk(
    page: Any, server: LiveServer, starts: list[str], check: Callable[[str], None]
) -> dict[str, str]:
    """Visit the start pages and every route linked from them (once each), calling `check`
    on each page as it is shown: route -> path."""
    seen: dict[str, str] = {}
    queue = list(starts)
    while queue:
        path = queue.pop(0)
        template = _template_of(path.split("?")[0])
        if template is None or template in seen:
            continue
        page.goto(server.url + path)
        seen[template] = path
        check(path)
        queue.extend(_links(page, server.url))
    return seen


def _log_in(page: Any, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_LOGIN_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def _serious(results: Any) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} @ "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


_BODY_WIDTH = "() => document.scrollingElement.scrollWidth"


@pytest.mark.parametrize("who", list(STARTS))
def test_every_page_passes_axe_and_fits_a_phone(
    demo_server: LiveServer, browser: Any, who: str
) -> None:
    axe = Axe()
    context = browser.new_context(viewport=OFFICE_SCREEN, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    if who != "public":
        _log_in(page, demo_server, who)
    problems: dict[str, list[str]] = {}

    def check(shown: str) -> None:
        if found := _serious(axe.run(page)):
            problems[shown] = found

    visited = _walk(page, demo_server, STARTS[who], check)
    VISITED[who] = set(visited)
    if who == "clerk":
        for number in _counter_answers(page, demo_server):
            check(f"counter answer to {number}")
    page.set_viewport_size(PHONE_SCREEN)
    too_wide = {}
    for path in visited.values():
        page.goto(demo_server.url + path)
        width = page.evaluate(_BODY_WIDTH)
        if width > PHONE_WIDTH + 2:
            too_wide[path] = width
    context.close()
    assert len(visited) >= len(STARTS[who])
    assert problems == {}
    assert too_wide == {}


def test_the_walks_cover_every_page() -> None:
    """Run after the walks (same module, one worker): together they visit every page."""
    if set(VISITED) != set(STARTS):
        pytest.skip("needs every role's walk in this run")
    reached = set().union(*VISITED.values())
    assert {template for template, _ in ROUTES} - reached == UNVISITED


def test_axe_reports_what_it_should(browser: Any) -> None:
    """The check can fail: an unlabelled field and grey-on-white text are serious to axe."""
    page = browser.new_page()
    page.set_content(
        '<html lang="zh-CN"><head><title>t</title></head><body><main>'
        '<p style="color:#bbb;background:#fff">浅灰色文字</p><input type="text">'
        "</main></body></html>"
    )
    found = " ".join(_serious(Axe().run(page)))
    page.close()
    assert "label" in found and "color-contrast" in found
