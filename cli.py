"""mlj command line: a thin click layer; every command calls one function in judge/."""

from __future__ import annotations

import atexit
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from judge import CHALLENGES_DIR, __version__
from judge.sandbox import CHOICES
from judge.sandbox.base import DEFAULT_IMAGE
from judge.verdict import EXIT_ERROR, EXIT_NOT_ACCEPTED, EXIT_OK, exit_code

if TYPE_CHECKING:
    from judge.challenge import Challenge
# judge.challenge (pydantic, a seventh of a second) is imported where a command needs it: `mlj grade
# --jobs N` starts its fork server first, and that server's imports are the batch's first seconds

console = Console()
err = Console(stderr=True)

EXIT_USAGE = EXIT_ERROR  # bad input and judge errors share exit status 2
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


def _unknown(challenge_id: str) -> None:
    """Exit for an id the catalog does not have: the closest ids and the known ones, never a judge path."""
    import difflib

    known = sorted(p.name for p in CHALLENGES_DIR.iterdir() if (p / "challenge.yaml").is_file()) \
        if CHALLENGES_DIR.is_dir() else []
    close = difflib.get_close_matches(challenge_id, known, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    err.print(Text.assemble(("error: ", "bold red"), f"no challenge {challenge_id!r}{hint}"))
    err.print(Text(f"known challenges: {', '.join(known) or 'none'} (`mlj list` shows them)"))
    sys.exit(EXIT_USAGE)


def _challenge(challenge_id: str) -> Challenge:
    from judge.challenge import ChallengeError, find

    if challenge_id in ("", ".", "..") or "/" in challenge_id or not (CHALLENGES_DIR / challenge_id).is_dir():
        _unknown(challenge_id)
    try:
        return find(challenge_id)
    except ChallengeError as exc:  # a broken package: its author needs the file and every error
        err.print(Text.assemble(("error: ", "bold red"), f"{exc.path}:"))
        for line in exc.errors:
            err.print(Text(f"  - {line}"))
        sys.exit(EXIT_USAGE)


def _known(challenge_id: str) -> None:
    """Report an unknown challenge id before anything starts (a Docker probe, a zygote, a fork server)."""
    if challenge_id != "all" and not (CHALLENGES_DIR / challenge_id).is_dir():
        _unknown(challenge_id)


def _sandbox(name: str | None, image: str | None = None):  # noqa: ANN202
    """The sandbox; what its first worker needs that no submission decides (the process backend's
    zygote, which imports torch) starts now, so grading commands choose it before reading a challenge."""
    from judge.sandbox import choose

    try:
        choice = choose(name, image=image)
    except (ValueError, RuntimeError) as exc:
        err.print(f"[bold red]error:[/] {exc}")
        sys.exit(EXIT_USAGE)
    err.print(f"[dim]sandbox: {choice.sandbox.name} ({choice.reason})[/]")
    try:
        choice.sandbox.prepare()
    except Exception:  # noqa: BLE001, S110 - only an early start: the grading's own start reports a failure (JE)
        pass
    return choice.sandbox


def _several(challenge_id: str, files: tuple[Path, ...]) -> bool:
    """Whether FILES hold two submissions or more, before any challenge is loaded."""
    from judge.layout import submission_files

    return len(submission_files(challenge_id, files)) > 1


def _submission_file(challenge: Challenge, file: Path | None) -> Path:
    if file is not None:
        return file
    entry = challenge.spec.entry.file
    for candidate in (Path(entry), Path(challenge.id) / entry):
        if candidate.is_file():
            return candidate
    err.print(f"[bold red]error:[/] no {entry} here or in ./{challenge.id}/; pass the file to grade, "
              f"or run `mlj start {challenge.id}` first")
    sys.exit(EXIT_USAGE)


sandbox_option = click.option("--sandbox", type=click.Choice(CHOICES), default="auto",
                              show_default=True, help="where submissions run (auto: docker if it answers)")
seed_option = click.option("--seed", type=int, default=None, help="seed for the hidden inputs (default: random)")
gpus_option = click.option("--gpus", default=None, metavar="all|N|IDS",
                           help="pass GPUs to the sandbox; challenges that run on cuda are tested there")


def _check_gpus(gpus: str | None) -> None:
    from judge.sandbox import gpus as host

    if gpus and not host.driver_loaded():
        err.print(f"[bold red]error:[/] --gpus {gpus}: this host has no NVIDIA GPU (no {host.CONTROL}); "
                  "leave --gpus out to grade on the CPU")
        sys.exit(EXIT_USAGE)


@click.group()
@click.version_option(__version__, prog_name="mlj")
def main() -> None:
    """mlj: an auto-graded judge for machine-learning coding challenges."""


@main.command("list")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="only challenges with this tag (repeat: all of them)")
@click.option("--difficulty", type=click.Choice(["easy", "medium", "hard"]), help="only challenges of this difficulty")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--markdown", is_flag=True, help="print the Markdown table of challenges (the README's)")
def list_cmd(tags: tuple[str, ...], difficulty: str | None, as_json: bool, markdown: bool) -> None:
    """List the challenges, with a one-line summary each (a broken challenge.yaml is reported, not fatal)."""
    from judge.challenge import BrokenChallenge, Challenge, discover
    from judge.listing import UnknownTag, markdown_table, select, summary

    try:
        listing = select(discover(), tags=tags, difficulty=difficulty)
    except UnknownTag as exc:
        err.print(f"[bold red]error:[/] {exc}")
        sys.exit(EXIT_USAGE)
    found = listing.shown
    if as_json:
        rows = [{"id": c.id, "title": c.spec.title, "difficulty": c.spec.difficulty, "tags": c.spec.tags,
                 "summary": summary(c)}
                if isinstance(c, Challenge) else {"id": c.id, "errors": list(c.errors)} for c in found]
        click.echo(json.dumps(rows, indent=2))
    elif markdown:
        click.echo(markdown_table([c for c in found if isinstance(c, Challenge)]), nl=False)
    else:
        table = Table()
        # ids are what commands take: never cut; the rest wraps
        table.add_column("id", no_wrap=True, min_width=max((len(c.id) for c in found), default=2))
        table.add_column("difficulty", no_wrap=True)
        for name in ("summary", "tags"):
            table.add_column(name, overflow="fold", ratio=3 if name == "summary" else 2)
        for c in found:
            if isinstance(c, Challenge):
                table.add_row(c.id, c.spec.difficulty, Text(f"{c.spec.title}. ", style="bold") + Text(summary(c)),
                              ", ".join(c.spec.tags))
            else:
                table.add_row(c.id, "", Text("broken challenge.yaml: ", style="red") + Text("; ".join(c.errors)), "")
        console.print(table)
        console.print(listing.footer(tags, difficulty), style="dim")
    sys.exit(EXIT_USAGE if any(isinstance(c, BrokenChallenge) for c in found) else EXIT_OK)


@main.command()
@click.argument("challenge_id")
def show(challenge_id: str) -> None:
    """Show a challenge's statement."""
    challenge = _challenge(challenge_id)
    from rich.markdown import Markdown  # slow to import: only where a statement is shown

    console.print(Markdown(challenge.statement_path.read_text(encoding="utf-8")))


@main.command()
@click.argument("challenge_id")
@click.argument("directory", type=click.Path(path_type=Path), required=False)
@click.option("--force", is_flag=True, help="overwrite an existing solution file")
def start(challenge_id: str, directory: Path | None, force: bool) -> None:
    """Write the stub, statement and public tests into a workspace (default ./ID)."""
    from judge.workspace import WorkspaceExists, create_workspace

    challenge = _challenge(challenge_id)
    try:
        written = create_workspace(challenge, directory or Path(challenge.id), force=force)
    except WorkspaceExists as exc:
        err.print(f"[bold red]error:[/] {exc}")
        sys.exit(EXIT_USAGE)
    for path in written:  # paths (like URLs) are never broken across lines: the terminal wraps them whole
        console.print(Text(f"wrote {path}"), soft_wrap=True)
    console.print(Text(f"\nedit {written[0]}, then, from here or from {directory or challenge.id}/:"), soft_wrap=True)
    console.print(Text(f"  {test_command(challenge.id)}     public tests, fast feedback\n"
                       f"  mlj submit {challenge.id}   hidden tests: verdict and score"))


def test_command(challenge_id: str) -> str:
    """The one form of the public-test command that README, `mlj start` and statements give."""
    return f"mlj test {challenge_id}"


def _run_one(challenge_id: str, file: Path | None, suite: str, sandbox: str, seed: int | None,
             as_json: bool, gpus: str | None = None, details: bool = False, select: str | None = None) -> None:
    _known(challenge_id)
    _check_gpus(gpus)
    box = _sandbox(sandbox)
    try:
        from judge.grading import grade
        from judge.reports import print_result, result_dict

        challenge = _challenge(challenge_id)
        path = _submission_file(challenge, file)
        result = grade(challenge, path, sandbox=box, suite=suite, seed=seed, gpus=gpus, select=select)
    finally:
        box.close()
    if select and not result.tests and result.verdict.name == "JE":
        err.print(Text.assemble(("error: ", "bold red"), f"no public test matches -k {select!r}; the public tests "
                                f"are in {challenge.tests_dir('public').name}/ of the workspace (`mlj start`)"))
        sys.exit(EXIT_USAGE)
    from judge import history

    history.record(result)
    if as_json:
        click.echo(json.dumps(result_dict(result), indent=2, default=str))
    else:
        print_result(console, result, details=details)
    sys.exit(exit_code([result]))


details_option = click.option("--details", is_flag=True, help="every test, not only the groups and failures")


@main.command()
@click.argument("challenge_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@sandbox_option
@gpus_option
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
@click.option("-k", "select", metavar="NAME", default=None,
              help="only the public tests whose name matches (pytest -k: a substring, `and`, `or`, `not`)")
@details_option
def test(challenge_id: str, file: Path | None, sandbox: str, gpus: str | None, as_json: bool,
         select: str | None, details: bool) -> None:
    """Run the public tests on your solution (fast feedback)."""
    _run_one(challenge_id, file, "public", sandbox, None, as_json, gpus, details, select)


@main.command()
@click.argument("challenge_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@sandbox_option
@seed_option
@gpus_option
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
@click.option("--server", default=None, help="submit to a leaderboard server instead of grading here")
@click.option("--no-wait", is_flag=True, help="with --server: return once the submission is stored")
@details_option
def submit(challenge_id: str, file: Path | None, sandbox: str, seed: int | None, gpus: str | None, as_json: bool,
           server: str | None, no_wait: bool, details: bool) -> None:
    """Grade your solution on the hidden tests: verdict and score."""
    if server:
        from judge.server.client import submit_remote

        # the id is checked against the server's catalog; only the default file name needs a local copy
        if file is None:
            file = _submission_file(_challenge(challenge_id), None)
        sys.exit(submit_remote(server=server, challenge_id=challenge_id, file=file, wait=not no_wait,
                               console=console, as_json=as_json))
    _run_one(challenge_id, file, "hidden", sandbox, seed, as_json, gpus, details)


@main.command()
@click.argument("challenge_id")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@sandbox_option
@seed_option
@click.option("--json", "as_json", is_flag=True, help="print the JSON report instead of the table (as every "
              "command's --json does)")
@click.option("--json-file", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="write the JSON report to a file")
@click.option("--junit-xml", "junit_out", type=click.Path(dir_okay=False, path_type=Path),
              help="write a JUnit XML report (errors: RE TLE MLE CE JE; failures: WA FB)")
@click.option("--summary-md", "markdown_out", type=click.Path(dir_okay=False, path_type=Path),
              help="write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path),
              help="write one CSV row per submission (a gradebook)")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="submissions graded in parallel (with --gpus, each job gets its own GPU)")
@click.option("--details", is_flag=True, help="print every test of every submission, not one line each")
@gpus_option
@click.option("--server", default=None, help="grade the batch on a leaderboard server's slots or workers (an admin's "
              "token from `mlj login`); it stays off the leaderboard")
def grade(challenge_id: str, files: tuple[Path, ...], sandbox: str, seed: int | None, as_json: bool,
          json_out: Path | None, junit_out: Path | None, markdown_out: Path | None, csv_out: Path | None, jobs: int,
          details: bool, gpus: str | None, server: str | None) -> None:
    """Grade submissions for CI (exit 0: all AC, 1: some not AC, 2: usage or judge error).

    FILES may be files (.py, .ipynb) or folders of them. With CHALLENGE_ID `all`, each
    folder holds one sub-folder per challenge id (DIR/attention/*.py, ...).
    Every submission of a run sees the same hidden inputs. One submission is
    reported test by test; many get one line each (or every test with --details).
    """
    _known(challenge_id)
    _check_gpus(gpus)
    stray = [f for f in files if f.suffix in (".json", ".xml", ".md", ".csv") and f.is_file()]
    if stray:  # `--json r.json` of old: --json now prints, as on every command
        err.print(Text.assemble(("error: ", "bold red"), f"{stray[0]} is not a submission; reports go to "
                                "--json-file FILE, --junit-xml FILE, --summary-md FILE or --csv FILE"))
        sys.exit(EXIT_USAGE)
    if server and (jobs > 1 or gpus):
        err.print("[bold red]error:[/] --jobs and --gpus are for grading here; with --server the board's slots or "
                  "workers grade the batch (drop them)")
        sys.exit(EXIT_USAGE)
    if server:
        pairs, results, sandbox_name, interrupted = _grade_on_board(challenge_id, files, server, seed)
    else:
        pairs, results, sandbox_name, interrupted = _grade_here(challenge_id, files, sandbox, seed, jobs, gpus)
    from judge.reports import (
        print_result,
        submission_labels,
        summary_table,
        to_json,
        write_csv,
        write_json,
        write_junit,
        write_markdown,
    )

    if as_json:
        click.echo(json.dumps(to_json(results, sandbox=sandbox_name), indent=2, default=str))
    elif len(results) == 1 or details:
        for result, label in zip(results, submission_labels(results)):
            print_result(console, result, show_log=False, details=details, label=label)
    elif results:
        console.print(summary_table(results, width=console.width))
        console.print("[dim]every test of every submission: --details, or --json-file / --junit-xml[/]")
    if json_out:
        write_json(json_out, results, sandbox=sandbox_name)
    for out, write in ((junit_out, write_junit), (markdown_out, write_markdown), (csv_out, write_csv)):
        if out:
            write(out, results)
    if interrupted:
        err.print(f"[bold yellow]interrupted[/]: {len(results)} of {len(pairs)} submissions graded; "
                  "the reports hold those")
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(exit_code(results))


def _pairs(challenge_id: str, files: tuple[Path, ...]) -> list:
    """(challenge, file) for each submission; exit 2 with the reason when there are none or an id is wrong."""
    from judge.batch import resolve
    from judge.challenge import ChallengeError

    try:
        pairs = resolve(challenge_id, files)
    except ChallengeError as exc:
        err.print(f"[bold red]error:[/] {exc}")
        sys.exit(EXIT_USAGE)
    if not pairs:
        err.print("[bold red]error:[/] no .py or .ipynb files to grade")
        sys.exit(EXIT_USAGE)
    return pairs


def _grade_here(challenge_id: str, files: tuple[Path, ...], sandbox: str, seed: int | None, jobs: int,
                gpus: str | None) -> tuple[list, list, str, bool]:
    """(pairs, results, sandbox name, interrupted) of a batch graded on this machine."""
    if jobs > 1 and _several(challenge_id, files):
        from judge import forkserver

        forkserver.start()  # first: its imports load while this process reads the challenges
    box = _sandbox(sandbox)
    try:
        from judge.batch import Interrupted, grade_many

        pairs = _pairs(challenge_id, files)
        try:
            return pairs, grade_many(pairs, sandbox=box, seed=seed, jobs=jobs, console=err, gpus=gpus), box.name, False
        except Interrupted as stop:  # Ctrl-C: report what finished, then exit 130
            return pairs, stop.results, box.name, True
    finally:
        box.close()


def _grade_on_board(challenge_id: str, files: tuple[Path, ...], server: str, seed: int | None
                    ) -> tuple[list, list, str, bool]:
    """(pairs, results, "board URL", interrupted) of a batch graded by a leaderboard server."""
    from judge.server.batch_client import BatchInterrupted, grade_remote
    from judge.server.client import ClientError

    pairs = _pairs(challenge_id, files)
    try:
        results, label = grade_remote(pairs, server=server, seed=seed, console=err)
    except ClientError as exc:
        err.print(Text.assemble(("error: ", "bold red"), str(exc)))
        sys.exit(EXIT_USAGE)
    except BatchInterrupted as stop:
        err.print(f"stopped waiting; batch {stop.batch_id} stays on the board and is graded all the same")
        return pairs, stop.results, f"board {server}", True
    return pairs, results, label, False


@main.command()
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def status(as_json: bool) -> None:
    """Your practice so far: each challenge's best score, last verdict and when (from your local history)."""
    from judge import history
    from judge.challenge import Challenge, discover

    standings = history.standings()
    found = [c for c in discover() if isinstance(c, Challenge)]
    if as_json:
        click.echo(json.dumps({c.id: vars(standings[c.id]) if c.id in standings else None for c in found}, indent=2))
        sys.exit(EXIT_OK)
    table = Table(title=f"history: {history.history_path()}", title_justify="left")
    table.add_column("challenge", no_wrap=True)
    table.add_column("best score", justify="right", no_wrap=True)
    table.add_column("last verdict", no_wrap=True)
    table.add_column("last attempt", overflow="fold")
    table.add_column("attempts", justify="right")
    for c in found:
        s = standings.get(c.id)
        if s is None:
            table.add_row(c.id, "", Text("--", style="dim"), Text(f"not tried: mlj start {c.id}", style="dim"), "0")
            continue
        best = f"{s.best_score:g}/{s.max_score:g}" if s.max_score else "--"
        table.add_row(c.id, best, Text.assemble(verdict_label(s.last_verdict), f" ({s.last_suite})"),
                      s.last_at.replace("T", " ").removesuffix("+00:00") + " UTC", str(s.attempts))
    console.print(table)
    sys.exit(EXIT_OK)


def verdict_label(verdict: str) -> Text:
    from judge.reports import verdict_text
    from judge.verdict import Verdict

    return verdict_text(Verdict(verdict)) if verdict in Verdict.__members__ else Text(verdict)


@main.command()
@click.argument("challenge_ids", nargs=-1)
@sandbox_option
@seed_option
@click.option("--seeds", type=click.IntRange(1, 50), default=3, show_default=True,
              help="seeds each known solution that is not accepted is graded on (the first is --seed)")
@click.option("--mutants", is_flag=True, help="grade mutants of the reference instead; fail on any accepted "
              "mutant that mutants.yaml does not list as equivalent")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="gradings at once (each in a judge process of its own; at most the number of cores)")
@click.option("--whole-groups/--stop-groups", default=True, show_default=True,
              help="grade the solutions that are not accepted with every test of a group run after a failure, so "
              "rule coverage sees every test each fails; --stop-groups: as a grading does, up to a group's first")
def verify(challenge_ids: tuple[str, ...], sandbox: str, seed: int | None, seeds: int, mutants: bool,
           jobs: int, whole_groups: bool) -> None:
    """Check challenges: verdicts of the known solutions on several seeds, time margins, rule coverage."""
    if mutants:
        _verify_mutants(challenge_ids, sandbox, seed, jobs)
    from rich.markup import escape

    from judge.challenge import discover
    from judge.reports import verdict_text
    from judge.verify import verify as run_verify

    challenges = [_challenge(c) for c in challenge_ids] if challenge_ids else discover()
    box = _sandbox(sandbox)

    def show_check(check) -> None:  # noqa: ANN001
        mark = "[green]ok[/]  " if check.ok else "[bold red]FAIL[/]"
        if check.kind == "verdict":
            got = verdict_text(check.got).markup if check.got else "--"
            line = f"{check.challenge}: {check.what}: expected {check.expected}, got {got}"
        else:
            line = f"{check.challenge}: {check.what}: {check.expected}"
        console.print(f"{mark} {line}" + (f"  [dim]{escape(check.detail)}[/]" if check.detail else ""))

    try:
        checks = run_verify(challenges, sandbox=box, seed=seed, seeds=seeds, jobs=jobs, on_check=show_check,
                            whole_groups=whole_groups)
    finally:
        box.close()
    bad = [c for c in checks if not c.ok]
    for kind, title in (("rule", "rule coverage"), ("margin", "time margins")):
        rows = [c for c in checks if c.kind == kind]
        if rows:
            console.print(f"{title}: {sum(c.ok for c in rows)} of {len(rows)} ok")
    console.print(f"\n{len(checks) - len(bad)} passed, {len(bad)} failed")
    sys.exit(EXIT_NOT_ACCEPTED if bad else EXIT_OK)


def _verify_mutants(challenge_ids: tuple[str, ...], sandbox: str, seed: int | None, jobs: int) -> None:
    """``mlj verify --mutants``: exit 0 when no mutant survives unexplained, 1 otherwise, 2 for a bad mutants.yaml."""
    from rich.markup import escape

    from judge.challenge import BrokenChallenge, discover

    try:
        from judge.mutants import MutantsFileError, equivalent_entry, run
    except ModuleNotFoundError as exc:  # cosmic-ray, the mutation operators, is a dev dependency
        console.print(f"[bold red]error:[/] mlj verify --mutants needs {exc.name}: pip install -e '.[dev]'")
        sys.exit(EXIT_ERROR)

    challenges = [_challenge(c) for c in challenge_ids] if challenge_ids else discover()
    box = _sandbox(sandbox)
    passed = failed = 0
    try:
        for challenge in challenges:
            if isinstance(challenge, BrokenChallenge):
                errors = escape("; ".join(challenge.errors))
                console.print(f"[bold red]FAIL[/] {challenge.id}: challenge.yaml: {errors}")
                failed += 1
                continue
            try:
                report = run(challenge, sandbox=box, jobs=jobs, seed=seed)
            except MutantsFileError as exc:
                console.print(f"[bold red]error:[/] {escape(str(exc))}")
                sys.exit(EXIT_ERROR)
            mark = "[green]ok[/]  " if report.ok else "[bold red]FAIL[/]"
            console.print(f"{mark} {challenge.id}: {report.total} mutants, {report.killed} killed, "
                          f"{len(report.explained)} equivalent (mutants.yaml), {len(report.survivors)} survived")
            for mutant, _ in report.survivors:
                console.print(f"  [bold red]survived[/] {escape(mutant.describe())}", soft_wrap=True)
                console.print(f"    [dim]a missing test, or list it in mutants.yaml:[/]\n"
                              f"{escape(equivalent_entry(mutant))}", end="", soft_wrap=True)
            for mutant, entry in report.killed_but_listed:
                console.print(f"  [bold red]listed as equivalent but killed[/] {escape(mutant.describe())}: "
                              "remove it from mutants.yaml")
            for entry in report.stale:
                console.print(f"  [bold red]mutants.yaml entry matches no mutant[/] {escape(entry.operator)} on "
                              f"{escape(entry.line)!r} (occurrence {entry.occurrence}): the reference changed?")
            if not report.reference_ok:
                ref = report.reference
                why = ref.message.splitlines()[0] if ref and ref.message else ""
                console.print(f"  [bold red]the reference itself is not AC[/] ({ref.verdict if ref else '?'}): "
                              f"{escape(why)}", soft_wrap=True)
            for mutant, result in report.judge_errors:
                console.print(f"  [bold red]judge error[/] {escape(mutant.describe())}: {escape(result.message[:300])}")
            passed += report.ok
            failed += not report.ok
    finally:
        box.close()
    console.print(f"mutants: {passed} passed, {failed} failed")  # challenges, in the line CI reads
    sys.exit(EXIT_NOT_ACCEPTED if failed else EXIT_OK)


@main.group()
def image() -> None:
    """The runner image the docker sandbox runs submissions in."""


@image.command("build")
@click.option("--base-image", default=None, help="local base image (default: python:3.11-slim; a CUDA "
              "PyTorch image with --gpu); it is never pulled")
@click.option("--tag", default=DEFAULT_IMAGE, show_default=True)
@click.option("--gpu", is_flag=True, help="build the CUDA variant")
@click.option("--wheelhouse", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="where pip puts the wheels on the host (default: ./wheelhouse)")
def image_build(base_image: str | None, tag: str, gpu: bool, wheelhouse: Path | None) -> None:
    """Build the runner image offline: wheels are fetched on the host, the build has no network."""
    from judge.sandbox.docker.image import ImageBuildError, build_image

    with console.status(f"building {tag}", spinner="dots") as status:
        def progress(line: str) -> None:
            line = line.strip()
            if line:
                status.update(f"building {tag}: [dim]{line[:100]}[/]")
                if line.startswith(("Step ", "base ", "wheelhouse", "pip ")):
                    console.print(Text(line, style="dim"))

        try:
            image_id = build_image(base_image=base_image, tag=tag, gpu=gpu, wheelhouse=wheelhouse, progress=progress)
        except ImageBuildError as exc:
            err.print(f"[bold red]error:[/] {exc}")
            sys.exit(EXIT_USAGE)
    console.print(f"[green]built[/] {tag} ({image_id[:19]})")


# --- the leaderboard server: hosting it, its users, and the client side ---------------------------
# judge.server.admin loads SQLAlchemy (and `serve` the web stack), judge.server.client loads httpx:
# each is imported inside its commands, so `mlj list` loads neither.

DB_HELP = "database URL (postgresql+psycopg://USER:PASS@HOST/DB) or SQLite file path  [default: ./.mlj/server.db]"
db_option = click.option("--db", envvar="MLJ_DB", default=None, help=DB_HELP)
broker_option = click.option("--broker", envvar="MLJ_BROKER", default=None,
                             help="redis://HOST:PORT/N: grade on `mlj worker` processes instead of local slots")


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@sandbox_option
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="submissions graded at once (one grading process each)")
@click.option("--max-upload-kib", type=click.IntRange(1, 65536), default=256, show_default=True,
              help="largest submission accepted (413 beyond)")
