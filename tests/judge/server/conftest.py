"""Fixtures for the leaderboard server tests: one shared SQLite server with graded submissions."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from server_helpers import CHALLENGE, REFERENCE, STUB, Board, Server, run_mlj


@pytest.fixture(scope="session")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Board]:
    """Started once; alice and bob log in and submit through the CLI, graded concurrently."""
    work = tmp_path_factory.mktemp("board")
    server = Server(work, None, workers=2, rate_limit=4)  # no --db: the default SQLite file
    server.start()
    assert (work / ".mlj" / "server.db").is_file()
    try:
        b = Board(server, work)
        for name in ("alice", "bob", "root"):
            login = run_mlj("login", "--server", server.url, "--token", b.tokens[name], config=b.config[name])
            assert login.exit_code == 0, login.output
        b.outputs["bob"] = run_mlj("submit", CHALLENGE, str(STUB), "--server", server.url, "--no-wait", "--json",
                                   config=b.config["bob"])
        assert b.outputs["bob"].exit_code == 0, b.outputs["bob"].output
        b.ids["bob"] = int(json.loads(b.outputs["bob"].stdout)["id"])
        b.outputs["bob_page"] = server.api("GET", f"/submissions/{b.ids['bob']}").text  # still queued or running
        b.outputs["alice"] = run_mlj("submit", CHALLENGE, str(REFERENCE), "--server", server.url,
                                     config=b.config["alice"])
        b.ids["alice"] = server.api("GET", "/api/users/alice/submissions").json()["submissions"][0]["id"]
        server.wait_done(b.ids["bob"])
        yield b
    finally:
        server.close()
