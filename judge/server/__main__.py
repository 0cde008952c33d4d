"""``python -m judge.server serve ...``: the server commands without cli.py (tests, containers)."""

from __future__ import annotations

import click

from judge.server.commands import register


@click.group()
def main() -> None:
    """mlj leaderboard server commands."""


register(main)

if __name__ == "__main__":
    main()
