"""Run-time enforcement of a challenge's forbidden APIs, inside the worker, out of the submission's reach.

The worker runs nothing but the harness and the submission, and nothing of the harness calls a
challenge's forbidden APIs; so instead of asking "who is calling?", the guard makes the forbidden
code unable to run at all, in every thread, before the submission is imported:

* **aten operators** (``forbidden.ops``, and the ops behind forbidden torch builtins such as
  ``torch.nn.functional.scaled_dot_product_attention``): every overload gets a raising kernel at
  every dispatch key it has a kernel for (CPU, CUDA, Meta, Autograd*, CompositeImplicitAutograd,
  ...), registered in the C++ dispatcher. Modes, ``torch._C.Disable*`` switches, ``torch.ops``,
  ``redispatch`` and new threads all end in the same kernel table. The registration handle is
  referenced from nowhere in Python, so nothing can deregister it; torch's Python decompositions of
  those ops are disabled the same way as forbidden Python functions.
* **Python functions and classes** (``forbidden.apis``): the code of the function object itself (of
  every method of a class, of every function it wraps) is replaced by a stub that raises, so every
  alias, cache, ``__wrapped__`` chain and ``sys.modules`` lookup reaches the stub; the original code
  object is dropped. Their ``torch._refs`` counterparts go the same way.
* **an audit hook** (``sys.addaudithook``; it cannot be removed) armed just before the submission is
  imported. It refuses the primitives that reach into the judge (ctypes, frame and gc
  introspection, code objects made or swapped, trace and profile hooks, more audit hooks,
  ``/proc/*/mem``, native extensions from outside the installation, imports and re-executions of
  forbidden modules and files) unless the frame calling the primitive is the harness's or a support
  module's own code (code objects captured at arming; the traceback module, which the harness uses
  to report errors, is looked through). The hook keeps no mutable state: its settings are default
  arguments (frozen tuples) and a refusal is recorded by adding a second, permanent audit hook
  (the latch) that the worker queries with the ``mlj.guard.check`` event.

A refusal raises ``ForbiddenError`` into the caller and latches, so a submission that swallows the
exception is still reported as FB. What the guard does not cover is said in README.md ("Security").
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import os
import sys
import threading
import traceback
import types
import warnings
from dataclasses import dataclass
from typing import Any

#: the audit event a forbidden stub or kernel raises; the hook latches it
FORBIDDEN_EVENT = "mlj.forbidden"
#: the audit event the worker raises to ask whether anything was refused (a latch hook answers)
CHECK_EVENT = "mlj.guard.check"

# Refused outright (unless the harness's own code calls them).
_REFUSED = frozenset({
    "sys._getframe", "sys._current_frames", "sys._current_exceptions", "sys.settrace", "sys.setprofile",
    "sys.addaudithook", "gc.get_objects", "gc.get_referrers", "gc.get_referents", "code.__new__",
    "function.__new__", "object.__setattr__", "object.__delattr__", "cpython._PySys_ClearAuditHooks",
})
# object.__getattr__ events for these attributes hand out frames or code objects
# (frame.f_code is audited too, but the hook reads it itself: frames come only from refused primitives.)
_FRAME_ATTRS = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
# What the harness's own code may do through the libraries it calls (the wire's tensor encoding goes
# through numpy.ctypeslib, error reports read traceback frames): the rest is refused to everyone.
# Frame access by library code on its own behalf is allowed (see the hook); these library functions
# hand frames to their caller, so their caller is the one that counts.
_FRAME_EVENTS = frozenset({"sys._getframe", "sys._current_frames", "sys._current_exceptions", "object.__getattr__"})
_FRAME_GIVERS = (("inspect", "currentframe"), ("inspect", "stack"), ("inspect", "trace"), ("inspect", "getouterframes"),
                 ("inspect", "getinnerframes"), ("traceback", "walk_stack"), ("traceback", "walk_tb"),
                 ("traceback", "_walk_tb_with_full_positions"))
_EXEMPTABLE = frozenset({"sys._getframe", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
                         "object.__setattr__", "object.__getattr__", "sys._current_frames", "sys._current_exceptions"})
#: libraries the harness calls that use exemptable primitives on its behalf (the caller behind them counts)
_LIBRARIES_LOOKED_THROUGH = ("safetensors.torch", "numpy.ctypeslib", "numpy.ctypeslib._ctypeslib",
                             "ctypes", "ctypes._endian", "numpy.core._internal", "numpy._core._internal")
_WATCHED = _REFUSED | {FORBIDDEN_EVENT, "object.__getattr__", "open", "import", "exec", "compile"}


class ForbiddenError(RuntimeError):
    """Raised into the submission when it calls a forbidden API or reaches into the judge."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Violation:
    message: str
    line: int | None

    def describe(self) -> str:
        return self.message


