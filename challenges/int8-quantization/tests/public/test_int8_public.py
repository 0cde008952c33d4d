"""Public tests: small cases you can read. Run them with `mlj test int8-quantization`."""

import numpy as np
import torch


def test_statement_example(sub, ref, check):
    w = np.array([[0.5, -1.27, 0.0], [0.0, -0.0, 0.0], [127.0, 2.5, -3.5]], dtype=np.float32)
    q, scale = sub.quantize(w)
    check(scale, np.array([0.01, 1.0, 1.0], dtype=np.float32), dtype=torch.float32, name="scale (one per row)")
    check(q, np.array([[50, -127, 0], [0, 0, 0], [127, 2, -4]], dtype=np.int8), dtype=torch.int8,
          name="q (2.5 -> 2 and -3.5 -> -4: ties to even)")
    check(sub.dequantize(q, scale), ref.dequantize(q, scale), dtype=torch.float32, name="dequantize(q, scale)")


def test_columns(sub, ref, check):
    w = np.array([[1.0, -20.0], [-4.0, 10.0], [0.5, 3.0]], dtype=np.float32)
    q, scale = sub.quantize(w, axis=1)
    want_q, want_scale = ref.quantize(w, 1)
    check(scale, want_scale, dtype=torch.float32, name="scale along axis 1 (one per column)")
    check(q, want_q, dtype=torch.int8, name="q along axis 1")


def test_given_scale_saturates(sub, check):
    q, scale = sub.quantize(np.array([[3.0, -300.0, 255.0]]), scale=np.array([2.0], dtype=np.float32))
    check(q, np.array([[2, -127, 127]], dtype=np.int8), dtype=torch.int8,
          name="codes with a given scale 2: 1.5 -> 2, -150 -> -127 (never -128), 127.5 -> 128 -> 127")
    check(scale, np.array([2.0], dtype=np.float32), dtype=torch.float32, allow_constant=True,
          name="the given scale, returned as it is")
