"""The command line, end to end: exit codes, reports, workspaces."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from judge.challenge import CHALLENGES_DIR

SOFTMAX = CHALLENGES_DIR / "softmax-cross-entropy"
REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "softmax_cross_entropy.py"
WRONG = SOFTMAX / "solutions" / "wrong_answer" / "naive_softmax.py"
EXAMPLE = REFERENCE.parent.parent / "examples" / "softmax_cross_entropy.py"


def run(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    old = Path.cwd()
    try:
        if cwd:
            os.chdir(cwd)
        return runner.invoke(cli.main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def test_list_json():
    result = run("list", "--json")
    assert result.exit_code == 0
    assert "softmax-cross-entropy" in {row["id"] for row in json.loads(result.output)}


def test_list_reports_a_broken_challenge_and_goes_on(tmp_path):
    shutil.copytree(SOFTMAX, tmp_path / "softmax-cross-entropy")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "challenge.yaml").write_text("format: 1\nid: broken\n")
    env = dict(os.environ, MLJ_CHALLENGES_DIR=str(tmp_path), COLUMNS="200")
    proc = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "list"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "softmax-cross-entropy" in proc.stdout and "broken challenge.yaml" in proc.stdout


def test_show_renders_the_statement():
    result = run("show", "softmax-cross-entropy")
    assert result.exit_code == 0 and "Numerically stable softmax cross-entropy" in result.output


def test_unknown_challenge_is_a_usage_error():
    result = CliRunner().invoke(cli.main, ["show", "no-such-thing"])
    assert result.exit_code == 2 and "no challenge 'no-such-thing'" in result.output


@pytest.mark.parametrize("command", [["test"], ["submit"], ["grade", "--jobs", "2"]])
def test_an_unknown_challenge_is_reported_before_a_sandbox_is_chosen(command, monkeypatch):
    """A typo in the id says so, even where the sandbox asked for is not there, and starts nothing."""
    import judge.sandbox

    def no_sandbox(*args, **kwargs):
        raise AssertionError("a sandbox was chosen for an unknown challenge")

    monkeypatch.setattr(judge.sandbox, "choose", no_sandbox)
    result = CliRunner().invoke(cli.main, [command[0], "no-such-thing", str(REFERENCE), *command[1:],
                                           "--sandbox", "docker"])
    assert result.exit_code == 2 and "no challenge 'no-such-thing'" in result.output, result.output


def test_start_then_test_the_untouched_stub(tmp_path):
    result = run("start", "softmax-cross-entropy", str(tmp_path / "ws"))
    assert result.exit_code == 0
    assert (tmp_path / "ws" / "solution.py").read_text() == (SOFTMAX / "stub.py").read_text()
    assert (tmp_path / "ws" / "statement.md").exists() and list((tmp_path / "ws" / "public_tests").glob("test_*.py"))
    again = CliRunner().invoke(cli.main, ["start", "softmax-cross-entropy", str(tmp_path / "ws")])
    assert again.exit_code == 2 and "already exists" in again.output
    tested = run("test", "softmax-cross-entropy", "--sandbox", "process", cwd=tmp_path / "ws")
    assert tested.exit_code == 1
    assert "RE" in tested.output and "not implemented yet" in tested.output and "statement.md" in tested.output


def test_grade_writes_json_and_junit_and_exits_1_when_not_all_accepted(tmp_path):
    out_json, out_xml = tmp_path / "report.json", tmp_path / "report.xml"
    result = run("grade", "softmax-cross-entropy", str(REFERENCE), str(WRONG), "--sandbox", "process",
                 "--json-file", str(out_json), "--junit-xml", str(out_xml))
    assert result.exit_code == 1, result.output
    report = json.loads(out_json.read_text())
    assert report["sandbox"] == "process" and report["judge_version"] and not report["all_accepted"]
    first, second = report["submissions"]
    assert (first["verdict"], second["verdict"]) == ("AC", "WA")
    assert first["score"] == first["max_score"] > 0
    test = first["tests"][0]
    assert {"name", "group", "verdict", "points_possible", "points_earned", "duration", "message",
            "figures"} <= set(test)
    failing = [t for t in second["tests"] if t["verdict"] == "WA"]
    assert failing and "max_abs_err" in failing[0]["figures"] or "NaN" in failing[0]["message"]
    suites = ET.parse(out_xml).getroot()
    assert suites.tag == "testsuites" and len(suites.findall("testsuite")) == 2
    cases = suites.findall("testsuite")[0].findall("testcase")
    assert len(cases) == len(first["tests"])
    assert suites.findall("testsuite")[1].findall("testcase/failure")
    assert "softmax-cross-entropy · 2 submissions · 1 accepted" in result.output
    rows = [line for line in result.output.splitlines() if " AC " in line or " WA " in line]
    assert len(rows) == 2 and "reference/" in rows[0] and " AC " in rows[0] and " WA " in rows[1], result.output


def test_grade_details_prints_every_test_of_every_submission():
    result = run("grade", "softmax-cross-entropy", str(REFERENCE), str(WRONG), "--sandbox", "process",
                 "--details", "--seed", "3")
    assert result.exit_code == 1
    hidden = sorted(p.stem for p in (SOFTMAX / "tests" / "hidden").glob("test_*.py"))
    assert result.output.count("hidden tests") == 2 and all(name in result.output for name in hidden)


def test_grade_exits_0_when_all_accepted(tmp_path):
    result = run("grade", "softmax-cross-entropy", str(REFERENCE), "--sandbox", "process")
    assert result.exit_code == 0, result.output
    assert "AC" in result.output


_SPY_ON_EARLY_STARTS = """
import json
import sys

