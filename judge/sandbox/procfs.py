"""``/proc/<pid>/stat`` as both backends read it on the host: a worker tree's CPU time (process), a judge's
start time (docker's leftover check), whether a worker is computing or sleeping (the wall-clock cap)."""

from __future__ import annotations

import os


def stat_fields(pid: int, tid: int | None = None) -> list[bytes] | None:
    """The fields of ``/proc/<pid>/stat`` (or of its thread ``tid``) after the command name (index 0 is field
    3, the state), or None if the process is gone."""
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    # the command name (field 2) is the process's to choose, spaces and parentheses included: split after
    # its last ")"
    name_end = data.rfind(b")")
    return None if name_end < 0 else data[name_end + 1:].split()


def any_runnable(pids: list[int]) -> bool:
    """Whether some thread of one of ``pids`` is running or waiting for a CPU (state R) right now: a
    process that computes on a busy machine is runnable even while it gets no CPU time, one that sleeps or
    blocks is not."""
    for pid in pids:
        try:
            threads = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in threads:
            fields = stat_fields(pid, int(tid))
            if fields and fields[0] == b"R":
                return True
    return False
