# expect: RE
# attack: write into the Python installation, the judge's code and the repository
import os
import sys

import torch


def log_softmax(x, dim=-1):
    targets = [os.path.dirname(torch.__file__), os.path.dirname(os.__file__), sys.prefix]
    targets += [p for p in sys.path if p]
    targets += [os.path.dirname(os.path.dirname(__import__("harness").__file__))]
    written = []
    for folder in targets:
        try:
            with open(os.path.join(folder, "mlj_pwned.py"), "w") as f:
                f.write("PWNED = True\n")
            written.append(folder)
        except OSError:
            pass
    raise RuntimeError(f"wrote into: {written}")


cross_entropy = log_softmax