@click.option("--rate-limit", type=click.IntRange(0, 10000), default=10, show_default=True,
              help="submissions per user per minute (429 beyond); 0: no limit")
@click.option("--max-pending", type=click.IntRange(0, 1000), default=3, show_default=True,
              help="submissions one member may have queued or being graded at once (429 beyond); 0: no limit")
@click.option("--secure-cookies", is_flag=True, help="mark cookies Secure: the site is served over https")
@click.option("--trust-proxy", is_flag=True, help="behind a reverse proxy: believe its X-Forwarded-Proto "
              "and X-Forwarded-Host (never without one: a client could set them)")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True)
@broker_option
def serve(db: str | None, host: str, port: int, sandbox: str, workers: int, max_upload_kib: int,
          rate_limit: int, max_pending: int, secure_cookies: bool, trust_proxy: bool, log_level: str,
          broker: str | None) -> None:
    """Host the team leaderboard: web pages, JSON API, grading in sandboxes (or on `mlj worker`s with --broker)."""
    from judge.server import admin

    sys.exit(admin.serve(db=db, host=host, port=port, sandbox=sandbox, workers=workers,
                         max_upload_kib=max_upload_kib, rate_limit=rate_limit, log_level=log_level,
                         max_pending=max_pending, secure_cookies=secure_cookies, trust_proxy=trust_proxy,
                         broker=broker))


