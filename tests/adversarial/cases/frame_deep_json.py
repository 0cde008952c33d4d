# expect: RE TLE
# attack: a reply frame of a million nested JSON arrays (the recursive parser's RecursionError), then silence
import os
import struct
import time


def _frame(body):
    return struct.pack(">II", len(body), 0) + body


def _send(body):
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("pipe:") and int(name) > 2:
                os.write(int(name), _frame(body))
        except OSError:
            pass
    time.sleep(3600)


def log_softmax(x, dim=-1):
    _send(b'{"id":3,"ok":true,"value":' + b"[" * 1_000_000 + b"]" * 1_000_000 + b"}")


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    _send(b'{"id":3,"ok":true,"value":{"__dict__":' + b'{"a":' * 200_000 + b"1" + b"}" * 200_001 + b"}")