def _refuse(name: str, _audit: Any = sys.audit, _error: type = ForbiddenError) -> None:
    """What every stub and kernel does: report ``name`` to the hook, then raise (if the hook did not).

    ``sys.audit`` is bound as a default: replacing ``sys.audit`` later changes nothing here, and
    changing a function's defaults is itself refused by the hook."""
    _audit(FORBIDDEN_EVENT, name)
    raise _error(f"{name} is forbidden in this challenge")


class Guard:
    """The guard of one worker: ``install`` the blocks, ``arm`` the hook, read ``violations``."""

    def __init__(self, submission_files: set[str]) -> None:
        self.files = frozenset(submission_files)
        self.blocked_ops: list[str] = []
        self.stubbed: list[str] = []
        self._modules: tuple[str, ...] = ()
        self._module_dirs: tuple[str, ...] = ()
        self._protected_files: set[str] = set()
        self._kernels: list[Any] = []
        self._check = sys.audit  # bound now: a submission replacing sys.audit changes nothing here

    # -- before the submission ------------------------------------------------
    def install(self, apis: list[str], ops: list[str], modules: list[str]) -> None:
        op_names = {op.removeprefix("aten.").removeprefix("torch.ops.aten.") for op in ops}
        shown: dict[str, str] = {}  # op -> the forbidden API it is the binding of, named in reports
        blocked_modules = list(modules)
        for name in apis:
            target = _resolve(name)
            if target is None or isinstance(target, types.ModuleType):
                blocked_modules.append(name)
                continue
            op = _aten_name(target)
            if op is not None:
                op_names.add(op)
                shown.setdefault(op, name)
            self._stub(name, target)
            ref = _resolve(_refs_name(name))
            if ref is not None and not isinstance(ref, types.ModuleType):
                self._stub(name, ref)
        if op_names:
            self._block_ops(sorted(op_names), shown)
        self._modules = tuple(sorted(set(blocked_modules)))
        self._module_dirs = tuple(_module_dirs(self._modules))
        for cached in [m for m in sys.modules if _matches(m, self._modules)]:
            del sys.modules[cached]  # so that importing it again is an import the hook sees
        if self._modules:
            # Also reports a forbidden module that is not installed (importlib.import_module raises no
            # audit event for a module it cannot find). Removing this finder only turns that FB into a
            # ModuleNotFoundError: an installed module's files are refused by the hook.
            sys.meta_path.insert(0, _ModuleBlocker(self._modules))

    def _stub(self, name: str, target: Any) -> None:
        """Replace the code of ``target`` (a function, or every function of a class) by a raising stub."""
        functions = []
        if isinstance(target, type):
            for cls in _subclasses(target):
                for value in vars(cls).values():
                    found = [value.fget, value.fset, value.fdel] if isinstance(value, property) else \
                        [getattr(value, "__func__", value)]
                    # only the class's own functions: one it shares with another class stays as it is
                    functions += [f for f in found if isinstance(f, types.FunctionType)
                                  and f.__qualname__.startswith(cls.__qualname__ + ".")]
        else:
            functions.append(target)
        for fn in functions:
            while isinstance(fn, types.FunctionType):
                if fn.__code__.co_filename not in ("", "<forbidden>"):
                    self._protected_files.add(fn.__code__.co_filename)
                fn.__code__ = _stub_code(fn.__code__, name)
                fn = getattr(fn, "__wrapped__", None)
        self.stubbed.append(name)

    def _block_ops(self, names: list[str], shown: dict[str, str]) -> None:
        import torch

        lib = torch._C._dispatch_library("IMPL", "aten", "")
        kernels: dict[str, Any] = {}
        with warnings.catch_warnings():  # "overriding a previously registered kernel": that is the point
            warnings.simplefilter("ignore")
            for name in names:
                packet = getattr(torch.ops.aten, name, None)
                if packet is None:
                    continue
                kernel = kernels.setdefault(name, _op_kernel(shown.get(name, f"torch.ops.aten.{name}")))
                self._kernels.append(kernel)
                for overload in packet.overloads():
                    qualified = name if overload == "default" else f"{name}.{overload}"
                    for key in _kernel_keys(f"aten::{qualified}"):
                        lib.impl(qualified, key, kernel)
                    self.blocked_ops.append(qualified)
                    self._stub_decompositions(getattr(packet, overload), names)
        # No Python reference to the registration may remain (its reset() would undo it): one reference
        # is leaked on purpose, so it lives as long as the worker.
        import ctypes

        ctypes.pythonapi.Py_IncRef(ctypes.py_object(lib))
        del lib

    def _stub_decompositions(self, overload: Any, names: list[str]) -> None:
        """torch's Python decompositions of a blocked op compute it from allowed ops: stub them too,
        where every op they are registered for is blocked."""
        try:
            from torch._decomp import global_decomposition_table
        except ImportError:
            return
        blocked = set(names)
        for table in global_decomposition_table.values():
            fn = table.get(overload)
            if fn is None or not isinstance(inner := _innermost(fn), types.FunctionType):
                continue
            users = {op for t in global_decomposition_table.values() for op, f in t.items()
                     if _innermost(f) is inner}
            if all(op.name().removeprefix("aten::").split(".")[0] in blocked for op in users):
                self._stub(f"torch.ops.aten.{overload.name().removeprefix('aten::')}", fn)

    def arm(self, exempt_modules: list[Any], extra_code: list[types.CodeType] = ()) -> None:  # type: ignore[assignment]
        """Install the audit hook; from here on the primitives are refused to all but the harness.

        ``exempt_modules`` (the guard, the challenge's support modules) and ``extra_code`` may call them:
        their code objects, captured now, are the exemption."""
        _set_not_dumpable()
        exempt = set(extra_code)
        for module in exempt_modules:
            exempt |= _module_code(module)
        look_through: set[types.CodeType] = set()
        for name in _LIBRARIES_LOOKED_THROUGH:
            try:  # imported now if not yet (safetensors imports numpy.ctypeslib on its first save)
                look_through |= _module_code(importlib.import_module(name))
            except ImportError:
                pass
        import inspect

        givers = {fn.__code__ for fn in (getattr(module, n, None) for module, n in _FRAME_GIVERS
                                         for module in [{"inspect": inspect, "traceback": traceback}[module]])
                  if isinstance(fn, types.FunctionType)}
        library = (*_trusted_prefixes(), os.path.dirname(os.path.abspath(__file__)) + "/")
        hook = _make_hook()
        hook.__defaults__ = (
            frozenset(exempt), frozenset(look_through), _EXEMPTABLE | _ctypes_events(), _FRAME_EVENTS,
            frozenset(givers), library, (_refuse, *self._kernels), self.files, self._modules, self._module_dirs,
            frozenset(self._protected_files), _trusted_prefixes(), threading.get_ident(),
            hook.__code__, _WATCHED, _REFUSED, _FRAME_ATTRS, sys._getframe, sys.addaudithook, os.path.realpath,
            ForbiddenError, _latch, str, bytes, int, type, isinstance, types.CodeType,
        )
        sys.addaudithook(hook)

    # -- after each request ---------------------------------------------------
    @property
    def violations(self) -> list[Violation]:
        """The first refusal so far, if any (asked of the latch; the hook keeps no state)."""
        try:
            self._check(CHECK_EVENT)
        except ForbiddenError as exc:
            return [Violation(str(exc), exc.line)]
        return []