@main.command()
@click.option("--broker", envvar="MLJ_BROKER", required=True, help="the board's broker, redis://HOST:PORT/N")
@db_option
@sandbox_option
@click.option("--queue", type=click.Choice(["cpu", "gpu"]), default="cpu", show_default=True,
              help="which gradings to take: gpu takes the challenges that run on cuda")
@click.option("--concurrency", type=click.IntRange(1, 64), default=1, show_default=True,
              help="gradings at once (one grading process each)")
@gpus_option
@click.option("--lease-seconds", type=click.FloatRange(2, 3600), default=60, show_default=True,
              help="how long a grading stays this worker's without a heartbeat (beats every quarter of it)")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True)
def worker(broker: str, db: str | None, sandbox: str, queue: str, concurrency: int, gpus: str | None,
           lease_seconds: float, log_level: str) -> None:
    """Grade a board's submissions on this host, taken from its broker (stop: SIGTERM finishes those in hand).

    With --gpus, one lane per GPU, each pinned to its GPU (--concurrency is then the number of GPUs).
    """
    from judge.server import worker as worker_main

    _check_gpus(gpus)
    sys.exit(worker_main.run(broker=broker, db=db, sandbox=sandbox, queue=queue, concurrency=concurrency,
                             lease_seconds=lease_seconds, log_level=log_level, gpus=gpus))


