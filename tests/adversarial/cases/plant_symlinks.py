# expect: RE
# attack: plant symlinks where the judge might read or write afterwards
import os


def log_softmax(x, dim=-1):
    for name, target in (("solution.py.bak", "/etc/passwd"), ("report.xml", "/root/.bashrc"),
                         ("tmp/mlj-pwned-link", "/"), ("mlj-pwned-dir", os.path.expanduser("~"))):
        try:
            os.symlink(target, name)
        except OSError:
            pass
    os.symlink("/etc", "/tmp/mlj-pwned-etc")
    raise RuntimeError("planted")


cross_entropy = log_softmax
