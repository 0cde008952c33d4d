# expect: TLE
# attack: a busy loop that ignores SIGTERM and SIGINT
import signal

signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)


def log_softmax(x, dim=-1):
    n = 0
    while True:
        n += 1


cross_entropy = log_softmax
