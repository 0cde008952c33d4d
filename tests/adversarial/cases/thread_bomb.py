# expect: RE TLE MLE
# attack: thread bomb
import threading
import time


def log_softmax(x, dim=-1):
    while True:
        threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()


cross_entropy = log_softmax
