"""The from-scratch guard, unit by unit: each check runs in a fresh Python process (an audit hook cannot be
removed, so the guard is never armed in the test process itself)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """
import sys, threading, torch
sys.path.insert(0, {root!r})
from harness.guard import Guard, ForbiddenError
from harness import protocol
guard = Guard({{"/sub/solution.py"}})
guard.install({apis!r}, {ops!r}, {modules!r})
guard.arm([protocol])
q = torch.randn(2, 3, 4, requires_grad=True)

def refused(fn):
    try:
        fn()
    except ForbiddenError:
        return True
    except Exception as exc:  # a refusal deeper down can surface as another exception
        return "forbidden" in str(exc) or "judge" in str(exc)
    return False
"""

ATTENTION_APIS = ["torch.nn.functional.scaled_dot_product_attention",
                  "torch.nn.functional.multi_head_attention_forward", "torch.nn.MultiheadAttention"]
ATTENTION_OPS = ["aten._scaled_dot_product_attention_math", "aten._scaled_dot_product_flash_attention_for_cpu",
                 "aten._fused_sdp_choice"]


def run(body: str, apis: list[str] = ATTENTION_APIS, ops: list[str] = ATTENTION_OPS,
        modules: list[str] = ()) -> str:
    script = PRELUDE.format(root=str(ROOT), apis=list(apis), ops=list(ops), modules=list(modules))
    script += textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_forbidden_op_cannot_run_on_any_route_and_each_attempt_latches():
    out = run("""
        F = torch.nn.functional
        aten = torch.ops.aten
        routes = {
            "functional": lambda: F.scaled_dot_product_attention(q, q, q),
            "no grad": lambda: torch.no_grad().__enter__() or aten.scaled_dot_product_attention(q.detach(), q, q),
            "math": lambda: aten._scaled_dot_product_attention_math(q, q, q),
            "flash": lambda: aten._scaled_dot_product_flash_attention_for_cpu(q[None], q[None], q[None]),
            "redispatch CPU": lambda: aten._scaled_dot_product_flash_attention_for_cpu.default.redispatch(
                torch._C.DispatchKeySet(torch._C.DispatchKey.CPU), q[None], q[None], q[None]),
            "decompose": lambda: aten.scaled_dot_product_attention.default.decompose(q, q, q),
            "below autograd": lambda: torch._C._AutoDispatchBelowAutograd().__enter__() or
                aten._scaled_dot_product_attention_math(q, q, q),
            "meta": lambda: aten._scaled_dot_product_attention_math(q.to("meta"), q.to("meta"), q.to("meta")),
            "modes off": lambda: torch._C._DisableTorchDispatch().__enter__() or
                torch._C.DisableTorchFunction().__enter__() or F.scaled_dot_product_attention(q, q, q),
        }
        result = {}
        for name, fn in routes.items():
            box = []
            t = threading.Thread(target=lambda: box.append(refused(fn)))
            t.start(); t.join()
            result[name] = box[0]
        print(result)
        print(guard.violations[0].describe())
    """)
    result = eval(out.splitlines()[0])  # noqa: S307 - our own subprocess's repr of a dict of bools
    assert all(v is True for v in result.values()), result
    assert "is forbidden in this challenge" in out.splitlines()[1]


def test_every_dispatch_key_of_a_blocked_op_runs_the_guard_kernel():
    out = run("""
        for name in ("aten::scaled_dot_product_attention", "aten::_scaled_dot_product_flash_attention_for_cpu"):
            table = torch._C._dispatch_dump_table(name)
            for line in table.splitlines():
                if "fallthrough" in line or "[backend fallback]" in line:
                    continue
                assert "/dev/null:0" in line, (name, line)  # a kernel registered from Python: ours
        print("ok")
    """)
    assert out.strip() == "ok"


def test_python_level_apis_are_stubbed_wherever_they_are_reached():
    out = run("""
        import importlib, functools
        F = torch.nn.functional
        mha_forward = F.multi_head_attention_forward
        x = torch.randn(3, 2, 8)
        routes = {
            "alias": lambda: mha_forward(x, x, x, 8, 2, *([None] * 5), False, 0.0, None, None),
            "class": lambda: torch.nn.MultiheadAttention(8, 2),
            "sys.modules": lambda: getattr(sys.modules["torch.nn.functional"], "multi_head_attention_forward")(x),
            "__new__ and forward": lambda: torch.nn.MultiheadAttention.forward(
                torch.nn.MultiheadAttention.__new__(torch.nn.MultiheadAttention), x, x, x),
            "subclass": lambda: type("M", (torch.nn.MultiheadAttention,), {})(8, 2),
            "reload": lambda: importlib.reload(F),
            "code object": lambda: mha_forward.__code__.replace(co_name="x"),
            "FunctionType": lambda: __import__("types").FunctionType(compile("1", "<s>", "eval"), {}),
        }
        print({name: refused(fn) for name, fn in routes.items()})
    """)
    result = eval(out.splitlines()[0])  # noqa: S307
    assert all(v is True for v in result.values()), result


def test_primitives_that_reach_into_the_judge_are_refused_and_latched():
    out = run("""
        import gc, ctypes, traceback
        def tb():
            try:
                raise ValueError
            except ValueError as exc:
                return exc.__traceback__
        routes = {
            "getframe": lambda: sys._getframe(),
            "current_frames": lambda: sys._current_frames(),
            "tb_frame": lambda: tb().tb_frame,
            "walk_tb": lambda: list(traceback.walk_tb(tb())),
            "gc.get_objects": lambda: gc.get_objects(),
            "gc.get_referrers": lambda: gc.get_referrers(guard),
            "settrace": lambda: sys.settrace(None),
            "setprofile": lambda: threading.setprofile(None) or sys.setprofile(None),
            "ctypes symbol": lambda: ctypes.pythonapi.PyEval_GetFrame,
            "ctypes dlopen": lambda: ctypes.CDLL(None),
            "swap code": lambda: setattr(tb, "__code__", (lambda: None).__code__),
            "proc mem": lambda: open("/proc/self/mem", "rb"),
        }
        print({name: refused(fn) for name, fn in routes.items()})
        # sys.addaudithook swallows a hook's RuntimeError: the new hook is simply not added (and it latches)
        added = []
        sys.addaudithook(lambda event, args: added.append(event))
        sys.audit("mlj.test")
        print(added == [], len(guard.violations) == 1)
        # the harness's own formatting of a caught exception still works (traceback is looked through)
        print(len(traceback.format_tb(tb())) > 0, len(traceback.extract_tb(tb())) > 0)
    """)
    lines = out.splitlines()
    result = eval(lines[0])  # noqa: S307
    assert all(v is True for v in result.values()), result
    assert lines[1] == "True True"
    assert lines[2] == "True True"


def test_an_untouched_worker_reports_nothing_and_allowed_ops_still_work():
    out = run("""
        s = q @ q.transpose(-1, -2)
        w = torch.softmax(s, -1)
        (w @ q).sum().backward()
        data = protocol.encode_message({"id": 1, "ok": True}, {"value": w.detach()})
        print(guard.violations, q.grad is not None, len(data) > 0)
    """)
    assert out.strip() == "[] True True"


def test_forbidden_modules_are_refused_however_they_are_imported():
    out = run("""
        import importlib
        routes = {
            "import": lambda: __import__("json.tool"),
            "import_module": lambda: importlib.import_module("json.tool"),
        }
        print({name: refused(fn) for name, fn in routes.items()})
        import json
        print(json.dumps([1]))
    """, apis=[], ops=[], modules=["json.tool"])
    lines = out.splitlines()
    assert eval(lines[0]) == {"import": True, "import_module": True}, lines  # noqa: S307
    assert lines[1] == "[1]"
