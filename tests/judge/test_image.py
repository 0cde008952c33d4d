"""Runner image: clear errors without an engine, and a real offline build + run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from judge.sandbox.docker import image
from tests.conftest import unavailable

docker = image.docker  # the SDK; a bare `import docker` sorts oddly beside the repo's docker/ folder

BASE = "mlj-base:bookworm"
TAG = "mlj-runner:pytest"


# --- fast: no engine needed -------------------------------------------------


def test_no_engine_is_a_clear_error(monkeypatch):
    def refuse(**_kw):
        raise docker.errors.DockerException("Error while fetching server API version: refused")

    monkeypatch.setattr(image.docker, "from_env", refuse)
    with pytest.raises(image.ImageBuildError) as e:
        image.build_image(base_image=BASE)
    msg = str(e.value)
    assert "no Docker engine answers" in msg and "refused" in msg
    assert "scripts/docker-setup.sh" in msg and "dockerd" in msg
    assert image.image_exists(TAG) is False


class _NoImages:
    """An engine that answers but has no images at all."""

    def ping(self):
        return True

    @property
    def api(self):
        return self

    def inspect_image(self, name):
        raise docker.errors.ImageNotFound(f"No such image: {name}")

    def build(self, **_kw):  # pragma: no cover - must never be reached
        raise AssertionError("built without a base image")


@pytest.mark.parametrize(("gpu", "base"), [(False, "mlj-base:bookworm"), (True, None)])
def test_missing_base_image_names_the_ways_to_get_one(monkeypatch, gpu, base):
    monkeypatch.setattr(image.docker, "from_env", lambda **_kw: _NoImages())
    with pytest.raises(image.ImageBuildError) as e:
        image.build_image(base_image=base, gpu=gpu)
    msg = str(e.value)
    expected = base or image.GPU_BASE
    assert repr(expected) in msg and "never pulls" in msg
    assert f"docker pull {expected}" in msg
    assert "docker import" in msg and "scripts/docker-setup.sh" in msg
    assert image.image_exists(expected) is False


def test_build_context_holds_only_dockerfile_wheels_and_harness(tmp_path):
    wheels = tmp_path / "wh"
    wheels.mkdir()
    (wheels / "pip-1.0-py3-none-any.whl").write_bytes(b"x")
    (wheels / "notes.txt").write_text("not a wheel")
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    repo_init = Path(image.ROOT) / "harness" / "__init__.py"
    had_init = repo_init.exists()
    image._make_context(ctx, wheels)
    assert repo_init.exists() == had_init  # an empty __init__.py goes only into the context
    top = sorted(p.name for p in ctx.iterdir())
    assert top == ["Dockerfile", "harness", "wheelhouse"]
    assert [p.name for p in (ctx / "wheelhouse").iterdir()] == ["pip-1.0-py3-none-any.whl"]
    assert (ctx / "harness" / "__init__.py").is_file()
    assert not list(ctx.rglob("__pycache__"))


# --- real: build from the registry-free base and run it ----------------------


@pytest.fixture(scope="module")
def engine():
    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except docker.errors.DockerException as e:
        unavailable(f"no Docker engine answers: {e}")
    return client


@pytest.mark.docker
def test_build_offline_and_run_sandboxed(engine):
    if not image.image_exists(BASE):
        pytest.fail(f"{BASE} is missing: run `sudo scripts/docker-setup.sh` first")
    lines: list[str] = []
    image_id = image.build_image(base_image=BASE, tag=TAG, progress=lines.append)
    assert image_id.startswith("sha256:")
    assert image.image_exists(TAG)
    assert any("Successfully built" in line for line in lines)

    config = engine.api.inspect_image(TAG)["Config"]
    assert config["User"].split(":")[0] == "10001"
    assert config["WorkingDir"] == "/scratch"
    assert "harness.worker" in " ".join(config["Cmd"]) and "-I" in config["Cmd"]

    probe = """
import json, os, sys, torch, numpy, safetensors.torch as st
t = torch.arange(6, dtype=torch.float64).reshape(2, 3)
back = st.load(st.save({"t": t}))["t"]
trusted = ("challenges", "reference", "judge", "tests", "solutions")
found = [os.path.join(d, n) for d, ns, fs in os.walk("/opt/mlj/harness") for n in ns + fs
         if n.split(".")[0] in trusted]
found += [p for top in ("/", "/opt/mlj", "/scratch") for n in trusted
          if os.path.exists(p := os.path.join(top, n))]
try:
    open("/opt/mlj/x", "w")
    writable = True
except OSError:
    writable = False
print(json.dumps({"uid": os.getuid(), "torch": torch.__version__, "ok": bool(torch.equal(t, back)),
                  "numpy": numpy.asarray(back).sum().item(), "found": found,
                  "top": sorted(os.listdir("/opt/mlj")), "writable": writable}))
"""
    out = engine.containers.run(
        TAG,
        ["python3", "-I", "-c", probe],
        network_mode="none",
        read_only=True,
        user="10001",
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        tmpfs={"/scratch": "size=16m,uid=10001"},
        remove=True,
    )
    got = json.loads(out.decode().strip().splitlines()[-1])
    assert got["uid"] == 10001
    assert got["torch"].split("+")[0] == image.TORCH.split("==")[1]
    assert got["ok"] and got["numpy"] == 15.0
    assert got["found"] == [] and got["top"] == ["harness", "venv"]
    assert got["writable"] is False
