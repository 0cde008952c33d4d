#!/usr/bin/env bash
# Prepare a Debian 12 machine (or a CI runner) for mlj's docker sandbox with
# no container registry: install docker.io + debootstrap, start dockerd if no
# engine answers, and build the base image mlj-base:bookworm from the Debian
# mirror apt already uses. Idempotent; run as root.
#
# Environment:
#   MLJ_BASE_TAG        tag of the base image   (default mlj-base:bookworm)
#   MLJ_DEBIAN_MIRROR   Debian mirror to use    (default: read from apt sources)
#   MLJ_DOCKERD_TIMEOUT seconds to wait for dockerd (default 60)
set -euo pipefail

BASE_TAG="${MLJ_BASE_TAG:-mlj-base:bookworm}"
SUITE=bookworm
DOCKERD_TIMEOUT="${MLJ_DOCKERD_TIMEOUT:-60}"
DOCKERD_LOG=/tmp/dockerd.log
T0=$(date +%s)

say() { printf '[docker-setup +%ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
die() { printf '[docker-setup] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages, starts dockerd, runs debootstrap)"

# --- 1. packages -------------------------------------------------------------
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    say "dockerd and debootstrap already installed"
fi

# --- 2. engine ---------------------------------------------------------------
if docker info >/dev/null 2>&1; then
    say "docker engine answers"
else
    say "starting dockerd in the background (log: $DOCKERD_LOG)"
    setsid nohup dockerd >"$DOCKERD_LOG" 2>&1 </dev/null &
    waited=0
    until docker info >/dev/null 2>&1; do
        if ! kill -0 $! 2>/dev/null; then
            tail -n 20 "$DOCKERD_LOG" >&2 || true
            die "dockerd exited; see $DOCKERD_LOG"
        fi
        [ "$waited" -lt "$DOCKERD_TIMEOUT" ] ||
            die "dockerd did not answer within ${DOCKERD_TIMEOUT}s; see $DOCKERD_LOG"
        sleep 1
        waited=$((waited + 1))
    done
    say "docker engine answers (after ${waited}s)"
fi

# --- 3. base image -----------------------------------------------------------
if docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
    say "base image $BASE_TAG already exists; nothing to do"
    exit 0
fi

# The Debian mirror apt uses: the first enabled 'deb' entry for $SUITE, from
# one-line sources (*.list) or deb822 sources (*.sources).
find_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v s="$SUITE" '$1 == "deb" {
            i = 2
            if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
            if ($(i + 1) == s) { print $i; exit }
        }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v s="$SUITE" 'BEGIN { RS = ""; FS = "\n" } {
            types = ""; uris = ""; suites = ""; enabled = "yes"
            for (i = 1; i <= NF; i++) {
                if ($i ~ /^#/) continue
                split($i, kv, ":"); key = tolower(kv[1]); val = substr($i, length(kv[1]) + 2)
                gsub(/^[ \t]+|[ \t]+$/, "", val)
                if (key == "types") types = val
                else if (key == "uris") uris = val
                else if (key == "suites") suites = val
                else if (key == "enabled") enabled = tolower(val)
            }
            if (enabled != "no" && (" " types " ") ~ / deb / && (" " suites " ") ~ (" " s " ")) {
                split(uris, u, " "); print u[1]; exit
            }
        }' "$f"
    done
}
MIRROR="${MLJ_DEBIAN_MIRROR:-$(find_mirror | head -n 1)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

ROOTFS=$(mktemp -d /tmp/mlj-rootfs.XXXXXX)
trap 'rm -rf "$ROOTFS"' EXIT
say "debootstrap --variant=minbase --include=python3 $SUITE from $MIRROR into $ROOTFS"
debootstrap --variant=minbase --include=python3 "$SUITE" "$ROOTFS" "$MIRROR" \
    >/tmp/mlj-debootstrap.log 2>&1 ||
    { tail -n 20 /tmp/mlj-debootstrap.log >&2; die "debootstrap failed; see /tmp/mlj-debootstrap.log"; }
say "debootstrap done ($(du -sh "$ROOTFS" | cut -f1))"

say "trimming the rootfs (apt caches, docs, man pages, locales)"
chroot "$ROOTFS" apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin \
    "$ROOTFS"/var/cache/debconf/*-old "$ROOTFS"/var/log/* \
    "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* \
    "$ROOTFS"/usr/share/lintian "$ROOTFS"/usr/share/linda
find "$ROOTFS"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +
# the image must not reuse the host's identity files
: >"$ROOTFS"/etc/machine-id 2>/dev/null || true
rm -f "$ROOTFS"/etc/hostname
say "rootfs trimmed to $(du -sh "$ROOTFS" | cut -f1)"

say "importing as $BASE_TAG"
tar --numeric-owner -C "$ROOTFS" -c . |
    docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' - "$BASE_TAG" >/dev/null
docker run --rm --network none "$BASE_TAG" python3 -c 'import sys; print("python", sys.version.split()[0])'
say "done: $BASE_TAG ($(docker image inspect -f '{{.Size}}' "$BASE_TAG" | awk '{printf "%.0f MB", $1/1e6}'))"
