# expect: WA
# attack: return an int where a tensor is expected, and a 400-digit int (a float() overflow) where a scalar is
def log_softmax(x, dim=-1):
    return 7


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    return 10 ** 399
