"""CPU time of a process-sandbox worker and everything it started, read from the host's ``/proc``.

The worker's host pid is the boot parent that ``confine.run`` forks the
namespace's PID 1 from; the submission's threads and processes all descend
from it (an orphan is re-parented to that PID 1, inside the tree). The time
of the tree is the sum, over its live processes, of fields 14-17 of
``/proc/<pid>/stat``: utime and stime (every thread of the process, the
exited ones included) and cutime and cstime (the children it reaped). The
submission cannot write any of these.

Finding the tree takes a scan of every ``/proc/<pid>/stat`` (this kernel may
have no ``task/*/children``), so a full scan runs at most every
``RESCAN_SECONDS``; between scans only the members already known are read. A
process that appears between two scans is still charged in full at the next
scan (its whole time is new to the reading). What this does not see: a
process that exits before any scan found it and is reaped without a wait (a
parent that ignores SIGCHLD): its time is lost. The wall-clock cap of a test
bounds what that can gain.
"""

from __future__ import annotations

import os
import time

from judge.sandbox.procfs import any_runnable, stat_fields

RESCAN_SECONDS = 0.05
_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, int, int] | None:
    """(parent pid, start time, utime + stime + cutime + cstime in ticks) of ``pid``, or None if gone."""
    fields = stat_fields(pid)
    if fields is None:
        return None
    try:
        return int(fields[1]), int(fields[19]), sum(int(f) for f in fields[11:15])
    except (IndexError, ValueError):
        return None


class TreeClock:
    """Readings of the CPU time of the process tree under ``root`` (a host pid)."""

    def __init__(self, root: int) -> None:
        self.root = root
        self._members: dict[int, int] = {}  # pid -> its start time (a reused pid is another process)
        self._scanned = float("-inf")
        self._last = 0.0

    def _scan(self) -> dict[int, tuple[int, int, int]]:
        table: dict[int, tuple[int, int, int]] = {}
        for name in os.listdir("/proc"):
            if name.isdigit() and (entry := _stat(int(name))) is not None:
                table[int(name)] = entry
        children: dict[int, list[int]] = {}
        for pid, (parent, _, _) in table.items():
            children.setdefault(parent, []).append(pid)
        tree, todo = {}, [self.root] if self.root in table else []
        while todo:
            pid = todo.pop()
            tree[pid] = table[pid]
            todo.extend(children.get(pid, ()))
        return tree

    def seconds(self) -> float | None:
        """The tree's CPU time so far; None once the root is gone. Never less than the previous reading."""
        now = time.monotonic()
        if now - self._scanned >= RESCAN_SECONDS:
            tree = self._scan()
            self._scanned = now
            self._members = {pid: start for pid, (_, start, _) in tree.items()}
            ticks = sum(t for _, _, t in tree.values())
        else:
            ticks = 0
            for pid, start in self._members.items():
                entry = _stat(pid)
                if entry is not None and entry[1] == start:
                    ticks += entry[2]
        if self.root not in self._members:
            return None
        self._last = max(self._last, ticks / _TICK)
        return self._last

    def runnable(self) -> bool:
        """Whether a thread of the tree (as the last scan found it) is running or waiting for a CPU."""
        return any_runnable(list(self._members))
