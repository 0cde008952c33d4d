"""Reports of grading results: the terminal report, JSON, JUnit XML, and a batch's Markdown and CSV summaries.

One reading of a result feeds them all: per scoring group the points earned of possible, its verdict and
its first failing test with that test's own message (``group_lines``); then the failures in detail.
Not-run tests are a state of their own (``Verdict.NR``), never a missing verdict. The terminal report
wraps rather than cuts, so it fits any width (80 columns included).
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from junit_xml import TestCase, TestSuite, to_xml_report_string
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from judge import __version__
from judge.verdict import SubmissionResult, TestResult, Verdict

VERDICT_STYLE = {
    Verdict.AC: "bold green", Verdict.WA: "bold red", Verdict.TLE: "bold yellow", Verdict.MLE: "bold yellow",
    Verdict.RE: "bold magenta", Verdict.CE: "bold magenta", Verdict.FB: "bold red", Verdict.JE: "bold white on red",
    Verdict.NR: "dim",
}
#: JUnit: the submission broke (an error) versus it answered wrongly (a failure)
JUNIT_ERRORS = frozenset({Verdict.RE, Verdict.TLE, Verdict.MLE, Verdict.CE, Verdict.JE})
SHOWN_FAILURES = 3  # failing tests shown in full; the group lines already name each group's first
LOG_TAIL = 3000  # characters of captured output the terminal report shows


def verdict_text(verdict: Verdict | None) -> Text:
    verdict = verdict or Verdict.NR
    return Text(str(verdict), style=VERDICT_STYLE[verdict])


def first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0]


@dataclass(frozen=True)
class GroupLine:
    """One scoring group as a report leads with it."""

    name: str
    earned: float
    possible: float
    verdict: Verdict
    failing: TestResult | None  # its first failing test (not AC, not NR)
    not_run: int

    @property
    def reason(self) -> str:
        """Why the group lost its points: the failing test's own message, else why its tests did not run."""
        if self.failing is None:
            return ""
        if self.failing.verdict is Verdict.NR:  # the group's own "why not run", about no test of it
            return first_line(self.failing.message) or "not run"
        return f"{self.failing.name}: {first_line(self.failing.message) or self.failing.verdict.description}"


def group_lines(result: SubmissionResult) -> list[GroupLine]:
    lines = []
    for group in result.groups:
        members = [t for t in result.tests if t.group == group.name]
        failing = next((t for t in members if t.verdict not in (Verdict.AC, Verdict.NR)), None)
        not_run = [t for t in members if t.verdict is Verdict.NR]
        if failing is None and not_run and group.verdict is not Verdict.AC:
            failing = not_run[0]  # nothing failed here: the reason is why the rest did not run
        lines.append(GroupLine(group.name, group.points_earned, group.points_possible, group.verdict, failing,
                               len(not_run)))
    return lines


def reason(result: SubmissionResult) -> str:
    """One line saying why a submission is not accepted ('' when it is)."""
    if result.verdict is Verdict.AC:
        return ""
    return first_line(result.message) or next((g.reason for g in group_lines(result) if g.reason), "") \
        or result.verdict.description


def result_dict(result: SubmissionResult) -> dict[str, Any]:
    """A result as JSON carries it: every test and group, and the group lines the terminal leads with."""
    data = result.to_dict()
    data["reason"] = reason(result)
    lines = {g.name: g for g in group_lines(result)}
    for group in data["groups"]:
        line = lines[group["name"]]
        group["first_failure"] = None if line.failing is None else {
            "test": line.failing.name, "verdict": str(line.failing.verdict), "message": line.failing.message}
        group["not_run"] = line.not_run
    for test in data["tests"]:
        test["verdict"] = str(test["verdict"] or Verdict.NR)  # never null: NR is "not run"
    return data


def to_json(results: list[SubmissionResult], *, sandbox: str) -> dict[str, Any]:
    return {
        "judge_version": __version__,
        "sandbox": sandbox,
        "all_accepted": all(r.accepted for r in results),
        "submissions": [result_dict(r) for r in results],
    }


