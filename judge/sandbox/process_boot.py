"""First code run in a process-sandbox worker: confine the process, then serve.

Run as ``python -I process_boot.py CONFIG_JSON``. It applies, in order: new
network, mount and PID namespaces (when allowed, i.e. as root), empty
read-only mounts over the folders that hold hidden tests and references,
resource limits, the scratch directory as working directory, and a switch to
an unprivileged user. Then it forks: the child is PID 1 of the new PID
namespace and runs the worker, so everything the submission starts dies with
it, even a process that called ``setsid``. The parent waits and passes on the
exit status. Nothing here is secret; the config holds paths and numbers only.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def enter_namespaces(config: dict) -> list[str]:
    """New network, mount and PID namespaces where allowed; return what was not."""
    if os.geteuid() != 0:
        return ["network namespace", "mount namespace", "PID namespace", "user switch"]
    libc, missing = _libc(), []
    for flag, label in ((CLONE_NEWNET, "network namespace"), (CLONE_NEWNS, "mount namespace"),
                        (CLONE_NEWPID, "PID namespace")):
        if libc.unshare(flag) != 0:
            missing.append(label)
    if "mount namespace" not in missing:
        libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None)
        _expose(libc, config.get("expose", []))
        for folder, keep in config.get("cover", []):
            if os.path.isdir(folder):
                _cover(libc, folder, set(keep), b"mode=755,size=64k")
        _private_tmp(libc, config)
    return missing


def _cover(libc: ctypes.CDLL, folder: str, keep: set[str], options: bytes) -> None:
    """An empty tmpfs over ``folder``, with only the ``keep`` entries bind-mounted back read-only."""
    fds = {name: os.open(os.path.join(folder, name), os.O_PATH) for name in keep
           if os.path.exists(os.path.join(folder, name))}
    if libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options) != 0:
        return
    for name, fd in fds.items():
        target = os.path.join(folder, name).encode()
        os.mkdir(target)
        libc.mount(f"/proc/self/fd/{fd}".encode(), target, None, MS_BIND | MS_REC, None)
        libc.mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, None)
        os.close(fd)
    libc.mount(None, folder.encode(), None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None)


def _expose(libc: ctypes.CDLL, paths: list[str]) -> None:
    """Make ``paths`` reachable for the unprivileged user, and nothing beside them.

    Where a folder on the way is closed to others (``/root`` holding a pyenv
    Python, say), an empty tmpfs covers it and only the needed entries come back.
    """
    closed: dict[str, set[str]] = {}
    for path in paths:
        parts = os.path.realpath(path).split(os.sep)[1:]
        for i in range(len(parts) - 1):
            folder = os.sep + os.path.join(*parts[: i + 1])
            if os.path.isdir(folder) and not os.stat(folder).st_mode & 0o001:
                closed.setdefault(folder, set()).add(parts[i + 1])
                break
    for folder, entries in closed.items():
        _cover(libc, folder, entries, b"mode=755,size=64k")


def _private_tmp(libc: ctypes.CDLL, config: dict) -> None:
    """Size-capped private tmpfs over the world-writable folders; the scratch moves into one.

    The worker then writes nowhere on the host: what it leaves, symlinks
    included, vanishes with its mount namespace.
    """
    scratch = config["scratch"]
    staging = os.open(scratch, os.O_RDONLY | os.O_DIRECTORY)
    size = f"size={config['limits']['scratch_bytes']},mode=1777".encode()
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(folder):
            libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, size)
    os.makedirs(scratch, mode=0o700, exist_ok=True)
    for name in os.listdir(staging):
        if name == "tmp":
            continue
        source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=staging)
        with os.fdopen(source, "rb") as src, open(os.path.join(scratch, name), "wb") as dst:
            dst.write(src.read())
    os.close(staging)
    os.makedirs(os.path.join(scratch, "tmp"), mode=0o700, exist_ok=True)
    if os.geteuid() == 0:
        for path, _, files in os.walk(scratch):
            os.chown(path, config["uid"], config["uid"])
            for name in files:
                os.chown(os.path.join(path, name), config["uid"], config["uid"])


def drop_privileges(config: dict, own_proc: bool) -> None:
    """Limits, scratch directory, and an unprivileged user (when started as root)."""
    limits = config["limits"]
    if own_proc:  # a /proc that shows only this namespace's processes
        _libc().mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV, None)
    for name, value in (("RLIMIT_AS", limits["memory_bytes"]), ("RLIMIT_CPU", limits["cpu_seconds"]),
                        ("RLIMIT_FSIZE", limits["scratch_bytes"]), ("RLIMIT_CORE", 0),
                        ("RLIMIT_NOFILE", 512)):
        resource.setrlimit(getattr(resource, name), (value, value))
    os.chdir(config["scratch"])
    os.umask(0o077)
    if os.geteuid() == 0:
        # NPROC counts per user: a fresh uid per worker keeps one fork bomb
        # from starving another job's worker.
        uid = int(config["uid"])
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["pids"], limits["pids"]))
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)


def serve() -> None:
    from harness.worker import main as worker_main

    worker_main()
    os._exit(0)


def run(config: dict) -> None:
    """Confine this process as ``config`` says and serve as a worker; never returns."""
    for key, value in config.get("env", {}).items():
        os.environ[key] = value
    missing = enter_namespaces(config)
    if missing:
        sys.stderr.write(f"[mlj process sandbox: not available here: {', '.join(missing)}]\n")
    if "PID namespace" in missing:
        drop_privileges(config, own_proc=False)
        serve()
    pid = os.fork()
    if pid == 0:
        # PID 1 of the namespace: when it dies, the kernel kills everything in
        # it; and it dies with this parent, whatever process group it moves to.
        drop_privileges(config, own_proc="mount namespace" not in missing)
        _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        serve()
    signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        os._exit(128 + os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status))


def main() -> None:
    sys.dont_write_bytecode = True
    if sys.argv[1] == "--zygote":
        sys.path.insert(0, sys.argv[2])
        from judge.sandbox.zygote import serve_forever

        serve_forever(int(sys.argv[3]))
        return
    config = json.loads(sys.argv[1])
    sys.path.insert(0, config["harness_parent"])
    run(config)


if __name__ == "__main__":
    main()
