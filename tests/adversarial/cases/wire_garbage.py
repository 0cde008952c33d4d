# expect: RE TLE
# attack: write a malformed, then an endless, reply straight onto the protocol channel
import os
import struct


def _channel_fds():
    fds = []
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if target.startswith("pipe:") and int(name) > 2:
            fds.append(int(name))
    return fds


def log_softmax(x, dim=-1):
    for fd in _channel_fds():
        try:
            os.write(fd, struct.pack(">II", 12, 0) + b"{not json!!}")
        except OSError:
            pass
    return x


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    for fd in _channel_fds():
        try:
            os.write(fd, struct.pack(">II", 100, 1 << 30) + b"{" * 100)
        except OSError:
            pass
    while True:
        pass
