# expect: TLE RE WA FB
# attack: shrink the request pipe and make every os.read of the worker sleep (the harness reads its requests
# with os.read), so the worker never takes the judge's next request off the pipe
import fcntl
import os
import time

F_SETPIPE_SZ = 1031


def _never(*args, **kwargs):
    while True:
        time.sleep(3600)


def _trap():
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("pipe:") and int(name) > 2:
                fcntl.fcntl(int(name), F_SETPIPE_SZ, 4096)
        except OSError:
            pass
    os.read = _never


def log_softmax(x, dim=-1):
    _trap()
    return x * 0.0


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    _trap()
    return logits.sum() * 0.0
