"""The docker backend: one hardened container of the runner image per worker.

- ``options.py``: what a grading container is given (``container_options``); pure, no engine
- ``registry.py``: the containers this judge started, removed whatever happens (``CONTAINERS``)
- ``worker.py``: one container as a ``Worker``; its attach stream is the channel
- ``cputime.py``: the container's CPU time, read from its cgroup's counter on the host
- ``sandbox.py``: ``DockerSandbox``, the backend itself, and its spare container
- ``image.py``: ``build_image``, the runner image built with no registry and no network
"""

from __future__ import annotations

from judge.sandbox.docker.sandbox import DockerSandbox, DockerUnavailable

__all__ = ["DockerSandbox", "DockerUnavailable"]
