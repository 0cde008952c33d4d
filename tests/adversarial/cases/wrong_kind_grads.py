# expect: WA RE FB TLE
# attack: answer with a well-formed reply of the right id whose gradients are ints, written straight onto the
# channel (the reply id is read from the worker's frames), then never answer again
import os
import sys
import time

import torch


def _channel_out():
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
            with open(f"/proc/self/fdinfo/{name}") as info:
                flags = int(info.read().split("flags:")[1].split()[0], 8)
        except (OSError, IndexError, ValueError):
            continue
        if target.startswith("pipe:") and int(name) > 2 and flags & 3 == 1:
            return int(name)
    return None


def _forge(value):
    from harness import protocol

    frame = sys._getframe(1)
    while frame is not None and "rid" not in frame.f_locals:
        frame = frame.f_back
    fd = _channel_out()
    if frame is None or fd is None:
        return 10 ** 399
    rid = frame.f_locals["rid"]
    os.write(fd, protocol.encode_message({"id": rid, "ok": True}, {"value": value, "grads": [7, "x"]}))
    time.sleep(3600)


def log_softmax(x, dim=-1):
    return _forge(x - x.exp().sum(dim, keepdim=True).log())


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    return _forge(torch.zeros(()))
