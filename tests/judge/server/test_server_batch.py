"""`mlj grade FILES --server URL`: a batch graded by a real board, reported as a local batch, off the leaderboard."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from server_helpers import CHALLENGE, FINISHED, REFERENCE, Server

from judge import ROOT

pytestmark = pytest.mark.slow
SOLUTIONS = ROOT / "challenges" / CHALLENGE / "solutions"
SEED = 424242


def mlj(*args: str, token: str = "", cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MLJ_TOKEN": token, "XDG_CONFIG_HOME": str(cwd / "config"),
           "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def _batch_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "subs"
    folder.mkdir()
    shutil.copy(REFERENCE, folder / "good.py")
    shutil.copy(SOLUTIONS / "wrong_answer" / "naive_softmax.py", folder / "wrong.py")
    shutil.copy(SOLUTIONS / "compile_error" / "missing_colon.py", folder / "broken.py")
    return folder


def _by_name(report: dict) -> dict[str, dict]:
    return {Path(s["submission"]).name: s for s in report["submissions"]}


def test_a_batch_on_the_board_reports_as_a_local_batch_and_stays_off_the_leaderboard(tmp_path: Path) -> None:
    _batch_folder(tmp_path)
    server = Server(tmp_path, str(tmp_path / "board.db"), workers=2, rate_limit=0)
    server.start()
    try:
        teacher, alice = server.add_user("teacher", admin=True), server.add_user("alice")
        (posted,) = server.wait_done(server.submit(alice, REFERENCE.read_text()))
        assert posted["verdict"] == "AC"

        refused = mlj("grade", CHALLENGE, "subs", "--server", server.url, token=alice, cwd=tmp_path)
        assert refused.returncode == 2 and "alice is not an admin" in refused.stderr, refused.stderr

        board = mlj("grade", CHALLENGE, "subs", "--server", server.url, "--seed", str(SEED), "--json-file",
                    "board.json", "--junit-xml", "board.xml", "--csv", "board.csv", token=teacher, cwd=tmp_path)
        assert board.returncode == 1, board.stderr  # graded, not all AC
        local = mlj("grade", CHALLENGE, "subs", "--sandbox", "process", "--seed", str(SEED), "--json-file",
                    "local.json", "--junit-xml", "local.xml", cwd=tmp_path)
        assert local.returncode == 1, local.stderr

        remote_report = json.loads((tmp_path / "board.json").read_text())
        local_report = json.loads((tmp_path / "local.json").read_text())
        assert remote_report["sandbox"] == f"board {server.url}"
        assert remote_report.keys() == local_report.keys()
        remote, here = _by_name(remote_report), _by_name(local_report)
        assert sorted(remote) == ["broken.py", "good.py", "wrong.py"]
        for name in remote:  # the same gradings: verdicts, scores, every test, on the batch's one seed
            assert remote[name].keys() == here[name].keys()
            assert remote[name]["submission"] == here[name]["submission"]  # the local path, not the board's
            for key in ("verdict", "score", "max_score", "seed"):
                assert remote[name][key] == here[name][key], (name, key)
            assert [(t["name"], t["verdict"]) for t in remote[name]["tests"]] == \
                   [(t["name"], t["verdict"]) for t in here[name]["tests"]], name
        assert {s["seed"] for s in remote.values()} == {SEED}
        assert [remote[n]["verdict"] for n in ("good.py", "wrong.py", "broken.py")] == ["AC", "WA", "CE"]

        def cases(path: Path) -> list[tuple[str | None, str | None]]:
            return [(c.get("classname"), c.get("name")) for c in ET.parse(path).getroot().iter("testcase")]

        assert cases(tmp_path / "board.xml") == cases(tmp_path / "local.xml")
        assert len((tmp_path / "board.csv").read_text().strip().splitlines()) == 4  # a header and three rows

        # off the leaderboard and the members' pages; the admin sees the batch itself
        rows = httpx.get(f"{server.url}/api/challenges/{CHALLENGE}/leaderboard").json()["rows"]
        assert [r["user"] for r in rows] == ["alice"]
        assert [r["user"] for r in httpx.get(f"{server.url}/api/leaderboard").json()["rows"]] == ["alice"]
        assert server.api("GET", "/api/users/teacher/submissions").json()["submissions"] == []
        batch = server.api("GET", "/api/batches/1", teacher).json()
        assert batch["seed"] == SEED and batch["size"] == 3 and batch["finished"] == 3
        assert all(s["status"] in FINISHED for s in batch["submissions"])
        assert server.api("GET", "/api/batches/1", alice).status_code == 403
        assert server.api("GET", "/api/batches/1").status_code == 401
    finally:
        server.close()


def test_bad_batch_requests_say_what_is_wrong(tmp_path: Path) -> None:
    server = Server(tmp_path, str(tmp_path / "bad.db"), workers=1, rate_limit=0)
    server.start()
    try:
        teacher = server.add_user("teacher", admin=True)
        for body, words in (({"seed": "one"}, "seed must be an integer"), ({"seed": -1}, "seed must be an integer"),
                            ([1, 2], "JSON object")):
            answer = server.api("POST", "/api/batches", teacher, json=body)
            assert answer.status_code == 400 and words in answer.json()["detail"], answer.text
        opened = server.api("POST", "/api/batches", teacher, json={"seed": None}).json()
        assert 0 <= opened["seed"] < 2**31
        path = f"/api/batches/{opened['id']}/submissions"
        for body, code, words in (
                ({"challenge": CHALLENGE, "code": "x = 1"}, 400, '"name"'),
                ({"challenge": CHALLENGE, "name": "", "code": "x = 1"}, 400, "name must be 1 to 255"),
                ({"challenge": "nope", "name": "a.py", "code": "x = 1"}, 404, "no challenge 'nope'")):
            answer = server.api("POST", path, teacher, json=body)
            assert answer.status_code == code and words in answer.json()["detail"], answer.text
        assert server.api("POST", "/api/batches/99/submissions", teacher,
                          json={"challenge": CHALLENGE, "name": "a.py", "code": "x = 1"}).status_code == 404
        assert server.api("GET", "/api/batches/abc", teacher).status_code == 404

        missing = mlj("grade", CHALLENGE, str(REFERENCE), "--server", server.url, cwd=tmp_path)
        assert missing.returncode == 2 and "not logged in" in missing.stderr, missing.stderr
        jobs = mlj("grade", CHALLENGE, str(REFERENCE), "--server", server.url, "--jobs", "2", token=teacher,
                   cwd=tmp_path)
        assert jobs.returncode == 2 and "--jobs and --gpus are for grading here" in jobs.stderr, jobs.stderr
    finally:
        server.close()
