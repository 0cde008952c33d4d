"""The trusted end of the wire: a session with one worker, and the proxy tests reach it through.

``WorkerSession`` starts a worker through a sandbox backend, loads the
submission into it, sends calls and turns everything that can go wrong into a
``SubmissionFault`` that carries its verdict: a reply past the deadline is a
TLE (and the worker is killed with everything it started), a worker that
dies is an RE or MLE depending on how it died, an oversized or malformed
reply is an RE. After a fault that killed the worker the next call gets a
fresh one. Tests reach the submission as ``sub.name(args)`` through ``Proxy``.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field
from typing import Any

from harness import map_leaves, protocol
from judge.runner import faults
from judge.runner.contracts import Contracts, check_grads
from judge.runner.faults import (
    CompileFault,
    ForbiddenFault,
    JudgeFault,
    MemoryLimitExceeded,
    RuntimeFault,
    SubmissionFault,
    TimeLimitExceeded,
)
from judge.runner.timing import Budget, CallMeter
from judge.sandbox.base import (
    Sandbox,
    Worker,
    WorkerGone,
    WorkerSpec,
    WorkerStartFailed,
    WorkerTimeout,
    start_worker,
)

STARTUP_SECONDS = 120.0  # importing torch in a cold worker on a busy machine


@dataclass
class WorkerSession:
    sandbox: Sandbox
    spec: WorkerSpec
    load: dict[str, Any]  # the load request, less the paths the sandbox decides
    worker: Worker | None = None  # a worker already started, or None
    max_blob: int = protocol.DEFAULT_MAX_BLOB_BYTES
    budget: Budget = field(default_factory=Budget)
    loaded: bool = False
    sticky: SubmissionFault | None = None  # a load failure repeats for every test
    losses: int = 0  # workers killed or died because of a fault
    contracts: Contracts | None = None  # the challenge's result contracts; None: values are not checked
    _classes: dict[int, str] = field(default_factory=dict)  # handle id -> the results key its object answers under
    _next_id: int = 1
    _logs: list[str] = field(default_factory=list)
    _dropped: int = 0  # output bytes that workers already discarded printed beyond their log's cap

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> None:
        """Start a worker now, without waiting for it (its torch import overlaps ours)."""
        if self.worker is None:
            try:
                self.worker = start_worker(self.sandbox, self.spec)
            except WorkerStartFailed as exc:
                raise JudgeFault(str(exc)) from exc
            self.loaded = False

    def close(self) -> None:
        if self.worker is not None:
            try:
                self.worker.send(protocol.pack({"id": -1, "op": "shutdown"}))
            except (WorkerGone, WorkerTimeout):  # it is killed next in any case
                pass
            self._discard()

    def _discard(self) -> None:
        worker, self.worker, self.loaded = self.worker, None, False
        self._classes.clear()  # handles name objects of that worker only
        if worker is not None:
            worker.kill()
            self._logs.append(worker.logs())
            self._dropped += worker.log.dropped

    def output_dropped(self) -> int:
        """Bytes of the submission's output dropped beyond the cap, over every worker of this session."""
        return self._dropped + (self.worker.log.dropped if self.worker is not None else 0)

    def logs(self) -> str:
        current = [self.worker.logs()] if self.worker is not None else []
        return "".join(part for part in self._logs + current if part)

    # -- the protocol -----------------------------------------------------------
    def _exchange(self, request: bytes, deadline: float, what: str,
                  meter: CallMeter | None = None) -> tuple[dict, dict]:
        worker = self.worker
        assert worker is not None
        try:
            worker.send(request, deadline)  # a worker that stops reading uses up its time: TLE, never a hang
            message, tensors = protocol.read_frame(
                meter.read if meter else lambda n: worker.recv_exact(n, deadline), max_blob=self.max_blob)
        except WorkerTimeout:
            self.losses += 1
            if meter is not None:
                meter.finish()  # its last reading, before the kill
            self._discard()
            raise TimeLimitExceeded(meter.timeout_message(what) if meter else
                                    f"{what} did not finish within the time limit") from None
        except WorkerGone:
            raise self._death(what) from None
        except WorkerStartFailed as exc:  # the backend lost its worker for reasons of its own (the engine failed)
            self._discard()
            raise JudgeFault(str(exc)) from None
        except protocol.TooLarge as exc:
            self._discard()
            raise RuntimeFault(f"output too large: {what} returned {exc}") from None
        except protocol.ProtocolError as exc:
            self._discard()
            raise RuntimeFault(f"{what} sent back something that is not a valid result: {exc}") from None
        return message, tensors

    def _death(self, what: str) -> SubmissionFault:
        worker = self.worker
        assert worker is not None
        status = worker.exit_status(timeout=5.0)
        self.losses += 1
        self._discard()
        sig = status.signal
        if status.oom_killed:
            return MemoryLimitExceeded(f"{what} was killed for using more memory than the limit")
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and not status.killed_by_judge and
                                     self.budget.remaining() <= 0):
            return TimeLimitExceeded(f"{what} used more CPU time than the limit")
        if sig == signal.SIGKILL:
            return MemoryLimitExceeded(f"{what} was killed (SIGKILL), most likely for memory")
        if sig is not None:
            return RuntimeFault(f"{what} crashed the worker with {signal.Signals(sig).name}")
        return RuntimeFault(f"{what} ended the worker process (exit code {status.returncode}); "
                            "sys.exit, os._exit and similar are not allowed")

    def ensure_loaded(self) -> None:
        if self.sticky is not None:  # the same fault for every test; a fresh traceback each time
            raise self.sticky.with_traceback(None)
        if self.loaded:
            return
        if self.worker is None:
            self.start()
        worker = self.worker
        assert worker is not None
        deadline = time.monotonic() + STARTUP_SECONDS
        message, _ = self._exchange(b"", deadline, "starting the worker")  # the ready frame
        if not message.get("ready"):
            self._discard()
            raise JudgeFault(f"the worker did not start: {message}")
        load = dict(self.load, op="load", id=self._id(), path=worker.submission_path,
                    support=worker.support_paths, max_blob=self.max_blob)
        import_limit = float(self.load.get("import_seconds", 10.0))
        try:
            message, _ = self._exchange(protocol.pack(load), time.monotonic() + import_limit,
                                        "importing your file")
        except TimeLimitExceeded as fault:
            # an import is the same for every test: one that ran out of time would again, so never twice
            self.sticky = fault
            raise
        if message.get("ok") is not True:
            fault = faults.from_reply(_error_of(message))
            if isinstance(fault, (CompileFault, ForbiddenFault)):
                self.sticky = fault
            self._discard()
            raise fault
        self.loaded = True

    def call(self, target: dict[str, Any], args: tuple, kwargs: dict, *, keep: bool = False,
             grad: dict[str, Any] | None = None, invoke: bool = True, what: str = "") -> Any:
        self.ensure_loaded()
        encoder = protocol.Encoder()
        args, kwargs = _unwrap(args), _unwrap(kwargs)
        request: dict[str, Any] = {
            "op": "call", "id": self._id(), "target": target, "keep": keep, "call": invoke,
            "args": encoder.encode(list(args)), "kwargs": encoder.encode(dict(kwargs)),
        }
        if grad is not None:
            grad = dict(grad)
            grad["grad_output"] = encoder.encode(grad.get("grad_output"))
            request["grad"] = grad
        what = what or _describe(target)
        if self.budget.remaining() <= 0 or self.budget.out_of_wall_time():
            raise TimeLimitExceeded(self.budget.used_up())
        assert self.worker is not None
        meter = CallMeter(self.worker, self.budget, len(self.spec.cpus or ()) or len(os.sched_getaffinity(0)))
        try:
            message, tensors = self._exchange(protocol.pack(request, encoder.tensors), meter.deadline, what, meter)
        finally:
            meter.finish()
        if meter.over():  # it answered, but after the test's time was used up: the same verdict as if it had not
            raise TimeLimitExceeded(f"{what} went over the time limit: {self.budget.describe_spent()}")
        if message.get("id") != request["id"]:
            self._discard()
            raise RuntimeFault(f"{what}: the worker answered out of turn")
        if message.get("ok") is not True:
            fault = faults.from_reply(_error_of(message))
            if isinstance(fault, MemoryLimitExceeded):
                self.losses += 1
                self._discard()
            raise fault
        try:
            decoder = protocol.Decoder(tensors)
            value = decoder.decode(message.get("value"))
            grads = decoder.decode(message["grads"]) if grad is not None and "grads" in message else None
        except protocol.ProtocolError as exc:
            self._discard()
            raise RuntimeFault(f"{what} returned something that cannot be read: {exc}") from None
        if self.contracts is not None:  # before any test touches the value: a wrong kind is WA, never JE
            self._validate(target, value, grads, args, kwargs, keep=keep, grad=grad, what=what)
        return (value, grads) if grad is not None else value

    def _key(self, target: dict[str, Any]) -> str:
        """The ``results:`` key of a call (see ``judge.runner.contracts``)."""
        if "handle" in target:
            owner = self._classes.get(int(target["handle"]), "an object kept in the worker")
            return f"{owner}.{target.get('attr') or '__call__'}"
        if "module" in target:
            return f"{target['module']}.{target.get('attr', '')}"
        return str(target.get("attr") or target.get("name"))

    def _validate(self, target: dict[str, Any], value: Any, grads: Any, args: tuple, kwargs: dict, *, keep: bool,
                  grad: dict[str, Any] | None, what: str) -> None:
        assert self.contracts is not None
        key = self._key(target)
        if keep:  # the worker keeps the object; only its handle comes back (RemoteObject.new checks that)
            if isinstance(value, protocol.Handle):
                self._classes[value.id] = self.contracts.class_of(key)
            return
        self.contracts.check(key, value, tuple(args), kwargs, what)
        if grad is not None:
            wrt = [args[k] if isinstance(k, int) and -len(args) <= k < len(args) else kwargs.get(str(k))
                   for k in grad.get("wrt", [])]
            check_grads(grads, wrt, bool(grad.get("params")), what)

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id


