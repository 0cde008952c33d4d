"""Build the runner image (docker/Dockerfile) with no registry and no network.

``build_image`` checks that a Docker engine answers and that the base image is
already local (it never pulls), asks the base for its Python version, CPU,
glibc and whether it already ships torch, fills a host-side wheelhouse with
``python -m pip download`` for exactly that target (the host's pip
configuration applies; wheels already there are reused, and a complete
wheelhouse needs no index at all), then builds docker/Dockerfile with the
network disabled from a context that holds only the Dockerfile, the wheelhouse
and the worker's modules of harness/ (``harness.WORKER_MODULES``). Challenges,
references, judge/ and tests never enter the image.

CPU images install the pinned CPU wheel ``torch==2.13.0``. Where the index
serves the CUDA build under that version (plain PyPI on Linux does), point pip
at the CPU wheels first, e.g. ``PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu``.
Environment markers of dependencies are evaluated by the host's pip (a known
pip limitation of cross-target downloads).

GPU images: ``gpu=True`` defaults to a CUDA PyTorch base. Any base whose
python3 already imports torch keeps its own torch: torch is neither downloaded
nor reinstalled, only numpy and safetensors are added next to it. The base
must be local: ``docker pull`` it where a registry answers, or bring it with
``docker load`` / ``docker import`` (scripts/docker-setup.sh makes the CPU base
``mlj-base:bookworm`` from a Debian mirror).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import docker  # docker.errors comes with it

import harness as harness_package
import judge
from harness import WORKER_MODULES
from judge.sandbox.base import DEFAULT_IMAGE

ROOT = judge.ROOT
DOCKERFILE = judge.CATALOG / "docker" / "Dockerfile"


def default_wheelhouse() -> Path:
    """./wheelhouse of the repository in a checkout; an installed copy has none: the user's cache folder."""
    if not judge.INSTALLED:
        return ROOT / "wheelhouse"
    from platformdirs import user_cache_path

    return user_cache_path("mlj") / "wheelhouse"


CPU_BASE = "python:3.11-slim"
GPU_BASE = "pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime"
TORCH = "torch==2.13.0"
PACKAGES = ("numpy", TORCH, "safetensors")

_PROBE = (
    "import importlib.util, json, platform, sys; print(json.dumps({"
    "'python': '%d.%d' % sys.version_info[:2], 'machine': platform.machine(), "
    "'libc': platform.libc_ver(), 'torch': importlib.util.find_spec('torch') is not None}))"
)

Progress = Callable[[str], None]


class ImageBuildError(Exception):
    """The runner image could not be built; the message says what to do."""


def _api(timeout: int = 60) -> docker.APIClient:
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except docker.errors.DockerException as e:
        raise ImageBuildError(
            f"no Docker engine answers ({e}).\n"
            "Start one: `sudo scripts/docker-setup.sh` (installs docker.io and starts dockerd), "
            "or `sudo dockerd >/tmp/dockerd.log 2>&1 &`, or point DOCKER_HOST at a running engine."
        ) from e
    return client.api


def image_exists(tag: str) -> bool:
    """True if the engine answers and has an image called ``tag`` locally."""
    try:
        _api(timeout=10).inspect_image(tag)
    except (ImageBuildError, docker.errors.DockerException):
        return False
    return True


def _probe(api: docker.APIClient, base_image: str) -> dict:
    """Run python3 once in the base (no network) and report what it is."""
    container = api.create_container(
        base_image,
        entrypoint=["python3", "-I", "-c", _PROBE],
        network_disabled=True,
        host_config=api.create_host_config(network_mode="none"),
    )
    try:
        api.start(container)
        code = api.wait(container, timeout=120)["StatusCode"]
        out = api.logs(container, stdout=True, stderr=True).decode(errors="replace")
    finally:
        api.remove_container(container, force=True)
    if code != 0:
        raise ImageBuildError(f"base image {base_image}: `python3` does not run in it:\n{out[-2000:]}")
    info = json.loads(out.strip().splitlines()[-1])
    if info["libc"][0] != "glibc":
        raise ImageBuildError(f"base image {base_image} has no glibc ({info['libc']}); use a glibc base")
    return info


