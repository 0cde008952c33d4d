"""What a process-sandbox worker does to itself before it serves: confine the process, then serve.

The zygote (``zygote_main``) forks a child per worker and calls ``run(config)``
in it, with the config the judge sent (paths and numbers only, nothing secret).
It applies, in order: new
network, mount, IPC and PID namespaces (when allowed, i.e. as root; without root only IPC and a private
``/dev/shm``, through a user namespace, where the kernel allows one), empty
read-only mounts over the folders that hold hidden tests and references,
resource limits, the scratch directory as working directory, and a switch to
an unprivileged user. Then it forks: the child is PID 1 of the new PID
namespace and runs the worker, so everything the submission starts dies with
it, even a process that called ``setsid``. The parent waits and passes on the
exit status.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
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
    """New network, mount, IPC and PID namespaces where allowed; return what was not.

    The IPC namespace holds every System V segment, queue and semaphore set and every POSIX message queue
    the worker makes: the kernel frees them all when its last process ends, so none outlives the worker
    (nor counts against the host's limits after it)."""
    if os.geteuid() != 0:
        return ["network namespace", "mount namespace", "PID namespace", "user switch"] + _private_ipc_unprivileged()
    libc, missing = _libc(), []
    for flag, label in ((CLONE_NEWNET, "network namespace"), (CLONE_NEWNS, "mount namespace"),
                        (CLONE_NEWIPC, "IPC namespace"), (CLONE_NEWPID, "PID namespace")):
        if libc.unshare(flag) != 0:
            missing.append(label)
    if "mount namespace" not in missing:
        libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None)
        _minimal_root(libc, config)
    return missing


def _private_ipc_unprivileged() -> list[str]:
    """Without root: a user namespace (mapping our own uid to itself) only to own an IPC namespace and a
    mount namespace with a private ``/dev/shm``, then every capability dropped. Returns what could not be
    had (the kernel may refuse unprivileged user namespaces): then IPC objects and ``/dev/shm`` files the
    worker leaves stay on the host."""
    libc = _libc()
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWIPC | CLONE_NEWNS) != 0:
        return ["IPC namespace", "private /dev/shm"]
    try:
        for name, text in (("uid_map", f"{uid} {uid} 1"), ("setgroups", "deny"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as file:
                file.write(text)
    except OSError:
        pass  # the namespaces hold as they are; the ids read as the overflow id inside
    missing = []
    libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None)
    if not os.path.isdir("/dev/shm") or libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", MS_NOSUID | MS_NODEV,
                                                     b"size=64m,mode=1777") != 0:
        missing.append("private /dev/shm")
    _drop_capabilities(libc)
    return missing


def _drop_capabilities(libc: ctypes.CDLL) -> None:
    """No capability left, not even in the user namespace we own (it would let the worker mount there)."""
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: all empty (two 32-bit words each)
    for cap in range(64):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP; EINVAL past the last capability the kernel knows
    libc.capset(header, data)


SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEVICES = ("null", "zero", "full", "random", "urandom")


def _minimal_root(libc: ctypes.CDLL, config: dict) -> None:
    """Chroot into a new root that holds only what a worker needs, read-only.

    The system folders, the Python installation and the harness are bind-mounted
    read-only, with empty stand-ins over the trusted side's files (``hide``) where
    one of them holds them (the judge installed into site-packages); /dev has the
    harmless devices (and the GPUs a worker was given);
    /tmp is a private size-capped tmpfs that holds the scratch directory. Nothing
    else of the host is visible: no repository, no home folders, no other
    checkouts, no databases. What the worker writes vanishes with it.
    """
    scratch = config["scratch"]
    staging = os.open(scratch, os.O_RDONLY | os.O_DIRECTORY)
    root = scratch  # the judge's staging folder becomes the new root's mount point
    libc.mount(b"tmpfs", root.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=755,size=1m")
    bound: list[str] = []
    # The private /tmp and /dev/shm first: a Python installation that lives under /tmp (a venv, a home
    # folder) is bound over the empty tmpfs below, read-only, rather than hidden by it.
    size = f"size={config['limits']['scratch_bytes']},mode=1777".encode()
    for folder in ("/tmp", "/dev/shm"):
        os.makedirs(root + folder, exist_ok=True)
        libc.mount(b"tmpfs", (root + folder).encode(), b"tmpfs", MS_NOSUID | MS_NODEV, size)

    def bind(source: str, *, writable: bool = False) -> None:
        target = root + source
        if os.path.islink(source):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if not os.path.lexists(target):
                os.symlink(os.readlink(source), target)
            return
        if os.path.isdir(source):
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            open(target, "a").close()  # noqa: SIM115 - a mount point
        libc.mount(source.encode(), target.encode(), None, MS_BIND | MS_REC, None)
        if not writable:
            libc.mount(None, target.encode(), None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, None)
        bound.append(source)

    for path in SYSTEM:
        if os.path.lexists(path):
            bind(path)
    for path in sorted({os.path.realpath(p) for p in config.get("expose", []) if os.path.exists(p)}, key=len):
        if not any(path == b or path.startswith(b.rstrip("/") + "/") for b in bound):
            bind(path)
    for path in config.get("hide", []):  # inside an exposed folder: an empty, read-only stand-in over it
        target = root + os.path.realpath(path)
        if os.path.isdir(target) and not os.path.islink(target):
            libc.mount(b"tmpfs", target.encode(), b"tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, b"size=4k,mode=555")
        elif os.path.isfile(target) and not os.path.islink(target):
            libc.mount(b"/dev/null", target.encode(), None, MS_BIND, None)
    os.makedirs(root + "/dev", exist_ok=True)
    for name in DEVICES + tuple(config.get("gpu_devices", ())):
        if os.path.exists("/dev/" + name):
            bind("/dev/" + name, writable=True)
    os.makedirs(root + "/proc", exist_ok=True)
    inside = root + scratch
    os.makedirs(inside, mode=0o700, exist_ok=True)
    for name in os.listdir(staging):
        if name == "tmp":
            continue
        source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=staging)
        with os.fdopen(source, "rb") as src, open(os.path.join(inside, name), "wb") as dst:
            dst.write(src.read())
    os.close(staging)
    os.makedirs(os.path.join(inside, "tmp"), mode=0o700, exist_ok=True)
    for path, _, files in os.walk(inside):
        os.chown(path, config["uid"], config["uid"])
        for name in files:
            os.chown(os.path.join(path, name), config["uid"], config["uid"])
    os.chroot(root)
    os.chdir("/")


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
    if config.get("cpus"):  # inherited by everything the worker starts
        os.sched_setaffinity(0, config["cpus"])
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
    if os.WIFSIGNALED(status):  # die of the same signal, so the zygote reports it as one (exit 137 is not SIGKILL)
        sig = os.WTERMSIG(status)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU, SIGSEGV, SIGABRT would dump this process
        if sig not in (signal.SIGKILL, signal.SIGSTOP):  # those two cannot be caught or blocked anyway
            signal.signal(sig, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig})
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)  # only if that signal could not end us
    os._exit(os.WEXITSTATUS(status))


def kill_worker(pid: int) -> None:
    """SIGKILL a worker the zygote forked and everything it started.

    The worker leads its own session once it ran ``setsid``; one killed in
    the instant before that is not a group leader yet, so it is signalled by
    pid as well.
    """
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