class _ModuleBlocker(importlib.abc.MetaPathFinder):
    def __init__(self, modules: tuple[str, ...]) -> None:
        self.modules = modules

    def find_spec(self, fullname, path=None, target=None):  # noqa: ANN001, ANN201
        for name in self.modules:
            if fullname == name or fullname.startswith(name + "."):
                _refuse(f"import of {name}")
        return None


def _make_hook() -> Any:
    # Every name the hook uses is a parameter whose default is set at arming: the hook reads no global
    # and no closure, so nothing reachable from Python can change what it does.
    def hook(event, args, exempt=None, look_through=None, exemptable=None, frame_events=None, givers=None,
             library=None, guarded=None, files=None, modules=None, module_dirs=None,  # noqa: ANN001, PLR0913
             protected=None, prefixes=None, main_thread=None, own_code=None, watched=None, refused=None,
             frame_attrs=None, getframe=None, addhook=None, realpath=None, error=None, latch=None,
             str_=None, bytes_=None, int_=None, type_=None, isinstance_=None, code_type=None):
        if event not in watched and not event.startswith("ctypes."):
            return
        if event == "sys._getframe" and args[0] is not None and args[0].f_code is own_code:
            return  # the hook finding its own caller, just below
        if event == "sys.addaudithook":
            caller = getframe(0).f_back
            if caller is not None and caller.f_code is own_code:
                return  # the hook adding its latch
        what = None
        if event == FORBIDDEN_EVENT:
            what = f"{args[0]} is forbidden in this challenge" if type_(args[0]) is str_ else "a forbidden call"
        elif event == "object.__setattr__" or event == "object.__delattr__":
            if (len(args) > 1 and type_(args[1]) is str_ and args[1] == "__code__") or any(
                    args[0] is o for o in guarded):
                what = f"changing {args[1]} of a function"
        elif event in refused or event.startswith("ctypes."):
            what = event
        elif event == "object.__getattr__":
            if len(args) > 1 and type_(args[1]) is str_ and args[1] in frame_attrs:
                what = f"reading {args[1]}"
        elif event == "open":
            path = args[0]
            if type_(path) is bytes_:
                path = path.decode("utf-8", "replace")
            if type_(path) is str_:
                real = realpath(path)
                parts = real.split("/")
                if len(parts) >= 4 and parts[1] == "proc" and parts[-1] == "mem":
                    what = f"opening {path}"
                elif any(real.startswith(d) for d in module_dirs):
                    what = f"reading {path} (a forbidden module)"
        elif event == "import":
            name = args[0] if type_(args[0]) is str_ else ""
            if any(name == m or name.startswith(m + ".") for m in modules):
                what = f"import of {name} is forbidden in this challenge"
            elif len(args) > 1 and type_(args[1]) is str_:
                real = realpath(args[1])
                if any(real.startswith(d) for d in module_dirs):
                    what = f"import of {name} is forbidden in this challenge"
                elif not any(real.startswith(p) for p in prefixes):
                    what = f"loading native code from {args[1]}"
        elif event == "exec":
            code = args[0]
            if type_(code) is code_type and (code.co_filename in protected or
                                             any(code.co_filename.startswith(d) for d in module_dirs)):
                what = f"running {code.co_filename} again"
        elif event == "compile":
            name = args[1] if len(args) > 1 else None
            if type_(name) is bytes_:
                name = name.decode("utf-8", "replace")
            if type_(name) is str_ and (name in protected or any(name.startswith(d) for d in module_dirs)):
                what = f"compiling code as {name}"
        if what is None:
            return
        frame = getframe(0).f_back
        if event in frame_events:
            # Library code reads frames for its own purposes (typing and namedtuple name the caller's
            # module, traceback formats a stack, torch.library records a source line); frames reach the
            # submission only if it is the caller, directly or through a function that returns frames.
            caller = frame
            while caller is not None and caller.f_code in givers:
                caller = caller.f_back
            if caller is not None and (caller.f_code in exempt or any(
                    caller.f_code.co_filename.startswith(p) for p in library)):
                return
        if event in exemptable:  # the harness's own code, possibly through the libraries it uses
            caller = frame
            while caller is not None and caller.f_code in look_through:
                caller = caller.f_back
            if caller is not None and caller.f_code in exempt:
                return
        line = None
        while frame is not None:
            if frame.f_code.co_filename in files:
                line = frame.f_lineno
                break
            frame = frame.f_back
        if event == FORBIDDEN_EVENT:
            message = what + (f" (called at line {line})" if line else "")
        else:
            message = (f"{what} reaches into the judge and is not allowed in a submission"
                       + (f" (line {line})" if line else ""))
        addhook(latch(message, line, error))
        raise error(message, line)

    return hook


