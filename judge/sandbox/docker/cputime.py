"""CPU time of a grading container: its cgroup's counter, read on the host.

The engine puts every process of a container in the container's cgroup, and
the kernel counts their CPU time there (cgroup v2: ``cpu.stat``'s
``usage_usec``; v1: ``cpuacct.usage`` in nanoseconds). Nothing inside the
container can write that counter or leave the cgroup (no capabilities). The
file is found from the container's main process (``/proc/<pid>/cgroup``,
under the host's cgroup mounts) and accepted only when its path names the
container's id; where it cannot be found (a judge in another PID or cgroup
namespace than the engine) the engine's stats API gives the same counter,
more slowly.
"""

from __future__ import annotations

import os
from pathlib import Path


def _cgroup_mounts() -> list[tuple[str, str, set[str]]]:
    """(filesystem type, mount point, options) of every cgroup mount of this process's mount namespace."""
    mounts = []
    try:
        text = Path("/proc/self/mountinfo").read_text()
    except OSError:
        return []
    for line in text.splitlines():
        left, _, right = line.partition(" - ")
        parts, tail = left.split(), right.split()
        if len(parts) >= 5 and len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
            mounts.append((tail[0], parts[4], set(tail[2].split(",")) | set(parts[5].split(","))))
    return mounts


def usage_file(pid: int, container_id: str) -> tuple[Path, float] | None:
    """The file that counts the CPU time of ``pid``'s cgroup, and the seconds per unit it counts in."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return None
    mounts = _cgroup_mounts()
    found: list[tuple[Path, float]] = []
    for line in lines:
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if container_id not in path:
            continue
        relative = path.lstrip("/")
        if "cpuacct" in controllers.split(","):
            found += [(Path(point, relative, "cpuacct.usage"), 1e-9) for kind, point, options in mounts
                      if kind == "cgroup" and "cpuacct" in options]
        elif hierarchy == "0" and not controllers:
            found += [(Path(point, relative, "cpu.stat"), 1e-6) for kind, point, _ in mounts if kind == "cgroup2"]
    return next(((f, unit) for f, unit in found if os.path.isfile(f)), None)


def read_usage(file: Path, unit: float) -> float | None:
    try:
        text = file.read_text()
    except OSError:
        return None
    if file.name == "cpu.stat":
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "usage_usec":
                return int(value) * unit
        return None
    try:
        return int(text.strip()) * unit
    except ValueError:
        return None
