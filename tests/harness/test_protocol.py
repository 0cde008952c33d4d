"""The wire format: round trips, caps, and refusal of anything malformed (never unpickled)."""

from __future__ import annotations

import io
import json
import pickle

import numpy as np
import pytest
import torch

from harness import protocol


def roundtrip(value, max_blob=protocol.DEFAULT_MAX_BLOB_BYTES):
    data = protocol.encode_message({"id": 1}, {"value": value})
    stream = io.BytesIO(data)
    message, tensors = protocol.read_frame(stream.read, max_blob=max_blob)
    return protocol.Decoder(tensors).decode(message["value"])


def test_nested_values_round_trip():
    value = {"a": [1, 2.5, None, True, "s"], "t": (torch.arange(6).reshape(2, 3), float("nan"), float("-inf")),
             "big": 2**70, "dtype": torch.bfloat16, "np": np.eye(2, dtype=np.float32), "scalar": np.float64(1.5)}
    back = roundtrip(value)
    assert back["a"] == [1, 2.5, None, True, "s"]
    assert torch.equal(back["t"][0], value["t"][0]) and isinstance(back["t"], tuple)
    assert np.isnan(back["t"][1]) and back["t"][2] == float("-inf")
    assert back["big"] == 2**70 and back["dtype"] is torch.bfloat16
    assert isinstance(back["np"], np.ndarray) and back["np"].dtype == np.float32
    assert back["scalar"] == 1.5


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64,
                                   torch.int32, torch.uint8, torch.bool])
def test_tensor_dtypes_round_trip(dtype):
    t = (torch.randn(3, 4) * 10).to(dtype)
    back = roundtrip(t)
    assert back.dtype == dtype and torch.equal(back, t)


def test_views_and_subclasses_cross_as_plain_contiguous_tensors():
    class Liar(torch.Tensor):
        def __eq__(self, other):  # noqa: D105
            return True

    base = torch.arange(12.0).reshape(3, 4)
    back = roundtrip([base.t(), base.as_subclass(Liar)])
    assert type(back[1]) is torch.Tensor and back[0].is_contiguous()
    assert torch.equal(back[0], base.t())


def test_requires_grad_flag_travels_for_float_tensors_only():
    back = roundtrip([torch.ones(2, requires_grad=True), torch.ones(2)])
    assert back[0].requires_grad and not back[1].requires_grad


def test_oversized_blob_is_refused_before_it_is_read():
    data = protocol.encode_message({"id": 1}, {"value": torch.zeros(1000)})
    reads = []

    def read(n):
        reads.append(n)
        return io.BytesIO(data).read(n) if len(reads) == 1 else b"x" * n

    with pytest.raises(protocol.TooLarge, match="cap"):
        protocol.read_frame(read, max_blob=100)
    assert reads == [protocol.HEADER.size], "nothing past the header may be read"


def test_oversized_json_is_refused():
    header = protocol.HEADER.pack(protocol.MAX_JSON_BYTES + 1, 0)
    with pytest.raises(protocol.TooLarge):
        protocol.read_frame(io.BytesIO(header).read)


class Boom:
    def __reduce__(self):
        return (exec, ("raise SystemExit('unpickled!')",))


@pytest.mark.parametrize("body", [b"not json", pickle.dumps(Boom()), b"[1, 2]", b'{"value": {"__nope__": 1}}'])
def test_malformed_frames_are_protocol_errors(body):
    frame = protocol.HEADER.pack(len(body), 0) + body
    with pytest.raises(protocol.ProtocolError):
        message, tensors = protocol.read_frame(io.BytesIO(frame).read)
        protocol.Decoder(tensors).decode(message["value"])


def test_pickle_bytes_as_tensor_blob_are_refused():
    body = json.dumps({"value": {"__tensor__": "t0"}}).encode()
    blob = pickle.dumps(Boom())
    frame = protocol.HEADER.pack(len(body), len(blob)) + body + blob
    with pytest.raises(protocol.ProtocolError, match="malformed tensor data"):
        protocol.read_frame(io.BytesIO(frame).read)


def test_reference_to_missing_tensor_and_deep_nesting_are_refused():
    with pytest.raises(protocol.ProtocolError, match="missing tensor"):
        protocol.Decoder({}).decode({"__tensor__": "t9"})
    deep = current = []
    for _ in range(protocol.MAX_DEPTH + 5):
        current.append([])
        current = current[0]
    with pytest.raises(protocol.ProtocolError, match="nested"):
        protocol.Decoder({}).decode(deep)


def test_unsendable_values_are_refused_without_a_handle_maker():
    with pytest.raises(protocol.ProtocolError, match="cannot send"):
        protocol.Encoder().encode(object())
    with pytest.raises(protocol.ProtocolError, match="string keys"):
        protocol.Encoder().encode({1: 2})


def test_zero_dimensional_arrays_stay_zero_dimensional():
    back = roundtrip([np.asarray(3.5), np.int64(4)])
    assert back[0].shape == () and back[1] == 4
