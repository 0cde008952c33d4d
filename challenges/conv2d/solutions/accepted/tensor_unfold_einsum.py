"""Accepted: sliding windows with Tensor.unfold on the padded input, one einsum over (c, a, b)."""

import torch
import torch.nn.functional as F


def _pair(v):
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    N, C, H, W = x.shape
    O, Cg, kh, kw = weight.shape
    if groups < 1 or C % groups or O % groups or Cg * groups != C:
        raise ValueError(f"bad groups={groups} for C_in={C}, C_out={O}, weight {tuple(weight.shape)}")
    Ho = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    Wo = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if Ho < 1 or Wo < 1:
        raise ValueError("kernel larger than the padded input")
    xp = F.pad(x, (pw, pw, ph, ph))
    win = xp.unfold(2, dh * (kh - 1) + 1, sh).unfold(3, dw * (kw - 1) + 1, sw)[..., ::dh, ::dw]
    win = win.reshape(N, groups, Cg, Ho, Wo, kh, kw)
    out = torch.einsum("ngchwab,gocab->ngohw", win, weight.reshape(groups, O // groups, Cg, kh, kw))
    out = out.reshape(N, O, Ho, Wo)
    return out if bias is None else out + bias.view(1, O, 1, 1)
