# expect: WA RE
# attack: look for the hidden tests, the reference and expected values on disk, and use them
import importlib.util
import os

import torch


def _search():
    for root in ("/", os.path.expanduser("~")):
        for folder, dirs, files in os.walk(root):
            if folder.startswith(("/proc", "/sys", "/dev")):
                dirs[:] = []
                continue
            if "softmax_cross_entropy.py" in files and "reference" in folder:
                return os.path.join(folder, "softmax_cross_entropy.py")
    return None


_found = _search()
if _found:
    spec = importlib.util.spec_from_file_location("stolen", _found)
    _ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(_ref)
    log_softmax, cross_entropy = _ref.log_softmax, _ref.cross_entropy
else:
    def log_softmax(x, dim=-1):
        return torch.zeros_like(x)

    cross_entropy = log_softmax
