"""What a person sees in headless Chromium, with JavaScript off: board, a submission, login, code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server_helpers import CHALLENGE, REFERENCE, Board

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
    assert rows.count() == 2, board.server.api("GET", f"/api/submissions/{board.ids['bob']}").text[:2000]
    assert rows.nth(0).locator("td").nth(1).inner_text() == "alice"
    assert rows.nth(1).locator("td").nth(1).inner_text() == "bob"
    assert rows.nth(0).locator("td").nth(2).inner_text() == "20/20"  # the total against the maximum

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


LONG = "a_rather_long_word_" * 40


def reopened(context, page):  # noqa: ANN001, ANN201
    """The page's address in a fresh tab of ``context``: reloading a page that refreshes itself (a grading in
    progress) can race its own meta refresh, and the reload is then aborted."""
    url = page.url
    page.close()
    fresh = context.new_page()
    fresh.goto(url)
    return fresh


def test_submit_in_the_browser_then_a_wrapped_result_progress_stats_and_a_rejudge(board: Board, browser) -> None:  # noqa: ANN001
    server = board.server
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/login?next=/challenges/{CHALLENGE}")
    page.fill("input[name=token]", board.tokens["carol"])
    page.get_by_role("button", name="Log in").click()
    assert page.url == f"{server.url}/challenges/{CHALLENGE}"
    assert "log_softmax" in page.locator("#statement").inner_text()
    assert page.locator("#submit input[name=csrf]").get_attribute("value")
    page.fill("textarea[name=code]", f"def log_softmax(x, dim=-1):\n    raise ValueError({LONG!r})\n\n"
                                     f"def cross_entropy(logits, targets, **kw):\n    raise ValueError({LONG!r})\n")
    page.get_by_role("button", name="Submit").click()
    assert "/submissions/" in page.url
    submission_id = int(page.url.rsplit("/", 1)[1])
    assert page.locator('meta[http-equiv="refresh"]').count() == 1  # queued or running: it refreshes itself
    server.wait_done(submission_id)
    page = reopened(context, page)
    assert page.locator("#verdict").inner_text() == "RE"
    assert page.locator("#groups tbody tr").count() >= 3
    assert "s / 3.00s" in page.locator("#tests tbody tr").first.inner_text()  # time against the per-test limit
    assert LONG in page.locator("#tests").inner_text()
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the 1280px window"

    page.goto(f"{server.url}/users/carol")
    progress = page.locator("#progress tbody tr", has_text=CHALLENGE)
    assert "0/20" in progress.inner_text() and "solved" not in progress.inner_text()
    page.goto(f"{server.url}/challenges/{CHALLENGE}")
    assert "1 member(s) solved it" in page.locator("#stats").inner_text()

    admin = browser.new_context(java_script_enabled=False)
    page = admin.new_page()
    page.goto(f"{server.url}/login?next=/admin")
    page.fill("input[name=token]", board.tokens["root"])
    page.get_by_role("button", name="Log in").click()
    assert page.url == f"{server.url}/admin" and page.locator("#users tbody tr", has_text="carol").count() == 1
    page.fill("#rejudge-submission input[name=submission]", str(submission_id))
    page.locator("#rejudge-submission button").click()
    assert "/admin/rejudges/" in page.url
    server.wait_done(submission_id)
    page = reopened(admin, page)
    row = page.locator("#changes tbody tr")
    assert row.count() == 1 and row.locator("td").nth(2).inner_text().startswith("RE")
    assert row.locator("td").nth(3).inner_text().startswith("RE")
    assert "0 changed" in page.locator("#summary").inner_text()
    admin.close()
    context.close()
