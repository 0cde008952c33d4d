# expect: WA RE
# attack: read other processes' /proc entries (environment, command line) looking for the seed
import os
import re

import torch


def log_softmax(x, dim=-1):
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            for entry in ("environ", "cmdline"):
                try:
                    with open(f"/proc/{pid}/{entry}", "rb") as f:
                        found.append(f.read())
                except OSError:
                    pass
    blob = b" ".join(found)
    if re.search(rb"seed|MLJ|pytest|reference", blob):
        raise RuntimeError(f"found judge data in /proc: {blob[:300]!r}")
    return torch.zeros_like(x)


cross_entropy = log_softmax
