"""The one place that asks whether this host has GPUs, and what --gpus values mean (no torch, no docker SDK)."""

from __future__ import annotations

from pathlib import Path

DEV = Path("/dev")
CONTROL = DEV / "nvidiactl"  # present wherever the NVIDIA driver is loaded


def driver_loaded() -> bool:
    return CONTROL.exists()


def host_gpus() -> int:
    """How many NVIDIA GPUs this host has (their /dev/nvidiaN device files)."""
    return len(list(DEV.glob("nvidia[0-9]*")))


def device_files() -> list[str]:
    """The names under /dev that a process needs to use the GPUs (nvidia0, nvidiactl, nvidia-uvm, ...)."""
    return sorted(p.name for p in DEV.glob("nvidia*") if not p.is_dir())


def parse_gpus(gpus: str) -> tuple[int, list[str]]:
    """``(count, device_ids)`` from a --gpus value: "all" -> (-1, []), "2" -> (2, []), "0,1" -> (0, ids)."""
    value = gpus.strip().strip('"')
    if value.startswith("device="):
        ids = [p.strip() for p in value.removeprefix("device=").split(",") if p.strip()]
    elif value == "all":
        return -1, []
    elif value.isdigit():
        if int(value) < 1:
            raise ValueError(f"--gpus {gpus!r}: ask for at least one GPU, or leave --gpus out")
        return int(value), []
    else:
        ids = [p.strip() for p in value.split(",") if p.strip()]
    if not ids:
        raise ValueError(f"--gpus {gpus!r}: expected 'all', a count like '2', or ids like '0,1'")
    return 0, ids


def pin_gpu(job_index: int, gpus: str, *, host_gpus: int | None = None) -> str:
    """The --gpus value for parallel job ``job_index`` when the run was given ``gpus``.

    Jobs go round-robin over the set, one GPU each: "0,1" gives job 0
    "device=0", job 1 "device=1", job 2 "device=0"; a count "N" means GPUs
    0..N-1 (what Docker picks for a count); "all" needs ``host_gpus`` to be
    pinned and is left as "all" without it. With more jobs than GPUs, jobs
    share a GPU. The result is always ``device=<id>`` (a bare "1" would be a count).
    """
    count, ids = parse_gpus(gpus)
    if count == -1:
        if not host_gpus:
            return "all"
        ids = [str(i) for i in range(host_gpus)]
    elif count > 0:
        ids = [str(i) for i in range(count)]
    return f"device={ids[job_index % len(ids)]}"


def cuda_visible_devices(gpus: str, *, host_gpus: int | None = None) -> str | None:
    """CUDA_VISIBLE_DEVICES for the process backend (None: every GPU, when the host's count is not given).

    CUDA takes a list of indices; "all" is not one of its values (it would hide every GPU).
    """
    count, ids = parse_gpus(gpus)
    if count == -1:
        return ",".join(str(i) for i in range(host_gpus)) if host_gpus else None
    return ",".join(ids or [str(i) for i in range(count)])
