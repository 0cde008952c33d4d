"""What one grading container is given: ``container_options()``, the keyword arguments of
``client.containers.create`` (pure: no engine is asked).

No network, read-only root, tmpfs ``/scratch`` and ``/tmp``, user 10001:10001,
all capabilities dropped, no-new-privileges, pids, memory (swap included), CPU
and RLIMIT_CPU limits, private IPC; the submission folder mounted read-only at
``/submission`` and the judge's own ``harness/`` read-only over the image's
copy. The environment holds only thread counts, ``HOME`` and
``PYTHONDONTWRITEBYTECODE`` (plus the image's own ``PATH``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docker.types

import harness
from judge.sandbox.base import WorkerSpec, thread_env
from judge.sandbox.docker.registry import owner_labels
from judge.sandbox.gpus import parse_gpus

HARNESS_DIR = str(Path(harness.__file__).resolve().parent)
HARNESS_MOUNT = "/opt/mlj/harness"  # where docker/Dockerfile puts the image's own copy
USER = "10001:10001"
MOUNT = "/submission"
SCRATCH = "/scratch"
GPU_HINT = ("install the NVIDIA Container Toolkit and restart dockerd "
            "(`nvidia-ctk runtime configure --runtime=docker`), or grade without --gpus")


class GpuUnavailable(RuntimeError):
    """GPUs were requested but this engine cannot pass them through."""


def container_options(spec: WorkerSpec, *, image: str, mount_dir: str | Path, gpus_available: bool) -> dict[str, Any]:
    """The keyword arguments of ``client.containers.create`` for one worker (pure, no engine)."""
    limits = spec.limits
    env = {**thread_env(limits.threads), "HOME": SCRATCH, "PYTHONDONTWRITEBYTECODE": "1"}
    tmpfs_flags = "nosuid,nodev"
    # RLIMIT_NPROC counts per uid across the host (no user namespace): pids_limit caps forks instead.
    # RLIMIT_DATA makes a big allocation fail at once (MemoryError: MLE) where the cgroup alone would
    # first squeeze the page cache (slow: a TLE); CPU only, as CUDA maps large private regions.
    rlimits = [("cpu", limits.cpu_seconds), ("core", 0), ("nofile", 512), ("fsize", limits.scratch_bytes)]
    if spec.gpus is None:
        rlimits.append(("data", limits.memory_bytes))
    options: dict[str, Any] = {
        "image": image,
        "stdin_open": True,
        "user": USER,
        "working_dir": SCRATCH,
        "environment": env,
        "labels": owner_labels(),
        "network_mode": "none",
        "read_only": True,
        "tmpfs": {
            SCRATCH: f"size={limits.scratch_bytes},mode=0700,uid=10001,gid=10001,{tmpfs_flags}",
            "/tmp": f"size={limits.scratch_bytes},mode=1777,{tmpfs_flags}",
        },
        "volumes": {str(mount_dir): {"bind": MOUNT, "mode": "ro"},
                    # the judge's own harness over the image's copy: both ends of the wire always match
                    HARNESS_DIR: {"bind": HARNESS_MOUNT, "mode": "ro"}},
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "pids_limit": limits.pids,
        "mem_limit": limits.memory_bytes,
        "memswap_limit": limits.memory_bytes,
        "nano_cpus": max(1, limits.threads) * 10**9,
        "ipc_mode": "private",
        "ulimits": [docker.types.Ulimit(name=n, soft=v, hard=v) for n, v in rlimits],
        "auto_remove": False,
    }
    if spec.cpus:
        options["cpuset_cpus"] = ",".join(str(cpu) for cpu in spec.cpus)
    if spec.gpus is not None:
        if not gpus_available:
            raise GpuUnavailable(f"GPUs were requested (--gpus {spec.gpus}) but this Docker engine cannot pass "
                                 f"them through (no 'nvidia' runtime, no nvidia-container-toolkit): {GPU_HINT}")
        count, ids = parse_gpus(spec.gpus)
        options["device_requests"] = [docker.types.DeviceRequest(
            count=count if not ids else 0, device_ids=ids, capabilities=[["gpu"]])]
        env["NVIDIA_VISIBLE_DEVICES"] = "all" if count == -1 else ",".join(ids or map(str, range(count)))
        env["NVIDIA_DRIVER_CAPABILITIES"] = "compute,utility"
    return options
