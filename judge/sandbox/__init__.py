"""Sandbox backends behind one interface (``base.Sandbox``): the registry, and how one is chosen.

``BACKENDS`` is the only place that names them: the ``--sandbox`` choices of
every command, ``choose()`` and the docs' list all read it. A backend's module
is imported only when it is asked about (the docker SDK is slow to
import).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from judge.sandbox.base import Sandbox

#: name -> "module:Class"; ``auto`` tries them in this order and takes the first that is available
BACKENDS: dict[str, str] = {
    "docker": "judge.sandbox.docker:DockerSandbox",
    "process": "judge.sandbox.process:ProcessSandbox",
}
CHOICES = ("auto", *BACKENDS)


@dataclass(frozen=True)
class Choice:
    sandbox: Sandbox
    reason: str


def backend(name: str) -> type[Sandbox]:
    """The class of the backend ``name``; ``ImportError`` when its dependencies are missing."""
    if name not in BACKENDS:
        raise ValueError(f"unknown sandbox {name!r}; use one of: {', '.join(CHOICES)}")
    module, _, cls = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def choose(name: str | None = None, *, image: str | None = None) -> Choice:
    """The backend to use: the one named, else the first of ``BACKENDS`` that is available here."""
    if name not in (None, "auto"):
        try:
            cls = backend(name)
        except ImportError as exc:
            raise RuntimeError(f"the {name} backend is not available: {exc}") from exc
        return Choice(cls.open(image=image), f"chosen with --sandbox {name}")
    passed: list[str] = []
    for candidate in BACKENDS:
        try:
            cls = backend(candidate)
            problem = cls.unavailable(image=image)
        except ImportError as exc:
            problem = f"the {candidate} backend is not installed ({exc})"
        if problem is None:
            reason = "; ".join(passed) if passed else f"{candidate} is available"
            return Choice(cls.open(image=image), f"{candidate} backend" + (f", because {reason}" if passed else ""))
        passed.append(problem)
    raise RuntimeError("no sandbox backend is available here: " + "; ".join(passed))


def concrete(name: str) -> str:
    """The backend a long-lived process (the server, ``mlj worker``) will hand its grading processes:
    ``name`` itself, or for ``auto`` the one ``choose`` finds (probing docker once, here)."""
    if name != "auto":
        return name
    import logging

    choice = choose(None)
    choice.sandbox.close()
    logging.getLogger("mlj.server").info("sandbox: %s (%s)", choice.sandbox.name, choice.reason)
    return choice.sandbox.name
