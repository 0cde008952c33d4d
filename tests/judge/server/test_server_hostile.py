"""What a hostile member or an anonymous visitor tries against the shared board, and the 4xx each gets."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

from server_helpers import CHALLENGE, REFERENCE, Board, run_mlj

from judge import CHALLENGES_DIR


def test_challenge_ids_are_catalog_names_never_paths(board: Board) -> None:
    server, carol = board.server, board.tokens["carol"]
    spellings = [f"{CHALLENGE}/", f"./{CHALLENGE}", f"{CHALLENGE}/.", f"../challenges/{CHALLENGE}",
                 str(CHALLENGES_DIR / CHALLENGE), "/etc", "../tests/fixtures/softmax", "does-not-exist"]
    details = set()
    for spelling in spellings:
        refused = server.api("POST", "/api/submissions", carol, json={"challenge": spelling, "code": "x = 1\n"})
        assert refused.status_code == 404, (spelling, refused.text)
        details.add(refused.json()["detail"].replace(repr(spelling), "ID"))
        board_page = server.api("GET", f"/api/challenges/{spelling.replace('/', '%2F')}/leaderboard")
        assert board_page.status_code == 404
    assert len(details) == 1, details  # one message, whatever exists on disk
    assert server.api("GET", "/api/users/carol/submissions").json()["submissions"] == []
    assert set(server.api("GET", "/api/leaderboard").json()["challenges"]) == set(
        server.api("GET", "/api/challenges").json())


def test_malformed_inputs_are_4xx_with_a_message(board: Board) -> None:
    server, carol = board.server, board.tokens["carol"]
    nested = server.api("POST", "/api/submissions", carol, content=b"[" * 100_000 + b"]" * 100_000,
                        headers={"Content-Type": "application/json"})
    assert nested.status_code == 400 and "nested too deeply" in nested.json()["detail"]
    surrogate = server.api("POST", "/api/submissions", carol, content=b'{"challenge": "%s", "code": "x = \\ud800"}'
                           % CHALLENGE.encode(), headers={"Content-Type": "application/json"})
    assert surrogate.status_code == 400 and "lone surrogate" in surrogate.json()["detail"]
    for path in (f"/api/submissions/{10**23}", f"/api/submissions/{10**23}/code", "/api/submissions/-1",
                 "/api/submissions/x"):
        response = server.api("GET", path)
        assert response.status_code == 404 and "no submission" in response.json()["detail"], path
    page = server.api("GET", f"/submissions/{10**23}")
    assert page.status_code == 404 and "no submission" in page.text
    wrong_shape = server.api("POST", "/api/submissions", carol, json=["a"])
    assert wrong_shape.status_code == 400 and '"challenge"' in wrong_shape.json()["detail"]


def _chunked_post(url_port: int, path: str, total: int) -> tuple[int, float]:
    """POST ``total`` bytes chunked (no Content-Length); the status and how long the answer took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", url_port), timeout=30) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{url_port}\r\nOrigin: http://127.0.0.1:{url_port}\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
        chunk = b"a" * (1 << 20)
        try:
            for _ in range(total >> 20):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before we finished: what we want
        answer = sock.recv(200).decode("latin-1")
    return int(answer.split()[1]), time.monotonic() - started


def test_every_body_is_capped_as_it_arrives(board: Board) -> None:
    server = board.server
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:  # declared: refused unread
        sock.sendall(f"POST /login HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nOrigin: {server.url}\r\n"
                     f"Content-Length: {16 << 20}\r\n\r\n".encode())
        assert sock.recv(200).split()[1] == b"413"
    answers: list[float] = []

    def health() -> None:  # meanwhile, the server keeps answering others
        for _ in range(5):
            started = time.monotonic()
            assert server.api("GET", "/api/health").status_code == 200
            answers.append(time.monotonic() - started)

    thread = threading.Thread(target=health)
    thread.start()
    status, _ = _chunked_post(server.port, "/login", 16 << 20)
    thread.join()
    assert status == 413
    assert max(answers) < 5, answers


def test_cross_site_requests_are_refused(board: Board) -> None:
    server, alice = board.server, board.tokens["alice"]
    body = json.dumps({"challenge": CHALLENGE, "code": "x = 1\n"})
    evil = "http://127.0.0.1:1"  # another port of the same host is another origin
    for headers in ({"Origin": evil, "Content-Type": "application/json"},
                    {"Content-Type": "text/plain"},  # no Origin, no Referer
                    {"Referer": evil + "/page", "Content-Type": "application/json"},
                    {"Origin": "null", "Content-Type": "application/json"}):
        response = server.api("POST", "/api/submissions", content=body, headers=headers, cookies={"mlj_token": alice})
        assert response.status_code == 403 and "cross-site" in response.json()["detail"], headers
    not_json = server.api("POST", "/api/submissions", content=body, cookies={"mlj_token": alice},
                          headers={"Origin": server.url, "Content-Type": "text/plain"})
    assert not_json.status_code == 415 and "application/json" in not_json.json()["detail"]
    no_token = server.api("POST", "/login", data={"token": alice, "next": "/"}, headers={"Origin": server.url})
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    assert "mlj_token" not in no_token.headers.get("set-cookie", "")
    wrong = server.api("POST", "/login", data={"token": alice, "csrf": "b" * 32}, headers={"Origin": server.url},
                       cookies={"mlj_csrf": "a" * 32})
    assert wrong.status_code == 403
    logout = server.api("POST", "/logout", headers={"Origin": server.url}, cookies={"mlj_token": alice})
    assert logout.status_code == 403  # no token: a cross-site page cannot log a member out either
    bearer = server.api("POST", "/api/submissions", alice, headers={"Content-Type": "text/plain"},
                        content=json.dumps({"challenge": "nope", "code": "x = 1\n"}))
    assert bearer.status_code == 404  # Bearer, the CLI's way: past the origin check with no Origin
    page = server.api("GET", "/login")
    assert 'name="csrf"' in page.text and "samesite=strict" in page.headers["set-cookie"].lower()


def test_cli_logout_whoami_default_server_and_the_servers_catalog(board: Board, tmp_path: Path) -> None:
    server, config = board.server, tmp_path / "dora"
    token = server.add_user("dora")
    assert run_mlj("whoami", config=config).exit_code == 2
    assert run_mlj("login", "--server", server.url, "--token", token, config=config).exit_code == 0
    whoami = run_mlj("whoami", config=config)
    assert whoami.exit_code == 0 and whoami.stdout.strip() == f"dora on {server.url}"
    table = run_mlj("leaderboard", "--json", config=config)  # no --server: the one of the login
    assert table.exit_code == 0 and json.loads(table.stdout)["maximum"] >= 20
    unknown = run_mlj("leaderboard", "--challenge", "nope", config=config)
    assert unknown.exit_code == 2 and "has no challenge 'nope'" in unknown.stderr
    remote_only = run_mlj("submit", f"{CHALLENGE}/", str(REFERENCE), "--server", server.url, config=config)
    assert remote_only.exit_code == 2 and "has no challenge" in remote_only.output
    assert run_mlj("logout", config=config).exit_code == 0
    gone = run_mlj("whoami", "--server", server.url, config=config)
    assert gone.exit_code == 2 and "not logged in" in gone.stderr
