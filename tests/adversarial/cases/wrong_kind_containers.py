# expect: WA RE
# attack: return containers a test would index or call .shape on: a dict, a list of lists, a nested tuple
def log_softmax(x, dim=-1):
    return {"shape": list(x.shape), "dtype": "float32"}


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    deep = value = []
    for _ in range(60):
        value.append([])
        value = value[0]
    return (deep, [[0.0] * 3] * 3)