def write_json(path: Path, results: list[SubmissionResult], *, sandbox: str) -> None:
    _write(path, json.dumps(to_json(results, sandbox=sandbox), indent=2, default=str) + "\n")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def to_junit(results: list[SubmissionResult], labels: list[str] | None = None) -> str:
    """One test suite per submission, one test case per test: RE, TLE, MLE, CE, JE are errors (the code
    broke), WA and FB failures (it answered wrongly, or broke a rule), NR skipped; the captured output of
    the submission goes with its suite."""
    labels = labels or submission_labels(results)
    suites = []
    for result, label in zip(results, labels):
        cases = []
        for test in result.tests:
            case = TestCase(test.name, classname=f"{result.challenge}.{test.group}", elapsed_sec=test.duration,
                            file=result.submission)
            summary = f"{test.verdict}: {first_line(test.message) or test.verdict.description}"
            if test.verdict is Verdict.NR:
                case.add_skipped_info(test.message or "not run")
            elif test.verdict in JUNIT_ERRORS:
                case.add_error_info(summary, test.message, error_type=str(test.verdict))
            elif test.verdict is not Verdict.AC:
                case.add_failure_info(summary, test.message, failure_type=str(test.verdict))
            cases.append(case)
        if not cases:  # a judge error or an unreadable file before any test: still one case, so CI shows it
            case = TestCase("grading", classname=result.challenge, file=result.submission)
            case.add_error_info(f"{result.verdict}: {first_line(result.message)}", result.message,
                                error_type=str(result.verdict))
            cases.append(case)
        suites.append(TestSuite(f"{result.challenge}: {label}", cases, stdout=result.log or None,
                                properties={"verdict": str(result.verdict), "score": result.score,
                                            "max_score": result.max_score, "sandbox": result.sandbox,
                                            "judge_version": result.judge_version, "seed": result.seed}))
    return to_xml_report_string(suites)


def write_junit(path: Path, results: list[SubmissionResult]) -> None:
    _write(path, to_junit(results))


def _time(test: TestResult) -> str:
    """Time against the limit where the result carries it; the wall time of the test otherwise."""
    if test.verdict is Verdict.NR:
        return ""
    return test.time_text or f"{test.duration:.2f} s"  # the CPU-time figures, where present


def _groups_table(result: SubmissionResult) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=False)
    table.add_column("group", overflow="fold")
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    table.add_column("first failing test", overflow="fold", ratio=1)
    for line in group_lines(result):
        table.add_row(Text(line.name), f"{line.earned:g}/{line.possible:g}", verdict_text(line.verdict),
                      Text(line.reason))
    return table


def _tests_table(tests: list[TestResult]) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=False)
    table.add_column("test", overflow="fold")
    table.add_column("verdict", no_wrap=True)
    table.add_column("time", overflow="fold")
    table.add_column("details", overflow="fold", ratio=1)
    for test in tests:
        detail = first_line(test.message)
        if test.passed and "max_abs_err" in test.figures:
            detail = f"max abs err {test.figures['max_abs_err']:.2e}"
        table.add_row(Text(test.name), verdict_text(test.verdict), _time(test), Text(detail))
    return table


def result_table(result: SubmissionResult) -> Table:
    """Every test of a result, one row each (``--details``)."""
    return _tests_table(list(result.tests))


def print_result(console: Console, result: SubmissionResult, *, show_log: bool = True, details: bool = False,
                 label: str | None = None) -> None:
    """The terminal report: the group lines, then the failures in detail, passing tests collapsed."""
    console.print(Text(f"{result.challenge} · {result.suite} tests · {label or result.submission}", style="bold"))
    if result.verdict is Verdict.CE:  # nothing ran: the compile error with its line is all there is to say
        console.print(Text.assemble(verdict_text(result.verdict), f"  {result.verdict.description}"))
        console.print(Text(result.message or (result.tests[0].message if result.tests else "")))
        return
    if result.groups:
        console.print(_groups_table(result))
    failures = [t for t in result.tests if t.verdict not in (Verdict.AC, Verdict.NR)]
    if details:
        console.print(Text("\nevery test:", style="bold"))
        console.print(result_table(result))
    elif failures:
        console.print(Text("\nfailures:", style="bold"))
        for test in failures[:SHOWN_FAILURES]:
            head = Text.assemble(verdict_text(test.verdict), " ", (test.name, "bold"),
                                 f"  ({_time(test)})" if _time(test) else "")
            console.print(Group(head, Padding(Text(test.message.rstrip() or test.verdict.description), (0, 0, 0, 4))))
        if len(failures) > SHOWN_FAILURES:
            console.print(Text(f"... and {len(failures) - SHOWN_FAILURES} more failing tests (--details)", style="dim"))
    passed = sum(t.verdict is Verdict.AC for t in result.tests)
    not_run = [t for t in result.tests if t.verdict is Verdict.NR]
    if not details and result.tests:
        counts = f"{passed} of {len(result.tests)} tests passed"
        if not_run:
            counts += f", {len(not_run)} not run ({first_line(not_run[0].message).removeprefix('not run: ')})"
        console.print(Text(counts + "; every test: --details", style="dim"))
    line = Text.assemble("\n", verdict_text(result.verdict), f"  {result.verdict.description}  ·  score ",
                         (f"{result.score:g}/{result.max_score:g}", "bold"),
                         f"  ·  {result.duration:.1f}s  ·  sandbox {result.sandbox}")
    console.print(line)
    if result.verdict is Verdict.JE and result.message:
        console.print(Text(result.message))
    if result.output_dropped:
        console.print(Text(f"\nyour code printed more than the judge keeps: {_size(result.output_dropped)} of its "
                           "output (stdout and stderr) were dropped; print less, or write to a file in the "
                           "working folder", style="yellow"))
    if show_log and result.log.strip() and result.verdict is not Verdict.AC:
        console.print(Text("\noutput of your code (stdout and stderr, capped):", style="bold"))
        tail = result.log[-LOG_TAIL:]
        if len(result.log) > LOG_TAIL:
            tail = f"[... {len(result.log) - LOG_TAIL} earlier characters left out]\n" + tail
        console.print(Text(tail, style="dim"))


