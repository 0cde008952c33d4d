# expect: WA RE
# attack: no ctypes at all: run the system's ipcmk to make System V segments, queues and semaphore sets,
# and a setsid child that keeps one attached segment's creator alive (exec'd programs have no audit hook)
import os
import subprocess


def _leave():
    for _ in range(4):
        try:
            subprocess.run(["ipcmk", "-M", str(32 << 20), "-Q", "-S", "8", "-p", "0666"], capture_output=True,
                           timeout=5)
        except (OSError, subprocess.SubprocessError):
            pass
    try:
        subprocess.Popen(["sleep", "3600"], start_new_session=True)
    except OSError:
        pass
    os.makedirs("/dev/shm", exist_ok=True)


def log_softmax(x, dim=-1):
    _leave()
    return x * 0.0


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    _leave()
    return logits.sum() * 0.0
