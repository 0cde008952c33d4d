"""docker/compose.scaleout.yml, read as Compose would: the board it starts is the README's, with real options.

CI has no image registry to pull redis, postgres or python images from, so the file is not run there;
what can be checked without them is checked here: the services, their health checks and order, and
that each `mlj` command line parses with the CLI's own options and reaches the same broker and database.
"""

from __future__ import annotations

import shlex

import click
import yaml

import cli
from judge import ROOT

COMPOSE = ROOT / "docker" / "compose.scaleout.yml"


def _services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def _mlj_args(service: dict) -> list[str]:
    """The arguments after ``exec mlj`` in a service's ``sh -c`` command."""
    command = service["command"]
    script = shlex.split(command)[-1] if command.startswith("sh -c") else command
    tail = script.split("exec mlj ", 1)[1]
    return shlex.split(tail)


def test_the_board_is_redis_postgres_a_server_and_two_workers() -> None:
    services = _services()
    assert set(services) == {"redis", "postgres", "server", "worker"}
    assert services["worker"]["deploy"]["replicas"] == 2
    for name in ("redis", "postgres"):
        assert services[name]["healthcheck"]["test"][0] == "CMD"
    for name in ("server", "worker"):
        assert services[name]["depends_on"] == {"redis": {"condition": "service_healthy"},
                                                "postgres": {"condition": "service_healthy"}}
        env = services[name]["environment"]
        assert env["MLJ_BROKER"] == "redis://redis:6379/0"
        assert env["MLJ_DB"].startswith("postgresql+psycopg://mlj:mlj@postgres:5432/")
        assert '"torch==2.13.0"' in services[name]["command"]  # pinned: an unpinned torch pulls CUDA wheels


def test_each_mlj_command_parses_with_the_cli_options(monkeypatch) -> None:
    services = _services()
    for name, command in (("server", cli.serve), ("worker", cli.worker)):
        args = _mlj_args(services[name])
        assert args[0] == command.name, args
        env = services[name]["environment"]
        for key, value in env.items():  # --broker and --db come from the environment the service sets
            monkeypatch.setenv(key, value)
        with click.Context(cli.main) as parent:
            context = command.make_context(command.name, args[1:], parent=parent)
        assert context.params["broker"] == env["MLJ_BROKER"]
        assert context.params["db"] == env["MLJ_DB"]
        if name == "server":
            assert context.params["host"] == "0.0.0.0" and context.params["port"] == 8000
    assert services["worker"]["stop_grace_period"]  # SIGTERM finishes the grading in hand: give it time