import judge.forkserver as forkserver
from judge.sandbox.process import ProcessSandbox

seen = []


def spy(name, real):
    def call(*args, **kwargs):
        if not kwargs.get("spare"):  # the early start; a batch's own prepare(spare=True) comes later
            seen.append((name, [m for m in ("judge.challenge", "pydantic", "torch") if m in sys.modules]))
        return real(*args, **kwargs)
    return call


forkserver.start = spy("fork server", forkserver.start)
ProcessSandbox.prepare = spy("zygote", ProcessSandbox.prepare)
import cli

try:
    cli.main(sys.argv[1:])
except SystemExit as exc:
    from judge.sandbox.process import zygote

    print(json.dumps({"seen": seen, "exit": exc.code, "zygotes": len(zygote._shared)}))
"""


@pytest.mark.parametrize("jobs", [1, 2])
def test_grade_starts_what_its_workers_need_before_reading_the_challenges(tmp_path, jobs):
    """The imports of torch are a grading's first seconds: `mlj grade` starts the process backend's zygote
    (and with --jobs 2 the judge processes' fork server) before the command line loads the challenge
    models, which then load beside them."""
    accepted = sorted((SOFTMAX / "solutions" / "accepted").glob("*.py"))[0]
    report = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-c", _SPY_ON_EARLY_STARTS, "grade", "softmax-cross-entropy",
                           str(REFERENCE), str(accepted), "--jobs", str(jobs), "--sandbox", "process", "--json-file",
                           str(report)], capture_output=True, text=True, timeout=300)
    last = json.loads(proc.stdout.splitlines()[-1])
    assert last["exit"] == 0, proc.stdout[-500:] + proc.stderr[-2000:]
    expected = [["fork server", []], ["zygote", []]] if jobs == 2 else [["zygote", []]]
    assert last["seen"][:len(expected)] == expected, last
    assert jobs == 2 or all(name != "fork server" for name, _ in last["seen"]), last
    assert last["zygotes"] == 1, "the zygote started early is the one the gradings fork from"
    assert [s["verdict"] for s in json.loads(report.read_text())["submissions"]] == ["AC", "AC"]


def test_several_counts_submissions_without_reading_the_challenges(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "a.py").write_text("")
    (tmp_path / "all" / "kmeans").mkdir(parents=True)
    (tmp_path / "all" / "kmeans" / "a.py").write_text("")
    assert not cli._several("kmeans", (tmp_path / "one",))
    assert cli._several("kmeans", (tmp_path / "one", REFERENCE))
    assert not cli._several("all", (tmp_path / "all",))
    (tmp_path / "all" / "kmeans" / "b.py").write_text("")
    assert cli._several("all", (tmp_path / "all",))


# --- a newcomer's meeting with the CLI (issue 16) ---------------------------------------------------

@pytest.fixture(autouse=True)
def _own_history(tmp_path, monkeypatch):
    """`mlj test`/`submit` record attempts in the user's data folder: here, the test's own."""
    monkeypatch.setenv("MLJ_DATA_DIR", str(tmp_path / "mlj-data"))


def run80(*args: str, cwd: Path | None = None):
    old = Path.cwd()
    try:
        if cwd:
            os.chdir(cwd)
        return CliRunner(env={"COLUMNS": "80"}).invoke(cli.main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def _fits(output: str, width: int = 80) -> None:
    wide = [line for line in output.splitlines() if len(line) > width]
    assert not wide, wide


def test_an_unknown_id_gets_did_you_mean_and_no_judge_paths():
    result = run80("show", "atention")
    assert result.exit_code == 2
    assert "did you mean attention" in result.output  # the closest first (kv-cache-attention may follow)
    assert "challenges/" not in result.output and str(Path(cli.__file__).parent) not in result.output


def test_list_never_cuts_an_id_at_80_columns():
    from judge.challenge import catalog_ids

    result = run80("list")
    _fits(result.output)
    lines = result.output.splitlines()
    for cid in catalog_ids():  # each id whole on one line (a summary may be shortened; an id never is)
        assert any(cid in line for line in lines), cid


def test_the_report_leads_with_groups_and_fits_80_columns(tmp_path):
    result = run80("submit", "softmax-cross-entropy", str(WRONG), "--sandbox", "process", "--seed", "3")
    assert result.exit_code == 1
    _fits(result.output)
    head = result.output.split("failures:")[0]
    assert "group" in head and "points" in head and "first failing test" in head
    assert "0/0.333" not in result.output and "AC 0/" not in result.output
    assert "every test: --details" in result.output
    details = run80("submit", "softmax-cross-entropy", str(WRONG), "--sandbox", "process", "--seed", "3",
                    "--details")
    _fits(details.output)
    assert details.output.count("test_forward.py::") > result.output.count("test_forward.py::")


def test_a_compile_error_shows_the_error_and_nothing_else(tmp_path, monkeypatch):
    bad = tmp_path / "solution.py"
    bad.write_text("import torch\n\ndef log_softmax(x, dim=-1)\n    return x\n")
    monkeypatch.chdir(tmp_path)  # a short path: a long one wraps at 80 columns, and wrapping is right
    result = run80("submit", "softmax-cross-entropy", "solution.py", "--sandbox", "process")
    assert result.exit_code == 1
    assert "solution.py line 3" in result.output and "NR" not in result.output and "not run" not in result.output
    assert len(result.output.strip().splitlines()) <= 5, result.output


def test_json_never_has_a_null_verdict_and_carries_the_group_lines(tmp_path):
    result = run("submit", "softmax-cross-entropy", str(WRONG), "--sandbox", "process", "--seed", "3", "--json")
    data = json.loads(result.stdout)
    assert all(t["verdict"] for t in data["tests"])
    assert any(t["verdict"] == "NR" for t in data["tests"]), "hidden groups stop at their first failure"
    failed = [g for g in data["groups"] if g["verdict"] != "AC"]
    assert failed and all(g["first_failure"]["message"] for g in failed if g["verdict"] != "NR")
    assert data["reason"]


def test_grade_json_prints_and_an_old_style_json_file_is_a_usage_error(tmp_path):
    printed = run("grade", "softmax-cross-entropy", str(REFERENCE), "--sandbox", "process", "--json")
    assert printed.exit_code == 0 and json.loads(printed.stdout)["all_accepted"]
    stray = tmp_path / "r.json"
    stray.write_text("{}")
    old = run("grade", "softmax-cross-entropy", str(REFERENCE), "--json", str(stray))
    assert old.exit_code == 2 and "--json-file" in old.output


def test_grade_writes_markdown_csv_and_junit_with_errors_apart_from_failures(tmp_path):
    subs = tmp_path / "subs"
    for name in ("alice", "bob"):
        (subs / name).mkdir(parents=True)
    (subs / "alice" / "solution.py").write_text(EXAMPLE.read_text())
    (subs / "bob" / "solution.py").write_text("import torch\nprint('hello from bob')\n"
                                              "def log_softmax(x, dim=-1):\n    raise RuntimeError('boom')\n"
                                              "def cross_entropy(*a, **k):\n    return torch.zeros(())\n")
    md, table, xml = tmp_path / "summary.md", tmp_path / "grades.csv", tmp_path / "r.xml"
    result = run80("grade", "softmax-cross-entropy", str(subs / "alice" / "solution.py"),
                   str(subs / "bob" / "solution.py"), "--sandbox", "process", "--summary-md", str(md),
                   "--csv", str(table), "--junit-xml", str(xml), cwd=tmp_path)
    assert result.exit_code == 1
    _fits(result.output)
    assert "reason" in result.output and "subs/alice/solution.py" in result.output, result.output
    text = md.read_text()
    assert "| `subs/alice/solution.py` |" in text and "| `subs/bob/solution.py` |" in text and "**RE**" in text
    rows = list(csv.DictReader(table.open()))
    assert [r["submission"] for r in rows] == ["subs/alice/solution.py", "subs/bob/solution.py"]
    assert rows[0]["verdict"] == "AC" and rows[1]["verdict"] == "RE" and "boom" in rows[1]["reason"]
    suites = ET.parse(xml).getroot().findall("testsuite")
    errors, failures = suites[1].findall("testcase/error"), suites[1].findall("testcase/failure")
    assert {e.get("type") for e in errors} == {"RE"}, "log_softmax raises: an error"
    assert failures and {f.get("type") for f in failures} <= {"WA"}, "cross_entropy answers wrongly: failures"
    assert "hello from bob" in (suites[1].findtext("system-out") or "")


def test_the_practice_loop_picks_tests_and_keeps_a_history(tmp_path):
    picked = run("test", "softmax-cross-entropy", str(REFERENCE), "--sandbox", "process", "-k", "reductions",
                 "--json")
    names = [t["name"] for t in json.loads(picked.stdout)["tests"]]
    assert names and all("reductions" in n for n in names)
    none = run("test", "softmax-cross-entropy", str(REFERENCE), "--sandbox", "process", "-k", "no_such_test")
    assert none.exit_code == 2 and "no public test matches" in none.output
    run("submit", "softmax-cross-entropy", str(WRONG), "--sandbox", "process", "--seed", "1")
    run("submit", "softmax-cross-entropy", str(REFERENCE), "--sandbox", "process", "--seed", "1")
    status = json.loads(run("status", "--json").stdout)
    mine = status["softmax-cross-entropy"]
    assert mine["best_score"] == mine["max_score"] > 0 and mine["last_verdict"] == "AC" and mine["attempts"] == 3
    assert status["kmeans"] is None
    assert (tmp_path / "mlj-data" / "history.jsonl").is_file()
    shown = run80("status")
    _fits(shown.output)
    assert "softmax-cross-entropy" in shown.output and "not tried" in shown.output


def test_start_names_the_one_form_of_the_test_command(tmp_path):
    result = run("start", "softmax-cross-entropy", str(tmp_path / "ws"))
    assert "  mlj test softmax-cross-entropy " in result.output and "solution.py, then" in result.output
    readme = (Path(cli.__file__).parent / "README.md").read_text()
    statement = (SOFTMAX.parent / "attention" / "statement.md").read_text()
    assert "mlj test attention solution.py" not in readme + statement


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_exits_130_without_a_traceback_after_the_partial_report(tmp_path, jobs):
    spin = tmp_path / "spin.py"
    spin.write_text("import torch\ndef log_softmax(x, dim=-1):\n    while True:\n        pass\n"
                    "def cross_entropy(*a, **k):\n    while True:\n        pass\n")
    report = tmp_path / "r.json"
    spins = [str(spin)] * 6  # each costs two per-test CPU limits before its group stops: the batch outlasts 12 s
    proc = subprocess.Popen([sys.executable, str(Path(cli.__file__)), "grade", "softmax-cross-entropy",
                             str(REFERENCE), *spins, "--sandbox", "process", "--jobs", jobs,
                             "--json-file", str(report)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    time.sleep(12)  # the reference is graded by then, or nearly; a spinning submission is not
    assert proc.poll() is None
    os.killpg(proc.pid, signal.SIGINT)
    out, errs = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out[-1000:], errs[-3000:])
    assert "Traceback" not in out + errs, errs[-3000:]
    assert "interrupted" in errs and report.is_file()
    assert len(json.loads(report.read_text())["submissions"]) < 1 + len(spins)