def _size(count: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def submission_labels(results: list[SubmissionResult], cwd: Path | None = None) -> list[str]:
    """How a batch names its submissions: paths relative to where it runs (absolute outside it), unique."""
    cwd = (cwd or Path.cwd()).resolve()
    labels = []
    for result in results:
        path = Path(result.submission).resolve()
        labels.append(str(path.relative_to(cwd)) if path.is_relative_to(cwd) else result.submission)
    seen: dict[str, int] = {}
    unique = []
    for label, result in zip(labels, results):
        seen[label] = seen.get(label, 0) + 1
        # the same file twice in one batch (two challenges, or named twice): the challenge tells them apart
        unique.append(label if labels.count(label) == 1 else f"{label} [{result.challenge} #{seen[label]}]")
    return unique


def summary_table(results: list[SubmissionResult], *, width: int = 100) -> Table:
    """One row per submission with the reason it is not accepted; long cells wrap, none is cut."""
    accepted = sum(r.verdict is Verdict.AC for r in results)
    challenges = sorted({r.challenge for r in results})
    one = challenges[0] if len(challenges) == 1 else None
    labels = submission_labels(results)
    title = f"{one + ' · ' if one else ''}{len(results)} submissions · {accepted} accepted"
    table = Table(title=title, title_justify="left", expand=False, width=width if width < 200 else None)
    # a label whole where it fits in a third of the width: what a reader searches the table for
    table.add_column("submission", overflow="fold", width=min(max(len(x) for x in labels), width // 3))
    if one is None:
        table.add_column("challenge", overflow="fold")
    table.add_column("verdict", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("reason", overflow="fold", ratio=1)
    for result, label in zip(results, labels):
        table.add_row(Text(label), *([] if one else [result.challenge]), verdict_text(result.verdict),
                      f"{result.score:g}/{result.max_score:g}", f"{result.duration:.1f}s", Text(reason(result)))
    return table


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def to_markdown(results: list[SubmissionResult]) -> str:
    """A batch as a Markdown page (a CI job summary): the table of submissions, then each one's groups."""
    accepted = sum(r.accepted for r in results)
    out = [f"## mlj: {accepted} of {len(results)} submissions accepted", "",
           "| submission | challenge | verdict | score | time | reason |", "|---|---|---|---:|---:|---|"]
    labels = submission_labels(results)
    for result, label in zip(results, labels):
        out.append(f"| `{_md(label)}` | {result.challenge} | **{result.verdict}** | "
                   f"{result.score:g}/{result.max_score:g} | {result.duration:.1f} s | {_md(reason(result))} |")
    for result, label in zip(results, labels):
        if result.accepted or not result.groups:
            continue
        out += ["", f"<details><summary>{_md(label)}: {result.verdict} {result.verdict.description}</summary>", "",
                "| group | points | verdict | first failing test |", "|---|---:|---|---|"]
        out += [f"| {_md(g.name)} | {g.earned:g}/{g.possible:g} | {g.verdict} | {_md(g.reason)} |"
                for g in group_lines(result)]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


def write_markdown(path: Path, results: list[SubmissionResult]) -> None:
    """Write (or, for ``$GITHUB_STEP_SUMMARY``, which others may write to as well, append) the summary."""
    text = to_markdown(results)
    if os.environ.get("GITHUB_STEP_SUMMARY") == str(path) and path.exists():
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
        return
    _write(path, text)


CSV_COLUMNS = ("submission", "challenge", "verdict", "score", "max_score", "duration_s", "seed", "reason",
               "groups")


def to_csv(results: list[SubmissionResult]) -> str:
    """One row per submission, for a gradebook; ``groups`` holds ``name=earned/possible`` pairs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for result, label in zip(results, submission_labels(results)):
        groups = "; ".join(f"{g.name}={g.points_earned:g}/{g.points_possible:g}" for g in result.groups)
        writer.writerow([label, result.challenge, str(result.verdict), f"{result.score:g}", f"{result.max_score:g}",
                         f"{result.duration:.2f}", result.seed, reason(result), groups])
    return buffer.getvalue()


def write_csv(path: Path, results: list[SubmissionResult]) -> None:
    _write(path, to_csv(results))
