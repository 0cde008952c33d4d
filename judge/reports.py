"""Reports of grading results: JSON, JUnit XML, and rich tables for the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from junit_xml import TestCase, TestSuite, to_xml_report_string
from rich.console import Console
from rich.table import Table
from rich.text import Text

from judge import __version__
from judge.verdict import SubmissionResult, Verdict

VERDICT_STYLE = {
    Verdict.AC: "bold green", Verdict.WA: "bold red", Verdict.TLE: "bold yellow", Verdict.MLE: "bold yellow",
    Verdict.RE: "bold magenta", Verdict.CE: "bold magenta", Verdict.FB: "bold red", Verdict.JE: "bold white on red",
}


def verdict_text(verdict: Verdict | None) -> Text:
    if verdict is None:
        return Text("--", style="dim")
    return Text(str(verdict), style=VERDICT_STYLE[verdict])


def to_json(results: list[SubmissionResult], *, sandbox: str) -> dict[str, Any]:
    return {
        "judge_version": __version__,
        "sandbox": sandbox,
        "all_accepted": all(r.accepted for r in results),
        "submissions": [r.to_dict() for r in results],
    }


def write_json(path: Path, results: list[SubmissionResult], *, sandbox: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(results, sandbox=sandbox), indent=2, default=str) + "\n")


def to_junit(results: list[SubmissionResult]) -> str:
    """One test suite per submission, one test case per test."""
    suites = []
    for result in results:
        cases = []
        for test in result.tests:
            case = TestCase(test.name, classname=f"{result.challenge}.{test.group}",
                            elapsed_sec=test.duration, file=result.submission)
            if test.verdict is None:
                case.add_skipped_info(test.message or "not run")
            elif test.verdict is Verdict.JE:
                case.add_error_info(f"JE: {test.message.splitlines()[0] if test.message else ''}", test.message)
            elif test.verdict is not Verdict.AC:
                first = test.message.splitlines()[0] if test.message else test.verdict.description
                case.add_failure_info(f"{test.verdict}: {first}", test.message, failure_type=str(test.verdict))
            cases.append(case)
        if not cases:  # a judge error before any test: still one case, so CI shows it
            case = TestCase("grading", classname=result.challenge, file=result.submission)
            case.add_error_info(f"{result.verdict}: {result.message}", result.message)
            cases.append(case)
        suites.append(TestSuite(f"{result.challenge}: {result.submission}", cases,
                                properties={"verdict": str(result.verdict), "score": result.score,
                                            "max_score": result.max_score, "sandbox": result.sandbox,
                                            "judge_version": result.judge_version}))
    return to_xml_report_string(suites)


def write_junit(path: Path, results: list[SubmissionResult]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_junit(results))


def result_table(result: SubmissionResult) -> Table:
    table = Table(title=f"{result.challenge} · {result.suite} tests · {Path(result.submission).name}",
                  title_justify="left", expand=False)
    table.add_column("test", overflow="fold")
    table.add_column("verdict")
    table.add_column("points", justify="right")
    table.add_column("time", justify="right")
    table.add_column("details", overflow="fold", max_width=90)
    for test in result.tests:
        detail = test.message.splitlines()[0] if test.message else ""
        if test.passed and "max_abs_err" in test.figures:
            detail = f"max abs err {test.figures['max_abs_err']:.2e}"
        table.add_row(Text(test.name), verdict_text(test.verdict),
                      f"{test.points_earned:g}/{test.points_possible:g}", f"{test.duration:.2f}s", Text(detail))
    return table


def print_result(console: Console, result: SubmissionResult, *, show_log: bool = True) -> None:
    if result.tests:
        console.print(result_table(result))
    line = Text.assemble(verdict_text(result.verdict), f"  {result.verdict.description}  ·  score ",
                         (f"{result.score:g}/{result.max_score:g}", "bold"),
                         f"  ·  {result.duration:.1f}s  ·  sandbox {result.sandbox}")
    console.print(line)
    if result.verdict is not Verdict.AC and result.message:
        console.print(Text(result.message))
    failing = next((t for t in result.tests if t.verdict not in (Verdict.AC, None)), None)
    if failing is not None and "\n" in failing.message:
        console.print(Text(f"\n{failing.name}:\n{failing.message}", style="dim"))
    if show_log and result.log.strip() and result.verdict is not Verdict.AC:
        console.print(Text("\noutput of your code (stdout and stderr, capped):", style="bold"))
        console.print(Text(result.log[-3000:], style="dim"))


def summary_table(results: list[SubmissionResult], *, width: int = 100) -> Table:
    """One row per submission, fitted to ``width`` columns: what a batch needs on a terminal.

    Every test of every submission goes to --json / --junit-xml (or --details).
    """
    accepted = sum(r.verdict is Verdict.AC for r in results)
    rows = [(r.challenge, Path(r.submission).name, r.verdict, f"{r.score:g}/{r.max_score:g}", f"{r.duration:.1f}s",
             "" if r.verdict is Verdict.AC else (r.message.splitlines() or [""])[0]) for r in results]
    fixed = [max(len(row[i]) for row in rows) for i in (0, 1)] + [7] + [max(len(row[3]) for row in rows), 6]
    room = width - sum(fixed) - 3 * 6 - 1  # three characters of border and padding per column
    table = Table(title=f"{len(results)} submissions · {accepted} accepted", title_justify="left", expand=False)
    for name, size, justify in zip(("challenge", "submission", "verdict", "score", "time"), fixed,
                                   ("left", "left", "left", "right", "right")):
        table.add_column(name, no_wrap=True, min_width=size, justify=justify)  # type: ignore[arg-type]
    if room >= 12:
        table.add_column("first problem", no_wrap=True, overflow="ellipsis", max_width=room)
    for challenge, name, verdict, score, seconds, problem in rows:
        cells = [challenge, Text(name), verdict_text(verdict), score, seconds]
        table.add_row(*cells, *([Text(problem)] if room >= 12 else []))
    return table