def _error_of(message: dict[str, Any]) -> dict[str, Any]:
    """The error a worker reports, as a dict: a hostile worker may send anything there."""
    error = message.get("error")
    return error if isinstance(error, dict) else {"kind": "exception", "message": f"the worker reported a "
                                                  f"failure it did not describe ({type(error).__name__})"}


def _unwrap(value: Any) -> Any:
    """Remote objects passed as arguments travel as their handles."""
    return map_leaves(lambda v: v.handle() if isinstance(v, RemoteObject) else v, value)


def _describe(target: dict[str, Any]) -> str:
    if "handle" in target:
        return f"calling {target.get('attr') or 'your object'}"
    return f"{target.get('name') or target.get('attr') or 'your code'}()"


class RemoteObject:
    """An object living in the worker; calling it or its methods goes over the wire."""

    def __init__(self, session: WorkerSession, target: dict[str, Any]) -> None:
        self._session = session
        self._target = target

    def __getattr__(self, attr: str) -> RemoteObject:
        if attr.startswith("_"):
            raise AttributeError(attr)
        base = self._target
        path = f"{base['attr']}.{attr}" if base.get("attr") else attr
        return RemoteObject(self._session, dict(base, attr=path))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.call(self._target, args, kwargs)

    def handle(self) -> protocol.Handle:
        if "handle" not in self._target or self._target.get("attr"):
            raise TypeError("only an object kept in the worker (from .new()) can be passed back")
        return protocol.Handle(self._target["handle"])

    def new(self, *args: Any, **kwargs: Any) -> RemoteObject:
        """Call and keep the result in the worker (e.g. construct an nn.Module)."""
        handle = self._session.call(self._target, args, kwargs, keep=True)
        if not isinstance(handle, protocol.Handle):  # the worker runs the submission: its answers are untrusted
            raise RuntimeFault(f"{_describe(self._target)}: the worker answered with a "
                               f"{type(handle).__name__} where it keeps the object it made")
        return RemoteObject(self._session, {"handle": handle.id})

    def grad(self, *args: Any, wrt: tuple = (0,), grad_output: Any = None, output: int | None = None,
             params: bool = False, **kwargs: Any) -> tuple[Any, Any]:
        """Call, then backpropagate ``grad_output`` inside the worker.

        ``wrt`` names the positional indices or keyword names to differentiate
        with respect to; returns ``(value, grads)``.
        """
        spec = {"wrt": list(wrt), "grad_output": grad_output, "output": output, "params": params}
        return self._session.call(self._target, args, kwargs, grad=spec)


class Proxy:
    """What a test sees as ``sub``: the submission's names, reached over the wire."""

    def __init__(self, session: WorkerSession) -> None:
        self._session = session

    def __getattr__(self, name: str) -> RemoteObject:
        if name.startswith("_"):
            raise AttributeError(name)
        return RemoteObject(self._session, {"name": name, "attr": name})

    def support(self, module: str) -> RemoteObject:
        """A public support module of the challenge, loaded in the worker."""
        return RemoteObject(self._session, {"module": module})
