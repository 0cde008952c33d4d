# expect: TLE RE WA
# attack: answer the first call, then shrink the request pipe and stop the whole worker (SIGSTOP: no CPU is
# used, so no CPU limit fires); the judge's next request does not fit the pipe
import fcntl
import os
import signal
import threading
import time

F_SETPIPE_SZ = 1031


def _freeze_soon():
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("pipe:") and int(name) > 2:
                fcntl.fcntl(int(name), F_SETPIPE_SZ, 4096)
        except OSError:
            pass

    def stop():
        time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGSTOP)

    threading.Thread(target=stop, daemon=True).start()


def log_softmax(x, dim=-1):
    _freeze_soon()
    return x * 0.0


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    _freeze_soon()
    return logits.sum() * 0.0
