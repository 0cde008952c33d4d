# expect: WA RE FB
# attack: files in /dev/shm (by hand and through multiprocessing.shared_memory, its tracker told to forget
# them), then POSIX message queues and a named semaphore through ctypes: all in places the host shares
import ctypes
import os

_made = []


def _leave():
    for i in range(4):
        try:
            with open(f"/dev/shm/mlj-pwned-{i}", "wb") as file:
                file.write(b"x" * (1 << 20))
        except OSError:
            pass
    try:
        from multiprocessing import resource_tracker, shared_memory

        block = shared_memory.SharedMemory(name="mlj-pwned-mp", create=True, size=1 << 20)
        resource_tracker.unregister(block._name, "shared_memory")  # no cleanup at exit
        _made.append(block)
    except Exception:  # noqa: BLE001
        pass
    rt = ctypes.CDLL("librt.so.1", use_errno=True)  # refused by the guard where it watches ctypes
    rt.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
    for i in range(4):
        _made.append(rt.mq_open(b"/mlj-pwned-mq-%d" % i, os.O_CREAT | os.O_RDWR, 0o666, None))
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.sem_open.restype = ctypes.c_void_p
    libc.sem_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_uint]
    libc.sem_open(b"/mlj-pwned-sem", os.O_CREAT, 0o666, 1)


def log_softmax(x, dim=-1):
    _leave()
    return x * 0.0


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    _leave()
    return logits.sum() * 0.0
