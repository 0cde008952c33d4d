# expect: RE TLE
# attack: kill or signal the parent, the process group, and every process it can reach
import os
import signal


def log_softmax(x, dim=-1):
    for target, sig in ((os.getppid(), signal.SIGKILL), (0, signal.SIGTERM), (-1, signal.SIGKILL)):
        try:
            os.kill(target, sig)
        except OSError:
            pass
    raise RuntimeError("still alive")


cross_entropy = log_softmax
