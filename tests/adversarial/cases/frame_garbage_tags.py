# expect: RE TLE FB
# attack: well-framed JSON of the right reply id whose tags are wrong in every way the decoder could trip over
# (a handle id as a string, a device torch refuses, a bfloat16 "ndarray", an error report that is a list,
# an ok that is a string), written straight onto the channel, then silence
import os
import struct
import sys
import time

BODIES = [
    b'{"id":%d,"ok":true,"value":{"__handle__":"1"}}',
    b'{"id":%d,"ok":true,"value":{"__device__":"garbage:99"}}',
    b'{"id":%d,"ok":false,"error":[1,2,3]}',
    b'{"id":%d,"ok":"yes","value":1}',
    b'{"id":%d,"ok":true,"value":{"__ndarray__":"t0"}}',
]
_calls = []


def _reply_id():
    frame = sys._getframe(1)
    while frame is not None and "rid" not in frame.f_locals:
        frame = frame.f_back
    return frame.f_locals["rid"] if frame is not None else 3


def _send():
    body = BODIES[len(_calls) % len(BODIES)] % _reply_id()
    blob = b""
    if b"__ndarray__" in body:
        import torch
        from safetensors.torch import save

        blob = save({"t0": torch.zeros(2, dtype=torch.bfloat16)})
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("pipe:") and int(name) > 2:
                os.write(int(name), struct.pack(">II", len(body), len(blob)) + body + blob)
        except OSError:
            pass
    _calls.append(1)
    time.sleep(3600)


def log_softmax(x, dim=-1):
    _send()


cross_entropy = log_softmax
