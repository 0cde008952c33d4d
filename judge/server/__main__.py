"""``python -m judge.server serve ...``: the same as ``mlj serve ...`` (the server tests start servers so).

The click commands live in cli.py, the ``mlj`` group; this entry point only
runs that group, so it reaches up to cli.py, and nothing imports it.
"""

from __future__ import annotations

from cli import entry

if __name__ == "__main__":
    entry()
