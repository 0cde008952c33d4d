"""The worker: the only process that runs submission code.

It runs inside a sandbox. It imports torch, then waits for requests on its
standard input and answers on the standard output it had at start; before it
imports the submission it points file descriptor 1 at standard error, so
nothing the submission prints can land on the channel. It never sees the
tests, the reference or the expected values: it only answers "call this
function of yours with these arguments".

Requests (JSON, see ``harness.protocol``):

* ``load``: import the submission, check the required names, install the
  forbidden-API guard;
* ``call``: call a name of the submission (or of a public support module, or
  a method of an object kept as a handle) and return the result, optionally
  with gradients;
* ``shutdown``.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import torch

from harness import import_file, map_leaves, protocol
from harness.guard import ForbiddenError, Guard, Violation


class Server:
    def __init__(self, channel_in: int, channel_out: int) -> None:
        self.channel_in = channel_in
        self.channel_out = channel_out
        self.module: Any = None
        self.support: dict[str, Any] = {}
        self.handles: dict[int, Any] = {}
        self.guard = Guard(set())
        self.files: set[str] = set()
        self.max_blob = protocol.DEFAULT_MAX_BLOB_BYTES
        self.device = "cpu"

    # -- the channel ----------------------------------------------------------
    def read_exact(self, n: int) -> bytes:
        chunks, have = [], 0
        while have < n:
            chunk = os.read(self.channel_in, min(n - have, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            have += len(chunk)
        return b"".join(chunks)

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.channel_out, view):]

    def reply(self, rid: Any, **fields: Any) -> None:
        values = {k: fields.pop(k) for k in ("value", "grads") if k in fields}
        try:
            data = protocol.encode_message({"id": rid, "ok": True, **fields}, values)
        except Exception as exc:  # noqa: BLE001 - a value that cannot travel (sparse, meta, a hostile subclass)
            data = protocol.pack({"id": rid, "ok": False, "error": {
                "kind": "encode", "type": "ProtocolError",
                "message": f"your code returned something that cannot be sent back: {_short(exc)}"}})
        self.write(data)

    def fail(self, rid: Any, kind: str, exc: BaseException | None = None, message: str = "") -> None:
        error: dict[str, Any] = {"kind": kind, "message": message or _short(exc)}
        if exc is not None:
            error["type"] = type(exc).__name__
            error["traceback"], error["line"] = self._trim(exc)
        self.write(protocol.pack({"id": rid, "ok": False, "error": error}))

    def _keep(self, value: Any) -> int:
        hid = len(self.handles) + 1
        while hid in self.handles:
            hid += 1
        self.handles[hid] = value
        return hid

    def _trim(self, exc: BaseException) -> tuple[str, int | None]:
        """The traceback cut down to the submission's own frames."""
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in self.files]
        line = frames[-1].lineno if frames else getattr(exc, "lineno", None)
        text = "".join(traceback.format_list(frames[-20:]))
        text += "".join(traceback.format_exception_only(type(exc), exc))
        return text[-8000:], line

    # -- requests -------------------------------------------------------------
    def serve(self) -> None:
        while True:
            try:
                message, tensors = protocol.read_frame(self.read_exact, max_blob=1 << 40)
            except EOFError:
                return
            rid = message.get("id")
            op = message.get("op")
            if op == "shutdown":
                return
            try:
                if op == "load":
                    self.load(rid, message)
                elif op == "call":
                    self.call(rid, message, tensors)
                else:
                    self.fail(rid, "protocol", message=f"unknown op {op!r}")
            except protocol.ProtocolError as exc:
                self.fail(rid, "protocol", exc)

    def load(self, rid: Any, message: dict[str, Any]) -> None:
        path = str(message["path"])
        self.files = {path}
        self.max_blob = int(message.get("max_blob", self.max_blob))
        self.device = str(message.get("device", "cpu"))
        torch.set_num_threads(max(1, int(message.get("threads", 1))))
        for support_path in message.get("support", []):
            name = os.path.splitext(os.path.basename(support_path))[0]
            self.support[name] = import_file(name, support_path)
        self.guard = Guard(self.files)
        forbidden = message.get("forbidden", {})
        try:
            self.guard.install(list(forbidden.get("apis", [])), list(forbidden.get("ops", [])),
                               list(forbidden.get("modules", [])))
            # The hook's exemptions are code objects captured now: the support modules', the wire's
            # (its tensor encoding goes through numpy.ctypeslib), and the worker's traceback trimming
            # (which reads the frames of a caught exception).
            trim = getattr(Server, "_trim", None)
            self.guard.arm([*self.support.values(), protocol],
                           extra_code=[trim.__code__] if trim is not None else [])
        except Exception as exc:  # noqa: BLE001 - the guard is the judge's: reported, never a crash
            return self.fail(rid, "exception", exc, f"the forbidden-API guard could not be installed: {_short(exc)}")
        # From here the submission runs: the harness's modules leave sys.modules, so that what it finds
        # there (or imports again) is a fresh copy that the running worker never uses.
        for name in [m for m in sys.modules if m == "harness" or m.startswith("harness.")]:
            del sys.modules[name]
        try:
            self.module = import_file(str(message.get("module", "solution")), path)
        except SyntaxError as exc:
            return self.fail(rid, "compile", exc, f"{type(exc).__name__}: {exc.msg} (line {exc.lineno})")
        except BaseException as exc:  # noqa: BLE001 - every failure becomes a verdict
            if self.guard.violations:
                return self._forbidden(rid)
            return self.fail(rid, "compile", exc)
        if self.guard.violations:
            return self._forbidden(rid)
        missing = [n for n in message.get("names", []) if not hasattr(self.module, n)]
        if missing:
            return self.fail(rid, "compile", message=(
                f"your file does not define {', '.join(missing)} (required names: "
                f"{', '.join(message.get('names', []))})"))
        self.reply(rid)

    def _forbidden(self, rid: Any) -> None:
        found = self.guard.violations  # the guard's latch; a ForbiddenError raised by hand is one too
        first = found[0] if found else Violation("the submission raised the guard's ForbiddenError itself", None)
        self.write(protocol.pack({"id": rid, "ok": False, "error": {
            "kind": "forbidden", "message": first.describe(), "line": first.line,
            "type": "ForbiddenError"}}))

    def resolve(self, target: dict[str, Any]) -> Any:
        if "handle" in target:
            obj = self.handles[int(target["handle"])]
        elif "module" in target:
            obj = self.support[str(target["module"])]
        else:
            obj = self.module
        for part in str(target.get("attr", "")).split("."):
            if part:
                if part.startswith("__") and part != "__call__":
                    raise protocol.ProtocolError(f"attribute {part!r} cannot be reached")
                obj = getattr(obj, part)
        return obj

    def call(self, rid: Any, message: dict[str, Any], tensors: dict[str, torch.Tensor]) -> None:
        decoder = protocol.Decoder(tensors, self.handles.__getitem__)
        args = decoder.decode(message.get("args", []))
        kwargs = decoder.decode(message.get("kwargs", {"__dict__": {}}))
        if self.device != "cpu":  # tests send CPU tensors; the submission gets them on its device
            args, kwargs = to_device(args, self.device), to_device(kwargs, self.device)
        grad = message.get("grad")
        inputs: list[torch.Tensor] = []
        if grad:
            inputs = _grad_inputs(args, kwargs, grad.get("wrt", []))
        try:
            target = self.resolve(message.get("target", {}))
            result = target(*args, **kwargs) if message.get("call", True) else target
            grads = None
            if grad:
                grads = self._backward(result, inputs, grad, decoder, message)
        except ForbiddenError:
            return self._forbidden(rid)
        except WrongOutput as exc:
            return self.fail(rid, "wrong_output", message=str(exc))
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too
            if self.guard.violations:
                return self._forbidden(rid)
            return self.fail(rid, _kind(exc), exc)
        if self.guard.violations:
            return self._forbidden(rid)
        if message.get("keep") or isinstance(result, torch.nn.Module):  # modules stay in the worker
            return self.reply(rid, value=protocol.Handle(self._keep(result)))
        value = _detach(result)
        del result
        self.reply(rid, value=value, grads=grads)

    def _backward(self, result: Any, inputs: list[torch.Tensor], grad: dict[str, Any],
                  decoder: protocol.Decoder, message: dict[str, Any]) -> Any:
        output = result
        index = grad.get("output")
        if index is not None:
            output = result[int(index)]
        if not _GRADIENT.plain(output):
            raise WrongOutput(f"returned {type(output).__name__} where a plain torch.Tensor was expected")
        params: dict[str, torch.Tensor] = {}
        if grad.get("params"):
            module = self.resolve(message.get("target", {}))
            module = getattr(module, "__self__", module)
            params = dict(module.named_parameters())
        grad_output = decoder.decode(grad.get("grad_output"))
        if isinstance(grad_output, torch.Tensor) and tuple(grad_output.shape) != _GRADIENT.shape(output):
            raise WrongOutput(f"returned shape {_GRADIENT.shape(output)}, expected {tuple(grad_output.shape)}")
        if not _GRADIENT.requires_grad(output):  # a constant: no gradient reaches anything
            input_grads: list = [None] * len(inputs)
            return {"inputs": input_grads, "params": dict.fromkeys(params)} if params else input_grads
        found = _GRADIENT.backward(output, inputs + list(params.values()), grad_output)
        input_grads = list(found[:len(inputs)])
        if params:
            return {"inputs": input_grads, "params": dict(zip(params, found[len(inputs):]))}
        return input_grads


