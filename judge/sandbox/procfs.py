"""``/proc/<pid>/stat`` as both backends read it on the host: a worker tree's CPU time (process), a judge's
start time (docker's leftover check)."""

from __future__ import annotations


def stat_fields(pid: int) -> list[bytes] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (index 0 is field 3, the state), or None if
    the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    # the command name (field 2) is the process's to choose, spaces and parentheses included: split after
    # its last ")"
    name_end = data.rfind(b")")
    return None if name_end < 0 else data[name_end + 1:].split()