@main.group("admin")
def admin_group() -> None:
    """Manage the server's users and rejudge submissions (works on the database directly)."""


@admin_group.command("add-user")
@click.argument("name")
@click.option("--admin", "is_admin", is_flag=True, help="may see everyone's code and use the admin pages")
@db_option
def admin_add_user(name: str, is_admin: bool, db: str | None) -> None:
    """Create a user and print their token once."""
    from judge.server import admin

    sys.exit(admin.add_user(name=name, admin=is_admin, db=db))


@admin_group.command("reset-token")
@click.argument("name")
@db_option
def admin_reset_token(name: str, db: str | None) -> None:
    """Give a user a new token (the old one stops working) and print it once."""
    from judge.server import admin

    sys.exit(admin.reset_token(name=name, db=db))


@admin_group.command("users")
@db_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def admin_users(db: str | None, as_json: bool) -> None:
    """List the users: name, role, number of submissions."""
    from judge.server import admin

    sys.exit(admin.list_users(db=db, as_json=as_json))


@admin_group.command("workers")
@db_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def admin_workers(db: str | None, as_json: bool) -> None:
    """List the grading workers (`mlj worker`): queues, what each grades, last heartbeat."""
    from judge.server import admin

    sys.exit(admin.list_workers(db=db, as_json=as_json))


