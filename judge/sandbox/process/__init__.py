"""The process sandbox: confined child processes forked from a zygote, for machines without Docker.

``sandbox`` is the backend (the judge's side), ``zygote`` the judge's handle on
the fork server, ``zygote_main`` the fork server's own code, and ``confine``
what each worker does to itself before it serves.
"""

from __future__ import annotations

from judge.sandbox.process.sandbox import ProcessSandbox, uid_range

__all__ = ["ProcessSandbox", "uid_range"]
