# expect: TLE
# attack: a child that calls setsid and outlives the test
import os
import time


def log_softmax(x, dim=-1):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp("sleep", ["mlj-pwned-orphan", "3600"])
        os._exit(0)
    time.sleep(3600)


cross_entropy = log_softmax
