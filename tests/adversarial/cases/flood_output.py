# expect: WA TLE RE
# attack: flood stdout and stderr
import os
import sys


def log_softmax(x, dim=-1):
    line = "AC " * 1000 + "\n"
    for _ in range(20000):
        sys.stdout.write(line)
        sys.stderr.write(line)
        os.write(1, line.encode())
    return x


cross_entropy = log_softmax
