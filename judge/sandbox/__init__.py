"""Sandbox backends behind one interface (``base.Sandbox``), and how one is chosen."""

from __future__ import annotations

from dataclasses import dataclass

from judge.sandbox.base import Sandbox

BACKENDS = ("docker", "process")


@dataclass(frozen=True)
class Choice:
    sandbox: Sandbox
    reason: str


def choose(name: str | None = None, *, image: str | None = None) -> Choice:
    """The backend to use: the one named, else docker where an engine and the runner image answer."""
    from judge.sandbox.process import ProcessSandbox

    if name not in (None, "auto", *BACKENDS):
        raise ValueError(f"unknown sandbox {name!r}; use one of: {', '.join(BACKENDS)}")
    if name == "process":
        return Choice(ProcessSandbox(), "chosen with --sandbox process")
    try:
        from judge.sandbox import docker as docker_backend
    except ImportError as exc:
        if name == "docker":
            raise RuntimeError(f"the docker backend is not available: {exc}") from exc
        return Choice(ProcessSandbox(), "docker backend not installed")
    if name == "docker":
        return Choice(docker_backend.DockerSandbox.connect(image=image), "chosen with --sandbox docker")
    problem = docker_backend.unavailable_reason(image=image)
    if problem is None:
        return Choice(docker_backend.DockerSandbox.connect(image=image), "a Docker engine answers")
    return Choice(ProcessSandbox(), f"process backend, because {problem}")
