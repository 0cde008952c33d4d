#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh Debian 12 machine, then run it.
# This is the README's test command and what .ci/run runs. Idempotent.
#   - as root: Debian packages (Docker engine, debootstrap, Chromium, PostgreSQL, Redis), a running
#     dockerd, the local base image (no registry needed) and the runner image;
#   - pip: torch (pinned CPU build) and mlj with its dev extras;
#   - then pytest (the Docker, browser and PostgreSQL tests run for real; as root, and always under
#     .ci/run, MLJ_REQUIRE_ALL turns a test's "not available here" skip into a failure).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
say() { printf '[test.sh +%ss] %s\n' "$(($(date +%s) - t0))" "$*"; }

if [ "$(id -u)" -eq 0 ]; then
    missing=()
    for pair in dockerd:docker.io debootstrap:debootstrap chromium:chromium pg_ctlcluster:postgresql \
            redis-server:redis-server; do
        command -v "${pair%%:*}" >/dev/null || missing+=("${pair##*:}")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
fi

say "installing Python packages"
python3 -m pip install -q --disable-pip-version-check "torch==2.13.0" -e ".[dev]"

if [ "$(id -u)" -eq 0 ]; then
    say "preparing Docker (engine, local base image)"
    bash scripts/docker-setup.sh
    say "building the runner image"
    mlj image build --base-image mlj-base:bookworm
    # everything the tests need is here now: a test that finds something missing fails instead of skipping
    export MLJ_REQUIRE_ALL=1
else
    say "not root: Docker, Chromium and PostgreSQL must already be installed for their tests"
fi

say "running the tests"
# One pytest process per core (MLJ_TEST_JOBS overrides; 1 runs them in this process), each taking whole
# files: a file's module-scoped gradings (one `mlj verify` per challenge module) run once, and the
# adversarial suite's host checks (no stray process, container or file after each attack) see only its own.
jobs="${MLJ_TEST_JOBS:-$(nproc)}"
if [ "$jobs" -gt 1 ]; then
    python3 -m pytest -n "$jobs" --dist loadfile "$@"
else
    python3 -m pytest "$@"
fi
