"""Public tests: small cases you can read. Run them with `mlj test conv2d`."""

import torch


def test_statement_example(sub, check):
    x = torch.arange(1., 17.).reshape(1, 1, 4, 4)
    w = torch.tensor([[[[1., 2.], [3., 4.]]]])
    check(sub.conv2d(x, w), torch.tensor([[[[44., 54., 64.], [84., 94., 104.], [124., 134., 144.]]]]),
          dtype=torch.float32, name="conv2d(x 4x4, w 2x2): cross-correlation, the kernel is not flipped")
    check(sub.conv2d(x, w, torch.tensor([0.5]), stride=2, padding=1),
          torch.tensor([[[[4.5, 18.5, 12.5], [46.5, 94.5, 44.5], [26.5, 44.5, 16.5]]]]), dtype=torch.float32,
          name="conv2d(x 4x4, w 2x2, bias 0.5, stride=2, padding=1)")


def test_last_window_does_not_fit(sub, check):
    x = torch.arange(1., 26.).reshape(1, 1, 5, 5)
    w = torch.tensor([[[[1., 2.], [3., 4.]]]])
    check(sub.conv2d(x, w, stride=2), torch.tensor([[[[51., 71.], [151., 171.]]]]), dtype=torch.float32,
          name="conv2d(x 5x5, w 2x2, stride=2): floor((5 - 2) / 2) + 1 = 2")


def test_against_the_reference(sub, ref, check):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 4, 7, 6, generator=g, dtype=torch.float64)
    w = torch.randn(6, 2, 3, 2, generator=g, dtype=torch.float64)
    b = torch.randn(6, generator=g, dtype=torch.float64)
    kwargs = dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)
    check(sub.conv2d(x, w, b, **kwargs), ref.conv2d(x, w, b, **kwargs), dtype=torch.float64,
          name="conv2d with stride (2, 1), padding (1, 0), dilation (1, 2), groups 2")
