# expect: RE
# attack: objects that would run code if unpickled, returned and written onto the wire
import os
import pickle
import struct


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/mlj-pwned-pickle",))


def log_softmax(x, dim=-1):
    return Payload()


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    blob = pickle.dumps(Payload())
    os.write(3, struct.pack(">II", len(blob), 0) + blob)
    os.write(4, struct.pack(">II", len(blob), 0) + blob)
    return Payload()
