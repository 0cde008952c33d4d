"""Every write to a worker has a deadline: a worker that stops reading is a timeout, never a hang."""

from __future__ import annotations

import fcntl
import os
import time

import pytest

from judge.sandbox.base import ExitStatus, LogBuffer, Worker, WorkerGone, WorkerTimeout

F_SETPIPE_SZ = 1031


class PipeWorker(Worker):
    def kill(self) -> None:
        self.close_channel()

    def exit_status(self, timeout: float = 5.0) -> ExitStatus:
        return ExitStatus(returncode=None)


def test_a_worker_that_stops_reading_times_out_at_the_deadline():
    read, write = os.pipe()
    fcntl.fcntl(read, F_SETPIPE_SZ, 4096)  # what a hostile worker does to its stdin, then never reads
    worker = PipeWorker(os.open(os.devnull, os.O_RDONLY), write, LogBuffer(100))
    started = time.monotonic()
    try:
        with pytest.raises(WorkerTimeout):
            worker.send(b"x" * (1 << 20), time.monotonic() + 0.5)
        assert 0.4 < time.monotonic() - started < 5
        with pytest.raises(WorkerTimeout):  # no deadline given: a short grace, still never a hang
            worker.send(b"x" * (1 << 20))
    finally:
        worker.kill()
        os.close(read)


def test_a_slow_reader_gets_everything_before_the_deadline():
    read, write = os.pipe()
    worker = PipeWorker(os.open(os.devnull, os.O_RDONLY), write, LogBuffer(100))
    data = os.urandom(1 << 20)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - reads slowly in a child, then reports by its exit code
        os.close(write)
        got = b""
        while chunk := os.read(read, 65536):
            got += chunk
            time.sleep(0.001)
        os._exit(0 if got == data else 1)
    os.close(read)
    worker.send(data, time.monotonic() + 60)
    worker.kill()
    assert os.waitpid(pid, 0)[1] == 0


def test_a_closed_reader_is_worker_gone():
    read, write = os.pipe()
    os.close(read)
    worker = PipeWorker(os.open(os.devnull, os.O_RDONLY), write, LogBuffer(100))
    with pytest.raises(WorkerGone):
        worker.send(b"x", time.monotonic() + 1)
    worker.kill()