class _Gradient:
    """The backward machinery of ``Server._backward``, bound when this module is imported.

    The worker imports this module before any submission, so every reference below is the real one: a
    submission that later replaces ``torch.autograd.grad``, ``Tensor.backward``, ``torch.sum`` or
    ``Tensor.requires_grad`` changes nothing here. The objective is formed with torch-function overrides
    and Python dispatch off (a mode or a tensor subclass of the submission's cannot rewrite it), and the
    autograd engine runs with Python dispatch off (a dispatch mode cannot rewrite the backward ops);
    only plain tensors (and ``nn.Parameter``s) are differentiated. The graph, the hooks and the custom
    ``autograd.Function``s the submission built are its own answer and run as they are.
    """

    def __init__(self) -> None:
        base = torch._C.TensorBase
        self._plain = (torch.Tensor, torch.nn.Parameter)
        self._requires_grad = base.requires_grad.__get__
        self._shape = base.shape.__get__
        self._dtype = base.dtype.__get__
        self._run_backward = torch.autograd.Variable._execution_engine.run_backward
        self._mul, self._sum, self._ones_like, self._as_tensor = torch.mul, torch.sum, torch.ones_like, torch.as_tensor
        self._no_function, self._no_dispatch = torch._C.DisableTorchFunction, torch._C._DisableTorchDispatch
        self._type, self._tuple = type, tuple

    def plain(self, value: Any) -> bool:
        kind = self._type(value)
        return kind is self._plain[0] or kind is self._plain[1]  # `is`: a metaclass can make `==` say yes

    def requires_grad(self, tensor: torch.Tensor) -> bool:
        return bool(self._requires_grad(tensor))

    def shape(self, tensor: torch.Tensor) -> tuple[int, ...]:
        return self._tuple(self._shape(tensor))

    def backward(self, output: torch.Tensor, wrt: list[torch.Tensor], grad_output: Any) -> tuple:
        """d sum(output * grad_output) / d wrt (None for what the output does not depend on).

        sum(output * g) has gradient J^T g, exactly as grad_outputs=g would; that form makes torch import
        its symbolic-shapes machinery (a second) on first use."""
        if not all(self.plain(t) for t in wrt):
            raise WrongOutput("a tensor to differentiate is not a plain torch.Tensor")
        with self._no_function(), self._no_dispatch():
            if grad_output is None:
                objective = self._sum(output)
            else:
                objective = self._sum(self._mul(output, self._as_tensor(grad_output, dtype=self._dtype(output))))
            seed = self._ones_like(objective)
        with self._no_dispatch():
            return self._tuple(self._run_backward((objective,), (seed,), False, False, self._tuple(wrt), True, False))


