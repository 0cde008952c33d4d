"""The leaderboard against a real SQLite server: CLI submit, ranking, auth, limits, pages."""

from __future__ import annotations

import json
from pathlib import Path

from server_helpers import CHALLENGE, REFERENCE, Board, run_mlj


def test_cli_submit_waits_and_prints_the_verdict(board: Board) -> None:
    alice = board.outputs["alice"]
    assert alice.exit_code == 0, alice.output
    assert "AC  accepted" in alice.stdout and "score 20/20" in alice.stdout
    assert f"{board.server.url}/submissions/{board.ids['alice']}" in alice.stdout


def test_no_wait_returns_once_stored(board: Board) -> None:
    stored = json.loads(board.outputs["bob"].stdout)
    assert stored["status"] in ("queued", "running") and stored["user"] == "bob"
    assert 'http-equiv="refresh"' in board.outputs["bob_page"]  # the page refreshes itself while pending
    bob = board.server.api("GET", f"/api/submissions/{board.ids['bob']}").json()
    assert bob["status"] == "done" and bob["verdict"] == "RE" and bob["score"] == 0
    assert 'http-equiv="refresh"' not in board.server.api("GET", f"/submissions/{board.ids['bob']}").text


def test_board_ranks_best_scores(board: Board) -> None:
    overall = board.server.api("GET", "/api/leaderboard").json()
    assert [(r["rank"], r["user"], r["total"]) for r in overall["rows"]] == [(1, "alice", 20.0), (2, "bob", 0.0)]
    assert overall["rows"][0]["challenges"][CHALLENGE]["submission_id"] == board.ids["alice"]
    per = board.server.api("GET", f"/api/challenges/{CHALLENGE}/leaderboard").json()
    assert [(r["user"], r["score"], r["max_score"]) for r in per["rows"]] == [("alice", 20.0, 20.0), ("bob", 0.0, 20.0)]
    assert board.server.api("GET", "/api/challenges/nope/leaderboard").status_code == 404
    html = board.server.api("GET", "/").text
    assert html.index(">alice<") < html.index(">bob<")
    table = run_mlj("leaderboard", "--server", board.server.url)
    assert table.exit_code == 0 and table.stdout.index("alice") < table.stdout.index("bob") and "20/20" in table.stdout
    as_json = run_mlj("leaderboard", "--server", board.server.url, "--challenge", CHALLENGE, "--json")
    assert [r["user"] for r in json.loads(as_json.stdout)["rows"]] == ["alice", "bob"]


def test_history_per_user(board: Board) -> None:
    history = board.server.api("GET", "/api/users/bob/submissions").json()["submissions"]
    assert [(s["id"], s["verdict"]) for s in history][-1] == (board.ids["bob"], "RE")
    assert "code" not in history[0]
    assert board.server.api("GET", "/api/users/nobody/submissions").status_code == 404
    assert f'href="/submissions/{board.ids["bob"]}"' in board.server.api("GET", "/users/bob").text


def test_no_token_or_a_bad_token_is_refused(board: Board) -> None:
    body = {"challenge": CHALLENGE, "code": "x = 1\n"}
    for token, detail in ((None, "authentication required"), ("mlj_not-a-real-token", "invalid token")):
        response = board.server.api("POST", "/api/submissions", token, json=body)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        assert detail in response.json()["detail"]
    refused = run_mlj("login", "--server", board.server.url, "--token", "mlj_wrong", config=board.config["carol"])
    assert refused.exit_code == 2 and "refused the token" in refused.output
    unknown = run_mlj("submit", CHALLENGE, str(REFERENCE), "--server", board.server.url, config=board.config["carol"])
    assert unknown.exit_code == 2 and "not logged in" in unknown.output


def test_code_is_visible_to_its_author_and_admins_only(board: Board) -> None:
    alice_id, server = board.ids["alice"], board.server
    assert server.api("GET", f"/api/submissions/{alice_id}/code").status_code == 401
    forbidden = server.api("GET", f"/api/submissions/{alice_id}/code", board.tokens["bob"])
    assert forbidden.status_code == 403 and "alice" in forbidden.json()["detail"]
    for reader in ("alice", "root"):
        response = server.api("GET", f"/api/submissions/{alice_id}/code", board.tokens[reader])
        assert response.status_code == 200 and response.text == REFERENCE.read_text()
    as_bob = server.api("GET", f"/api/submissions/{alice_id}", board.tokens["bob"]).json()
    assert "code" not in as_bob and as_bob["code_visible"] is False and as_bob["result"]["log"] == ""
    assert as_bob["result"]["tests"] and all(t["verdict"] == "AC" for t in as_bob["result"]["tests"])
    own = server.api("GET", f"/api/submissions/{board.ids['bob']}", board.tokens["bob"]).json()
    assert own["code"].startswith('"""') and own["result"]["tests"][0]["message"]
    page = server.api("GET", f"/submissions/{alice_id}", cookies={"mlj_token": board.tokens["bob"]}).text
    assert "log_softmax" not in page.split('id="groups"')[0] and 'id="code-hidden"' in page


def test_login_form_sets_an_httponly_strict_cookie(board: Board) -> None:
    server = board.server
    bad = server.browser_post("/login", {"token": "nope", "next": "/"})
    assert bad.status_code == 401 and "not valid" in bad.text and "mlj_token" not in bad.headers.get("set-cookie", "")
    good = server.browser_post("/login", {"token": board.tokens["alice"], "next": "https://evil.example/"})
    assert good.status_code == 303 and good.headers["location"] == "/users/alice"
    cookie = good.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie  # plain http here


def test_size_limit_and_bad_requests(board: Board, tmp_path: Path) -> None:
    server, carol = board.server, board.tokens["carol"]
    big = server.api("POST", "/api/submissions", carol, json={"challenge": CHALLENGE, "code": "#" * (300 << 10)})
    assert big.status_code == 413 and "at most 262144 bytes" in big.json()["detail"]
    huge = tmp_path / "huge.py"
    huge.write_text("#" * (300 << 10))
    assert run_mlj("login", "--server", server.url, "--token", carol, config=board.config["carol"]).exit_code == 0
    cli_big = run_mlj("submit", CHALLENGE, str(huge), "--server", server.url, config=board.config["carol"])
    assert cli_big.exit_code == 2 and "too large" in cli_big.output
    assert server.api("POST", "/api/submissions", carol, content=b"{not json").status_code == 400
    nope = server.api("POST", "/api/submissions", carol, json={"challenge": "nope", "code": "x = 1\n"})
    assert nope.status_code == 404 and "softmax-cross-entropy" in nope.json()["detail"]
    assert server.api("GET", "/api/users/carol/submissions").json()["submissions"] == []
