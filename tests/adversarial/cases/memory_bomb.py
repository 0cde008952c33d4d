# expect: MLE
# attack: memory bomb (bytes, not tensors)
_keep = []


def log_softmax(x, dim=-1):
    while True:
        _keep.append(bytearray(256 << 20))


cross_entropy = log_softmax
