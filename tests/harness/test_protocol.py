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


def frame_of(body: bytes, blob: bytes = b"") -> bytes:
    return protocol.HEADER.pack(len(body), len(blob)) + body + blob


def read_value(frame: bytes):
    message, tensors = protocol.read_frame(io.BytesIO(frame).read)
    return protocol.Decoder(tensors).decode(message.get("value"))


@pytest.mark.parametrize("depth", [protocol.MAX_DEPTH + 20, 100_000, 1_000_000])
def test_deeply_nested_json_is_a_protocol_error_never_a_recursion_error(depth):
    body = b'{"value":' + b"[" * depth + b"]" * depth + b"}"
    with pytest.raises(protocol.ProtocolError, match="nested"):
        read_value(frame_of(body))


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = "[" * 5000 + '\\"{'
    body = json.dumps({"value": text}).encode()
    assert read_value(frame_of(body)) == text


@pytest.mark.parametrize("literal", [b"1" * 400, b"-" + b"9" * 5000, b"12345678901234567", b"1e400", b"-1e999",
                                     b"NaN", b"Infinity", b"-Infinity", b"0." + b"1" * 100])
def test_huge_or_non_finite_number_literals_are_refused(literal):
    with pytest.raises(protocol.ProtocolError):
        read_value(frame_of(b'{"value":' + literal + b"}"))


@pytest.mark.parametrize("text", ["9" * 401, "1e5", " 12", "12\n", 12])
def test_tagged_ints_are_decimal_and_capped(text):
    with pytest.raises(protocol.ProtocolError):
        protocol.Decoder({}).decode({"__int__": text})
    assert protocol.Decoder({}).decode({"__int__": "-" + "9" * 400}) == -int("9" * 400)


def test_an_int_too_large_to_send_is_refused_by_the_encoder():
    with pytest.raises(protocol.ProtocolError, match="too large"):
        protocol.Encoder().encode(10**5000)  # str() of it alone would raise ValueError
    assert roundtrip(10**399) == 10**399


@pytest.mark.parametrize("value", [{"__handle__": "1"}, {"__handle__": 1.5}, {"__handle__": True},
                                   {"__handle__": -3}, {"__device__": "garbage"}, {"__device__": ["cpu"]},
                                   {"__dict__": []}, {"__tuple__": {"a": 1}}, {"__dtype__": ["x"]},
                                   {"__ndarray__": "t0"}, {"__tensor__": ["t0"]}, {"__float__": 1.0}])
def test_every_malformed_tag_is_a_protocol_error(value):
    tensors = {"t0": torch.zeros(2, dtype=torch.bfloat16)}  # bfloat16 has no numpy dtype: .numpy() raises
    with pytest.raises(protocol.ProtocolError):
        protocol.Decoder(tensors).decode(value)