def _latch(message: str, line: int | None, error: type[ForbiddenError]) -> Any:
    def latched(event, args, message=message, line=line, error=error):  # noqa: ANN001
        if event == CHECK_EVENT:
            raise error(message, line)

    return latched


def _stub_code(code: types.CodeType, name: str) -> types.CodeType:
    """A code object that calls ``_refuse(name)``, with the free variables of ``code`` (so that it can
    replace it in a closure), and no global or builtin name: ``_refuse`` is one of its constants."""
    free = code.co_freevars
    lines = ["def outer():"] + [f"    {v} = None" for v in free] + ["    def stub(*args, **kwargs):"]
    if free:
        lines.append(f"        ({', '.join(free)},)")
    lines += ["        return '__mlj_refuse__'('__mlj_name__')", "    return stub"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        module = compile("\n".join(lines), "<forbidden>", "exec")
    outer = next(c for c in module.co_consts if isinstance(c, types.CodeType))
    stub = next(c for c in outer.co_consts if isinstance(c, types.CodeType))
    consts = tuple(_refuse if c == "__mlj_refuse__" else name if c == "__mlj_name__" else c
                   for c in stub.co_consts)
    return stub.replace(co_consts=consts, co_name=code.co_name, co_qualname=code.co_qualname)


def _ctypes_events() -> frozenset[str]:
    """The ctypes audit events the tensor encoding raises (everything but dlopen and dlsym)."""
    return frozenset({"ctypes.addressof", "ctypes.cdata", "ctypes.cdata/buffer", "ctypes.call_function",
                      "ctypes.create_string_buffer", "ctypes.string_at", "ctypes.PyObj_FromPtr"})


def _op_kernel(name: str) -> Any:
    def kernel(*args, _name=name, _refuse=_refuse, **kwargs):  # noqa: ANN002, ANN003
        _refuse(_name)

    return kernel


def _kernel_keys(qualified: str) -> list[str]:
    """The dispatch keys (runtime and alias) that ``qualified`` has an active kernel for."""
    import torch

    keys = []
    for line in torch._C._dispatch_dump(qualified).splitlines():
        head, sep, _ = line.partition(": ")
        if not sep or " " in head.replace("[alias]", "") or head in ("name", "schema", "debug", "alias analysis kind"):
            continue
        keys.append(head.removesuffix("[alias]"))
    if torch._C._dispatch_has_kernel_for_dispatch_key(qualified, "CompositeImplicitAutograd"):
        keys.append("CompositeImplicitAutograd")
    return list(dict.fromkeys(keys))


def _aten_name(target: Any) -> str | None:
    """The aten op a torch builtin (``torch._C`` function, Tensor method) is the binding of."""
    if isinstance(target, (types.FunctionType, type)):
        return None
    name = getattr(target, "__name__", None)
    if not isinstance(name, str):
        return None
    import torch

    packet = getattr(torch.ops.aten, name, None)
    return name if packet is not None else None


def _refs_name(name: str) -> str:
    """torch's Python reference implementation of a torch API: torch.X -> torch._refs.X."""
    rest = name.removeprefix("torch.")
    rest = rest.removeprefix("Tensor.")
    return "torch._refs." + rest


def _innermost(fn: Any) -> Any:
    seen = 0
    while getattr(fn, "__wrapped__", None) is not None and seen < 20:
        fn, seen = fn.__wrapped__, seen + 1
    return fn


def _subclasses(cls: type) -> list[type]:
    found, todo = [], [cls]
    while todo:
        current = todo.pop()
        if current not in found:
            found.append(current)
            todo += current.__subclasses__()
    return found


def _module_code(module: Any) -> set[types.CodeType]:
    """Every code object defined in ``module`` (functions, methods, nested functions)."""
    found: set[types.CodeType] = set()
    here = getattr(module, "__file__", None) or "<none>"
    todo: list[Any] = list(vars(module).values())
    seen: set[int] = set()
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, types.CodeType):
            found.add(obj)
            todo += [c for c in obj.co_consts if isinstance(c, types.CodeType)]
        elif isinstance(obj, (staticmethod, classmethod)):
            todo.append(obj.__func__)
        elif isinstance(obj, property):
            todo += [obj.fget, obj.fset, obj.fdel]
        elif isinstance(obj, types.FunctionType):
            if obj.__code__.co_filename == here:
                todo.append(obj.__code__)
        elif isinstance(obj, type) and getattr(sys.modules.get(obj.__module__), "__file__", None) == here:
            todo += list(vars(obj).values())
    return found


