"""Forbidden: F.unfold (im2col) does the padding, stride and dilation indexing; the rest is a matmul."""

import torch
import torch.nn.functional as F


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    N, C, H, W = x.shape
    O, Cg, kh, kw = weight.shape
    if groups < 1 or C % groups or O % groups or Cg * groups != C:
        raise ValueError("bad groups")
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)  # (N, C*kh*kw, L)
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    Ho = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    Wo = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    cols = cols.reshape(N, groups, Cg * kh * kw, Ho * Wo)
    out = torch.einsum("gok,ngkl->ngol", weight.reshape(groups, O // groups, -1), cols).reshape(N, O, Ho, Wo)
    return out if bias is None else out + bias.view(1, O, 1, 1)
