# expect: TLE RE
# attack: shrink the request pipe to one page, then point the worker's channel at a pipe nobody writes, keeping
# the real one open: the judge's next write (more than a page) would block for ever without a deadline
import fcntl
import os

F_SETPIPE_SZ = 1031


def _stop_reading():
    keep = []
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
            with open(f"/proc/self/fdinfo/{name}") as info:
                flags = int(info.read().split("flags:")[1].split()[0], 8)
        except (OSError, IndexError, ValueError):
            continue
        if target.startswith("pipe:") and fd > 2 and flags & 3 == 0:
            try:
                fcntl.fcntl(fd, F_SETPIPE_SZ, 4096)
            except OSError:
                pass
            keep.append(os.dup(fd))  # the real channel stays open: the judge sees no EOF
            dead_read, dead_write = os.pipe()
            keep.append(dead_write)
            os.dup2(dead_read, fd)
    return keep


_KEEP = _stop_reading()


def log_softmax(x, dim=-1):
    return x * 0.0


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    return logits.sum() * 0.0
