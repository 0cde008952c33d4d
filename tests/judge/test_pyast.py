"""judge.pyast: threads may parse at once (CPython 3.11's AST constructor shares its recursion counter)."""

from __future__ import annotations

import gc
import threading
import time

from judge import ROOT
from judge.pyast import parse


class _Finalized:
    """Garbage in a cycle whose finalizer runs Python code: a collection inside ``ast.parse`` switches threads."""

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        time.sleep(0)


def test_threads_parsing_at_once_never_get_the_recursion_depth_system_error() -> None:
    sources = [p.read_text() for p in sorted((ROOT / "challenges").glob("*/tests/hidden/test_*.py"))[:12]]
    failures: list[BaseException] = []

    def work() -> None:
        for i in range(150):
            junk = [_Finalized() for _ in range(20)]
            del junk
            for source in (sources[i % len(sources)], "def f(:\n    pass\n"):
                try:
                    parse(source)
                except SyntaxError:
                    pass
                except SystemError as exc:  # what unguarded ast.parse raises here, now and then
                    failures.append(exc)

    old = gc.get_threshold()
    gc.set_threshold(5, 1, 1)
    try:
        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        gc.set_threshold(*old)
    assert not failures, failures[:3]


def test_the_trusted_side_parses_only_through_judge_pyast() -> None:
    direct = [f"{path.relative_to(ROOT)}:{n}" for path in [*sorted((ROOT / "judge").rglob("*.py")), ROOT / "cli.py"]
              if path.name != "pyast.py"
              for n, line in enumerate(path.read_text().splitlines(), 1) if "ast.parse(" in line]
    assert not direct, f"parse through judge.pyast.parse (threads share ast.parse's state): {direct}"
