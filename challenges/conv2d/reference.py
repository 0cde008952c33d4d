"""Reference of the conv2d challenge (trusted side only): a 2-D cross-correlation from scratch.

One strided slice of the padded input per kernel tap, contracted with that tap's weights group by
group. The tests call it in float64 (inputs cast up), and take its gradients with autograd.
"""

from __future__ import annotations

import torch


def pair(value: int | tuple[int, int]) -> tuple[int, int]:
    """An int v as (v, v); a pair as it is."""
    if isinstance(value, int):
        return value, value
    first, second = value
    return int(first), int(second)


def output_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """floor((size + 2 padding - dilation (kernel - 1) - 1) / stride) + 1 (may be < 1: too large a kernel)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def check_shapes(x: torch.Tensor, weight: torch.Tensor, groups: int, out_h: int, out_w: int) -> None:
    c_in, c_out, c_in_group = x.shape[1], weight.shape[0], weight.shape[1]
    if groups < 1 or c_in % groups != 0 or c_out % groups != 0:
        raise ValueError(f"groups={groups} must divide in_channels={c_in} and out_channels={c_out}")
    if c_in_group * groups != c_in:
        raise ValueError(f"weight has {c_in_group} input channels per group, expected {c_in} / {groups}")
    if out_h < 1 or out_w < 1:
        raise ValueError(f"the dilated kernel is larger than the padded input (output {out_h} x {out_w})")


def conv2d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
           stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
           dilation: int | tuple[int, int] = 1, groups: int = 1) -> torch.Tensor:
    """x (N, C_in, H, W), weight (C_out, C_in / groups, kH, kW), bias (C_out,) -> (N, C_out, H_out, W_out)."""
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)
    n, c_in, height, width = x.shape
    c_out, c_in_group, kh, kw = weight.shape
    out_h = output_size(height, kh, sh, ph, dh)
    out_w = output_size(width, kw, sw, pw, dw)
    check_shapes(x, weight, groups, out_h, out_w)
    padded = x.new_zeros(n, c_in, height + 2 * ph, width + 2 * pw)
    padded[:, :, ph:ph + height, pw:pw + width] = x
    xg = padded.reshape(n, groups, c_in_group, height + 2 * ph, width + 2 * pw)
    wg = weight.reshape(groups, c_out // groups, c_in_group, kh, kw)
    out = x.new_zeros(n, groups, c_out // groups, out_h, out_w)
    for i in range(kh):
        for j in range(kw):
            top, left = i * dh, j * dw
            tap = xg[:, :, :, top:top + sh * (out_h - 1) + 1:sh, left:left + sw * (out_w - 1) + 1:sw]
            out = out + torch.einsum("ngchw,goc->ngohw", tap, wg[:, :, :, i, j])
    out = out.reshape(n, c_out, out_h, out_w)
    if bias is not None:
        out = out + bias.reshape(1, c_out, 1, 1)
    return out
