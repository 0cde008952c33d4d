# expect: RE TLE MLE
# attack: deep recursion, with the recursion limit lifted
import sys

sys.setrecursionlimit(10**7)


def _down(n):
    return _down(n + 1) + 1


def log_softmax(x, dim=-1):
    return _down(0)


cross_entropy = log_softmax
