# breaks rule dilation: kernel taps are always adjacent (dilation treated as 1)
import torch
import torch.nn.functional as F


def _pair(v):
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    dh = dw = 1
    N, C, H, W = x.shape
    O, Cg, kh, kw = weight.shape
    if groups < 1 or C % groups or O % groups or Cg * groups != C:
        raise ValueError("groups must divide C_in and C_out, and weight.shape[1] be C_in / groups")
    xp = F.pad(x, (pw, pw, ph, ph))
    Ho = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    Wo = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    if Ho < 1 or Wo < 1:
        raise ValueError("kernel larger than the padded input")
    G = O // groups
    out = x.new_zeros(N, O, Ho, Wo)
    for g in range(groups):
        xg = xp[:, g * Cg:(g + 1) * Cg]
        wg = weight[g * G:(g + 1) * G]
        for a in range(kh):
            for b in range(kw):
                tap = xg[:, :, a * dh:a * dh + sh * (Ho - 1) + 1:sh, b * dw:b * dw + sw * (Wo - 1) + 1:sw]
                out[:, g * G:(g + 1) * G] += torch.einsum("nchw,oc->nohw", tap, wg[:, :, a, b])
    if bias is not None:
        out = out + bias.view(1, O, 1, 1)
    return out