@admin_group.command("remove-user")
@click.argument("name")
@db_option
def admin_remove_user(name: str, db: str | None) -> None:
    """Remove a user, their token and every submission of theirs."""
    from judge.server import admin

    sys.exit(admin.remove_user(name=name, db=db))


@admin_group.command("make-admin")
@click.argument("name")
@click.option("--revoke", is_flag=True, help="make them a plain member again")
@db_option
def admin_make_admin(name: str, revoke: bool, db: str | None) -> None:
    """Make a user an admin (or, with --revoke, a member again)."""
    from judge.server import admin

    sys.exit(admin.make_admin(name=name, db=db, admin=not revoke))


@admin_group.command("rejudge")
@click.option("--challenge", default=None, help="every finished submission of this challenge")
@click.option("--submission", type=click.IntRange(1, 2**63 - 1), default=None, help="one submission")
@click.option("--wait", type=click.FloatRange(0), default=0, show_default=True,
              help="seconds to wait for the running server to grade them before listing the changes")
@db_option
def admin_rejudge(challenge: str | None, submission: int | None, wait: float, db: str | None) -> None:
    """Grade submissions again (after a challenge changed) and list the verdict changes."""
    from judge.server import admin

    sys.exit(admin.rejudge(db=db, challenge=challenge, submission=submission, wait=wait))


