"""What a person sees in headless Chromium, with JavaScript off: board, a submission, login, code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server_helpers import REFERENCE, Board

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"  # Debian's chromium package; installed by .ci/run
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def test_board_to_submission_and_login(board: Board, browser) -> None:  # noqa: ANN001
    context = browser.new_context(java_script_enabled=False)  # everything must work without JavaScript
    page = context.new_page()
    page.goto(board.server.url + "/")
    assert page.title() == "Leaderboard · mlj"
    rows = page.locator("#board tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(1).inner_text() == "alice"
    assert rows.nth(1).locator("td").nth(1).inner_text() == "bob"
    assert rows.nth(0).locator("td").nth(2).inner_text() == "20"

    rows.nth(0).locator("a[href^='/submissions/']").click()  # alice's score on the challenge
    assert page.url == f"{board.server.url}/submissions/{board.ids['alice']}"
    assert page.locator("#verdict").inner_text() == "AC"
    assert page.locator("#score").inner_text() == "20/20"
    verdicts = page.locator("#tests tbody tr td:nth-child(3)").all_inner_texts()
    assert len(verdicts) > 10 and set(verdicts) == {"AC"}
    assert page.locator("#code").count() == 0
    assert "Only alice and admins can see this code" in page.locator("#code-hidden").inner_text()

    page.get_by_role("link", name="Log in").first.click()  # the form brings her back to this page
    page.fill("input[name=token]", board.tokens["alice"])
    page.get_by_role("button", name="Log in").click()
    assert page.url == f"{board.server.url}/submissions/{board.ids['alice']}"
    assert page.locator("#code").inner_text().strip() == REFERENCE.read_text().strip()
    assert page.locator("header").get_by_role("link", name="alice").count() == 1
    cookie = next(c for c in context.cookies() if c["name"] == "mlj_token")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    page.get_by_role("button", name="Log out").click()
    assert page.url == board.server.url + "/"
    page.goto(f"{board.server.url}/login")
    page.fill("input[name=token]", board.tokens["bob"])
    page.get_by_role("button", name="Log in").click()
    assert page.url == f"{board.server.url}/users/bob"
    page.goto(f"{board.server.url}/submissions/{board.ids['alice']}")
    assert page.locator("#code").count() == 0 and page.locator("#code-hidden").count() == 1
    context.close()