def _fill_wheelhouse(wheelhouse: Path, packages: list[str], info: dict, progress: Progress) -> None:
    """pip download ``packages`` (and pip itself) as wheels for the base's Python and CPU."""
    wheelhouse.mkdir(parents=True, exist_ok=True)
    py, arch = info["python"], info["machine"]
    glibc_minor = int(info["libc"][1].split(".")[1])
    platforms = [f"manylinux_2_{m}_{arch}" for m in range(17, glibc_minor + 1)] + [f"manylinux2014_{arch}"]
    cmd = [
        *(sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--only-binary=:all:"),
        *("--dest", str(wheelhouse), "--find-links", str(wheelhouse), "--implementation", "cp"),
        *("--python-version", py, "--abi", "cp" + py.replace(".", "")),
        *(a for p in platforms for a in ("--platform", p)),
        *("pip", *packages),
    ]
    # Offline first: a wheelhouse that already holds everything needs no index.
    if subprocess.run([*cmd, "--no-index"], check=False, capture_output=True).returncode == 0:
        progress(f"wheelhouse {wheelhouse} is complete for {' '.join(packages)}")
        return
    progress(f"$ {' '.join(cmd)}")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    tail: list[str] = []
    for line in proc.stdout:  # type: ignore[union-attr]
        progress(line.rstrip())
        tail = (tail + [line])[-30:]
    if proc.wait() != 0:
        raise ImageBuildError(
            f"`pip download` could not fill the wheelhouse {wheelhouse} (exit {proc.returncode}):\n"
            + "".join(tail)
            + "Check the host's pip index (pip config list), or put the wheels there by hand."
        )


def _make_context(ctx: Path, wheelhouse: Path) -> None:
    """Dockerfile + wheelhouse/ + the ``WORKER_MODULES`` of harness/, nothing else (wheels hard-linked
    where possible). The modules are named, never globbed, so that a trusted-side module left in harness/
    stays out of the image (a grading container mounts the judge's harness/ over this copy anyway)."""
    shutil.copy2(DOCKERFILE, ctx / "Dockerfile")
    (ctx / "wheelhouse").mkdir()
    for whl in wheelhouse.glob("*.whl"):
        try:
            os.link(whl, ctx / "wheelhouse" / whl.name)
        except OSError:
            shutil.copy2(whl, ctx / "wheelhouse" / whl.name)
    harness = ctx / "harness"
    harness.mkdir()
    source = Path(harness_package.__file__).resolve().parent
    for name in WORKER_MODULES:
        shutil.copy2(source / f"{name}.py", harness / f"{name}.py")


def build_image(
    *,
    base_image: str | None = None,
    tag: str = DEFAULT_IMAGE,
    gpu: bool = False,
    wheelhouse: Path | None = None,
    progress: Progress | None = None,
) -> str:
    """Build the runner image from a local ``base_image`` with no network; return its id."""
    say = progress or (lambda _line: None)
    base = base_image or (GPU_BASE if gpu else CPU_BASE)
    api = _api()
    try:
        api.inspect_image(base)
    except docker.errors.ImageNotFound:
        raise ImageBuildError(
            f"base image {base!r} is not in the local Docker engine (the build never pulls).\n"
            f"Get it with `docker pull {base}` where a registry answers, with `docker load`/"
            "`docker import` of a saved image, or build the Debian base with no registry: "
            "`sudo scripts/docker-setup.sh` then base_image='mlj-base:bookworm'."
        ) from None
    info = _probe(api, base)
    packages = [p for p in PACKAGES if not (info["torch"] and p == TORCH)]
    say(
        f"base {base}: python {info['python']} {info['machine']} {'/'.join(info['libc'])}"
        + (", torch already there (kept)" if info["torch"] else "")
    )
    wheelhouse = Path(wheelhouse or default_wheelhouse())
    _fill_wheelhouse(wheelhouse, packages, info, say)
    old_id = api.inspect_image(tag)["Id"] if image_exists(tag) else None

    with tempfile.TemporaryDirectory(prefix="mlj-image-") as tmp:
        _make_context(Path(tmp), wheelhouse)
        image_id, log = None, []
        stream = api.build(
            path=tmp,
            tag=tag,
            buildargs={"BASE_IMAGE": base, "PACKAGES": " ".join(packages)},
            network_mode="none",
            pull=False,
            rm=True,
            forcerm=True,
            decode=True,
        )
        for chunk in stream:
            if "stream" in chunk:
                for line in chunk["stream"].splitlines():
                    say(line)
                    log = (log + [line])[-30:]
            if "error" in chunk:
                raise ImageBuildError(f"docker build of {tag} failed: {chunk['error'].strip()}\n" + "\n".join(log))
            if "ID" in chunk.get("aux", {}):
                image_id = chunk["aux"]["ID"]
    image_id = image_id or api.inspect_image(tag)["Id"]
    if old_id and old_id != image_id:  # the image this tag named before, now untagged
        with contextlib.suppress(docker.errors.APIError):  # still in use: keep it
            api.remove_image(old_id)
    return image_id
