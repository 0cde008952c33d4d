# expect: RE
# attack: network connections and DNS look-ups
import socket


def log_softmax(x, dim=-1):
    socket.getaddrinfo("pypi.org", 443)
    socket.create_connection(("127.0.0.1", 22), timeout=2)


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    s = socket.socket()
    s.settimeout(2)
    s.connect(("1.1.1.1", 53))