_GRADIENT = _Gradient()


def to_device(value: Any, device: str) -> Any:
    """Tensors (and tensors inside lists, tuples and dicts) moved to ``device``; the rest as is."""
    return map_leaves(lambda v: v.to(device) if isinstance(v, torch.Tensor) else v, value)


class WrongOutput(Exception):
    """The submission returned something that cannot be the answer (a wrong shape, not a tensor)."""


def _grad_inputs(args: list[Any], kwargs: dict[str, Any], wrt: list[Any]) -> list[torch.Tensor]:
    inputs = []
    for key in wrt:
        value = args[key] if isinstance(key, int) else kwargs[str(key)]
        if not isinstance(value, torch.Tensor) or not value.is_floating_point():
            raise protocol.ProtocolError(f"argument {key!r} is not a floating-point tensor")
        value.requires_grad_(True)
        inputs.append(value)
    return inputs


def _detach(value: Any) -> Any:
    return map_leaves(lambda v: v.detach() if isinstance(v, torch.Tensor) else v, value)


def _kind(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, RuntimeError):
        text = str(exc)
        if "out of memory" in text or "can't allocate memory" in text:  # CUDA's says "out of memory" too
            return "memory"
    return "exception"


def _short(exc: BaseException | None) -> str:
    if exc is None:
        return ""
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) < 2000 else text[:2000] + " ..."


def preload() -> None:
    """Imports torch makes lazily on first use (a second or more), done before the clock runs."""
    import torch.fx.experimental.symbolic_shapes  # noqa: F401  - broadcast_shapes, grad_outputs


def main() -> None:
    preload()
    channel_in = os.dup(0)
    channel_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)  # whatever the submission prints goes to the capped log
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    sys.stdin = open(os.devnull)  # noqa: SIM115
    worker = Server(channel_in, channel_out)
    worker.write(protocol.pack({"id": 0, "ok": True, "ready": True, "pid": os.getpid()}))
    worker.serve()
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
