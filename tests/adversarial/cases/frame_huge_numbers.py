# expect: RE TLE
# attack: reply frames with a 5000-digit int, a 1e999 float (read as inf), a bare NaN and a tagged int of 401 digits
import os
import struct
import time

BODIES = [
    b'{"id":%d,"ok":true,"value":' + b"9" * 5000 + b"}",
    b'{"id":%d,"ok":true,"value":1e999}',
    b'{"id":%d,"ok":true,"value":NaN}',
    b'{"id":%d,"ok":true,"value":{"__int__":"' + b"7" * 401 + b'"}}',
]
_calls = []


def _send():
    body = BODIES[len(_calls) % len(BODIES)]
    for rid in range(2, 40):  # every id the judge may be waiting for
        frame = body % rid
        for name in os.listdir("/proc/self/fd"):
            try:
                if os.readlink(f"/proc/self/fd/{name}").startswith("pipe:") and int(name) > 2:
                    os.write(int(name), struct.pack(">II", len(frame), 0) + frame)
                    break
            except OSError:
                pass
    _calls.append(1)
    time.sleep(3600)


def log_softmax(x, dim=-1):
    _send()


cross_entropy = log_softmax
