"""The wire between the trusted side and the worker.

A message is a frame: an 8-byte header (two big-endian uint32: the length of
a JSON document and the length of a safetensors blob), the JSON document,
then the blob. Values are encoded as JSON with tagged objects for what JSON
cannot hold; tensors and arrays travel in the safetensors blob. Nothing is
ever pickled, and both lengths are checked against caps before anything is
read, so a hostile worker cannot make the trusted side allocate without end.

This module is imported on both sides and must only need the standard
library, numpy, torch and safetensors.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

HEADER = struct.Struct(">II")
MAX_JSON_BYTES = 8 << 20
DEFAULT_MAX_BLOB_BYTES = 256 << 20
MAX_DEPTH = 64
MAX_ITEMS = 100_000
#: the largest plain JSON int either side writes; larger ones travel as tagged decimal strings
MAX_PLAIN_INT = 2**53
#: an int of more decimal digits than this is refused (as ``int()`` of a huge string is quadratic)
MAX_INT_DIGITS = 400
_MAX_INT_BITS = 1329  # 2**1329 > 10**400: an int with more bits has more than MAX_INT_DIGITS digits


class ProtocolError(Exception):
    """A frame or value that breaks the protocol (malformed, too deep, unknown tag)."""


class TooLarge(ProtocolError):
    """A frame over the size caps."""


class Handle:
    """A reference to an object that lives in the worker (a module, a loader)."""

    __slots__ = ("id",)

    def __init__(self, id: int) -> None:
        self.id = int(id)

    def __repr__(self) -> str:
        return f"<worker object #{self.id}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Handle) and other.id == self.id

    def __hash__(self) -> int:
        return hash(("handle", self.id))


_DTYPES = {str(d).removeprefix("torch."): d for d in (
    torch.float64, torch.float32, torch.float16, torch.bfloat16,
    torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool,
)}


class Encoder:
    """Turns a value into JSON-able structure plus a dict of tensors."""

    def __init__(self, make_handle: Callable[[Any], int] | None = None) -> None:
        self.tensors: dict[str, torch.Tensor] = {}
        self.make_handle = make_handle
        self._items = 0

    def encode(self, value: Any, depth: int = 0) -> Any:
        self._items += 1
        if depth > MAX_DEPTH or self._items > MAX_ITEMS:
            raise ProtocolError("value is nested too deeply or has too many items")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            if value.bit_length() > _MAX_INT_BITS:
                raise ProtocolError(f"an int of {value.bit_length()} bits is too large to send "
                                    f"(at most {MAX_INT_DIGITS} digits)")
            return {"__int__": str(value)} if abs(value) >= MAX_PLAIN_INT else value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"__float__": repr(value)}
        if isinstance(value, torch.Tensor):
            return {"__tensor__": self._add(value), "requires_grad": bool(value.requires_grad)}
        if isinstance(value, np.ndarray):
            return {"__ndarray__": self._add(_numpy_to_torch(value))}
        if isinstance(value, np.generic):
            return {"__ndarray__": self._add(_numpy_to_torch(np.asarray(value))), "scalar": True}
        if isinstance(value, torch.dtype):
            return {"__dtype__": str(value).removeprefix("torch.")}
        if isinstance(value, torch.device):
            return {"__device__": str(value)}
        if isinstance(value, Handle):
            return {"__handle__": value.id}
        if isinstance(value, tuple):
            return {"__tuple__": [self.encode(v, depth + 1) for v in value]}
        if isinstance(value, list):
            return [self.encode(v, depth + 1) for v in value]
        if isinstance(value, dict):
            if not all(isinstance(k, str) for k in value):
                raise ProtocolError("only dicts with string keys can be sent")
            return {"__dict__": {k: self.encode(v, depth + 1) for k, v in value.items()}}
        if self.make_handle is not None:
            return {"__handle__": self.make_handle(value)}
        raise ProtocolError(f"cannot send a value of type {type(value).__name__}")

    def _add(self, tensor: torch.Tensor) -> str:
        name = f"t{len(self.tensors)}"
        # A plain, contiguous CPU copy: subclasses, views and devices do not cross.
        with torch._C.DisableTorchFunctionSubclass():
            plain = torch.Tensor.detach(tensor).to("cpu").contiguous().clone()
        self.tensors[name] = torch.Tensor.as_subclass(plain, torch.Tensor)
        return name


def _numpy_to_torch(array: np.ndarray) -> torch.Tensor:
    if array.dtype.kind not in "biuf" or array.dtype.byteorder == ">":
        raise ProtocolError(f"cannot send a numpy array of dtype {array.dtype}")
    return torch.from_numpy(np.ascontiguousarray(array).reshape(array.shape))  # 0-d stays 0-d


class Decoder:
    """The inverse of ``Encoder``; strict about every tag and type."""

    def __init__(self, tensors: dict[str, torch.Tensor],
                 resolve_handle: Callable[[int], Any] | None = None) -> None:
        self.tensors = tensors
        self.resolve_handle = resolve_handle or Handle
        self._items = 0

    def decode(self, value: Any, depth: int = 0) -> Any:
        """The value ``value`` stands for; anything malformed (whatever it trips over) is a ProtocolError."""
        try:
            return self._decode(value, depth)
        except ProtocolError:
            raise
        except (RecursionError, MemoryError):
            raise ProtocolError("value is nested too deeply or too large") from None
        except Exception as exc:  # noqa: BLE001 - a hostile frame can trip any conversion below
            raise ProtocolError(f"malformed value ({type(exc).__name__}: {str(exc)[:200]})") from None

    def _decode(self, value: Any, depth: int = 0) -> Any:
        self._items += 1
        if depth > MAX_DEPTH or self._items > MAX_ITEMS:
            raise ProtocolError("value is nested too deeply or has too many items")
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            if abs(value) > MAX_PLAIN_INT:
                raise ProtocolError("an untagged int out of range")
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ProtocolError("an untagged non-finite float")
            return value
        if isinstance(value, list):
            return [self._decode(v, depth + 1) for v in value]
        if not isinstance(value, dict) or len(value) == 0:
            raise ProtocolError(f"unexpected value {type(value).__name__}")
        if "__tensor__" in value:
            tensor = self._tensor(value["__tensor__"])
            return tensor.requires_grad_(True) if value.get("requires_grad") is True and (
                tensor.is_floating_point()) else tensor
        if "__ndarray__" in value:
            array = self._tensor(value["__ndarray__"]).numpy()
            return array[()] if value.get("scalar") is True else array
        if "__tuple__" in value:
            return tuple(self._decode(v, depth + 1) for v in _list(value["__tuple__"]))
        if "__dict__" in value:
            items = value["__dict__"]
            if not isinstance(items, dict):
                raise ProtocolError("malformed dict")
            return {str(k): self._decode(v, depth + 1) for k, v in items.items()}
        if "__float__" in value:
            text = value["__float__"]
            if text not in ("nan", "inf", "-inf"):
                raise ProtocolError("malformed float")
            return float(text)
        if "__int__" in value:
            text = value["__int__"]
            if not isinstance(text, str) or not _INT_TEXT.fullmatch(text):
                raise ProtocolError(f"malformed or oversized int (at most {MAX_INT_DIGITS} digits)")
            return int(text)
        if "__dtype__" in value:
            try:
                return _DTYPES[value["__dtype__"]]
            except (KeyError, TypeError):
                raise ProtocolError("unknown dtype") from None
        if "__device__" in value:
            text = value["__device__"]
            if not isinstance(text, str) or not _DEVICE_TEXT.fullmatch(text):
                raise ProtocolError("malformed device")
            return torch.device(text)
        if "__handle__" in value:
            hid = value["__handle__"]
            if not isinstance(hid, int) or isinstance(hid, bool) or not 0 < hid < MAX_PLAIN_INT:
                raise ProtocolError("malformed handle")
            return self.resolve_handle(hid)
        raise ProtocolError(f"unknown tag in {sorted(value)[:3]}")

    def _tensor(self, name: Any) -> torch.Tensor:
        try:
            return self.tensors[name]
        except (KeyError, TypeError):
            raise ProtocolError(f"reference to a missing tensor {name!r}") from None


_INT_TEXT = re.compile(rf"-?[0-9]{{1,{MAX_INT_DIGITS}}}")
_DEVICE_TEXT = re.compile(r"(cpu|cuda|mps|meta)(:[0-9]{1,3})?")


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise ProtocolError("malformed tuple")
    return value


def pack(message: dict[str, Any], tensors: dict[str, torch.Tensor] | None = None) -> bytes:
    """One frame from a JSON-able message and its tensors."""
    body = json.dumps(message, allow_nan=False, separators=(",", ":")).encode()
    blob = st_save(tensors) if tensors else b""
    return HEADER.pack(len(body), len(blob)) + body + blob


def read_frame(read_exact: Callable[[int], bytes], *,
               max_blob: int = DEFAULT_MAX_BLOB_BYTES) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Read one frame with ``read_exact(n)``; raise TooLarge before reading an oversized one."""
    body_len, blob_len = HEADER.unpack(read_exact(HEADER.size))
    if body_len > MAX_JSON_BYTES:
        raise TooLarge(f"a message of {body_len} bytes (the cap is {MAX_JSON_BYTES})")
    if blob_len > max_blob:
        raise TooLarge(f"tensors of {blob_len} bytes in all (the cap is {max_blob})")
    message = parse_json(read_exact(body_len))
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a JSON object")
    tensors: dict[str, torch.Tensor] = {}
    if blob_len:
        blob = read_exact(blob_len)
        try:
            tensors = st_load(blob)
        except Exception as exc:  # safetensors raises its own error types
            raise ProtocolError(f"malformed tensor data: {exc}") from None
    return message, tensors


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def json_depth(body: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest, found without recursion."""
    skeleton = np.frombuffer(_STRING.sub(b"", body), dtype=np.uint8)
    if skeleton.size == 0:
        return 0
    steps = (np.isin(skeleton, (ord("["), ord("{"))).astype(np.int64)
             - np.isin(skeleton, (ord("]"), ord("}"))).astype(np.int64))
    return int(np.cumsum(steps).max())


def _refuse_constant(name: str) -> Any:
    raise ProtocolError(f"a bare {name} in a message (non-finite floats travel tagged)")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > 16:  # the writers tag every int of 2**53 and beyond
        raise ProtocolError("an untagged int of more than 16 digits")
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > 40:
        raise ProtocolError("a float literal of more than 40 characters")
    value = float(text)
    if not math.isfinite(value):
        raise ProtocolError(f"a float literal out of range ({text})")
    return value


def parse_json(body: bytes) -> Any:
    """A message's JSON text parsed under caps: nesting depth (checked before the recursive parser
    runs), int and float literals (no 400-digit ints, no 1e999 read as inf, no bare NaN)."""
    if json_depth(body) > MAX_DEPTH + 8:  # the frame's own envelope adds a few levels to a value's
        raise ProtocolError(f"a message nested more than {MAX_DEPTH + 8} levels deep")
    try:
        return json.loads(body, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_refuse_constant)
    except ProtocolError:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"malformed message: {str(exc)[:200]}") from None
    except RecursionError:
        raise ProtocolError("a message nested too deeply") from None


def encode_message(message: dict[str, Any], values: dict[str, Any],
                   make_handle: Callable[[Any], int] | None = None) -> bytes:
    """Pack ``message`` with each entry of ``values`` encoded into it."""
    encoder = Encoder(make_handle)
    full = dict(message)
    for key, value in values.items():
        full[key] = encoder.encode(value)
    return pack(full, encoder.tensors)