@admin_group.command("changes")
@click.argument("rejudge_id", type=click.IntRange(1, 2**63 - 1))
@db_option
def admin_changes(rejudge_id: int, db: str | None) -> None:
    """List a rejudge's verdict changes so far."""
    from judge.server import admin

    sys.exit(admin.changes(db=db, rejudge_id=rejudge_id))


server_option = click.option("--server", default=None,
                             help="the leaderboard's URL  [default: the server of the latest `mlj login`]")


@main.command()
@click.option("--server", required=True, help="the leaderboard's URL, e.g. http://host:8000")
@click.option("--token", default=None, help="your token (asked for if left out)")
def login(server: str, token: str | None) -> None:
    """Check your token with the server, store it, and remember the server as the default."""
    from judge.server import client

    if token is None:
        token = click.prompt("token", hide_input=True).strip()
    sys.exit(client.login(server=server, token=token, console=console))


@main.command()
@server_option
def logout(server: str | None) -> None:
    """Forget the token stored for a server."""
    from judge.server import client

    sys.exit(client.logout(server=server, console=console))


@main.command()
@server_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def whoami(server: str | None, as_json: bool) -> None:
    """Who the stored token logs you in as on a server."""
    from judge.server import client

    sys.exit(client.whoami(server=server, console=console, as_json=as_json))


@main.command()
@server_option
@click.option("--challenge", default=None, help="one challenge's board instead of the overall one")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def leaderboard(server: str | None, challenge: str | None, as_json: bool) -> None:
    """Print a server's leaderboard."""
    from judge.server import client

    sys.exit(client.leaderboard(server=server, challenge=challenge, console=console, as_json=as_json))


def entry() -> None:
    """The `mlj` console command: run it, then exit without tearing the interpreter down.

    Exit handlers still run (containers and fork servers are cleaned up there);
    only the module-by-module teardown of torch, slow and useless at exit, is
    skipped.
    """
    code = 0
    try:
        main.main(prog_name="mlj", standalone_mode=False)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except click.exceptions.Abort:  # Ctrl-C in a prompt or where click caught it
        err.print("[bold yellow]interrupted[/]")
        code = EXIT_INTERRUPTED
    except KeyboardInterrupt:  # Ctrl-C anywhere else: no traceback, the shell's exit status for SIGINT
        err.print("[bold yellow]interrupted[/]")
        code = EXIT_INTERRUPTED
    except click.exceptions.ClickException as exc:
        exc.show()
        code = exc.exit_code
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":
    entry()