def _module_dirs(names: tuple[str, ...]) -> list[str]:
    """Where the forbidden modules live (found without importing them)."""
    dirs = []
    for name in names:
        top, _, rest = name.partition(".")
        try:
            spec = importlib.machinery.PathFinder.find_spec(top)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            continue
        for location in spec.submodule_search_locations or [os.path.dirname(spec.origin or "")]:
            path = os.path.join(os.path.realpath(location), *rest.split(".")) if rest else os.path.realpath(location)
            dirs.append(path.rstrip("/") + ("/" if os.path.isdir(path) else ""))
    return [d for d in dirs if d not in ("", "/")]


def _trusted_prefixes() -> tuple[str, ...]:
    """Where native code may be loaded from: the Python installation and its site-packages."""
    import site

    places = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *site.getsitepackages()}
    return tuple(sorted({os.path.realpath(p).rstrip("/") + "/" for p in places if p}))


def _set_not_dumpable() -> None:
    """No other process of the worker's user (a child it starts) may ptrace it or open its memory."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass


def _matches(name: str, modules: tuple[str, ...]) -> bool:
    return any(name == m or name.startswith(m + ".") for m in modules)


def _resolve(dotted: str) -> Any:
    """The object a dotted name points to, or None when it cannot be imported."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for part in parts[cut:]:
                obj = getattr(obj, part)
        except AttributeError:
            return None
        return obj
    return None


__all__ = ["CHECK_EVENT", "FORBIDDEN_EVENT", "ForbiddenError", "Guard", "Violation"]
