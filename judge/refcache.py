"""Expected values computed once: a cache in front of a challenge's reference module.

Tests call ``ref.fn(inputs)`` to get expected values. In batch mode and in the
server every submission of a batch sees the same hidden inputs, so the same
reference calls repeat; this wrapper answers repeats from memory. The key is
the challenge, its version, the function and a digest of the arguments'
contents (dtype, shape and bytes of every tensor), so a hit is exactly the same
computation. Calls are not cached when an argument could make the result
depend on more than its value (a tensor that requires grad, a generator, any
object the digest does not know), and a hit returns fresh copies, so a test
that edits its expected tensor cannot spoil the cache. Results may be tensors,
arrays, scalars, lists, tuples, dicts, and dataclasses of the reference module
holding these (a record of a run, like kmeans' ``lloyd``): a dataclass is kept
as a tagged dict of its fields and rebuilt from the reference module's own
class on a hit, so it can be shared like any other result.

The judge processes of a parallel batch also share what they computed through
a private folder (``ResultCache.use_folder``): each result is written there in the
wire format (JSON and safetensors, never pickle) when it reads back exactly as
it was, so the second job does not recompute what the first one did. Every file
carries an HMAC under a key only the batch's judge processes hold: a worker
that can reach the folder (the process sandbox run without root keeps the
judge's uid) cannot plant an expected value there.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import io
import os
import struct
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from harness import leaves, map_leaves, protocol

MAX_BYTES = 256 << 20
_TAG = 32  # bytes of HMAC-SHA256 in front of every shared file
RECORD = "__mlj_record__"  # the key that marks a dataclass kept as a dict of its fields


class _Uncacheable(Exception):
    pass


def _feed(h: Any, value: Any) -> None:
    if isinstance(value, torch.Tensor):
        if value.requires_grad or value.is_sparse or value.device.type != "cpu":
            raise _Uncacheable
        h.update(f"T{value.dtype}{tuple(value.shape)}".encode())
        h.update(_bytes_of(value).numpy().tobytes() if value.numel() else b"")
    elif isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise _Uncacheable
        h.update(f"A{value.dtype}{value.shape}".encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif value is None or isinstance(value, (bool, int, float, str, torch.dtype)):
        h.update(f"S{type(value).__name__}:{value!r}".encode())
    elif isinstance(value, (list, tuple)):
        h.update(f"L{type(value).__name__}{len(value)}".encode())
        for item in value:
            _feed(h, item)
    elif isinstance(value, dict):
        h.update(f"D{len(value)}".encode())
        for key in sorted(value, key=repr):
            _feed(h, key)
            _feed(h, value[key])
    else:
        raise _Uncacheable


def _copy(value: Any) -> Any:
    return map_leaves(lambda v: v.clone() if isinstance(v, torch.Tensor) else v.copy() if isinstance(v, np.ndarray)
                      else v, value)


def _size(value: Any) -> int:
    def one(v: Any) -> int:
        if isinstance(v, torch.Tensor):
            return v.element_size() * v.numel()
        return v.nbytes if isinstance(v, np.ndarray) else 64

    return sum(one(v) for v in leaves(value))


def _bytes_of(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.detach().reshape(-1).contiguous().view(torch.uint8)


def _digest(value: Any) -> bytes | None:
    """What the cache key is made of, for a value: equal digests mean the same types and contents."""
    h = hashlib.blake2b(digest_size=20)
    try:
        _feed(h, value)
    except _Uncacheable:
        return None
    return h.digest()


def _dump(value: Any) -> bytes | None:
    """The value in the wire format, or None if it would not read back exactly."""
    try:
        data = protocol.encode_message({}, {"value": value})
        if _digest(_load(data)) == _digest(value) is not None:  # reads back exactly as it was
            return data
    except (protocol.ProtocolError, ValueError, TypeError, RuntimeError):
        pass
    return None


def _load(data: bytes) -> Any:
    message, tensors = protocol.read_frame(io.BytesIO(data).read, max_blob=MAX_BYTES)
    return protocol.Decoder(tensors).decode(message["value"])


class ResultCache:
    """A process-wide LRU of reference results, bounded in bytes."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[bytes, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0
        self.folder: Path | None = None
        self._key = b""

    def use_folder(self, folder: Path, key: bytes) -> None:
        """Also keep results in ``folder`` (private to one batch) and look there on a miss; every
        file is signed with ``key`` (the batch's secret) and one without a valid signature is a miss."""
        self.folder = folder
        self._key = key

    def _sign(self, data: bytes) -> bytes:
        return hmac.new(self._key, data, hashlib.sha256).digest()

    def get(self, key: bytes) -> tuple[bool, Any]:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return True, _copy(self._items[key][0])
        if self.folder is not None:
            try:
                signed = (self.folder / key.hex()).read_bytes()
                tag, data = signed[:_TAG], signed[_TAG:]
                if not hmac.compare_digest(tag, self._sign(data)):
                    raise ValueError("not signed by this batch")
                value = _load(data)
            except (OSError, protocol.ProtocolError, ValueError, KeyError, TypeError, struct.error):
                pass  # not there (or not whole): compute it
            else:
                self._remember(key, value)
                with self._lock:
                    self.hits += 1
                return True, value
        with self._lock:
            self.misses += 1
        return False, None

    def put(self, key: bytes, value: Any) -> None:
        if _size(value) > self.max_bytes // 4:
            return
        self._remember(key, value)
        if self.folder is not None and not (self.folder / key.hex()).exists():
            data = _dump(value)
            if data is not None:
                partial = self.folder / f".{key.hex()}.{os.getpid()}"
                with contextlib.suppress(OSError):
                    partial.write_bytes(self._sign(data) + data)
                    os.replace(partial, self.folder / key.hex())  # whole or not at all

    def _remember(self, key: bytes, value: Any) -> None:
        size = _size(value)
        with self._lock:
            if key in self._items:
                self._bytes -= self._items.pop(key)[1]
            self._items[key] = (_copy(value), size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped


CACHE = ResultCache()


def _record_class(module: Any, qualname: str) -> Any:
    """The class the reference module holds under ``qualname`` (None if there is none)."""
    found: Any = module
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return found


def _to_plain(value: Any, module: Any) -> Any:
    """``value`` with every dataclass instance replaced by a tagged dict of its fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__qualname__
        if _record_class(module, name) is not type(value) or not all(f.init for f in dataclasses.fields(value)):
            raise _Uncacheable  # not the reference module's own class, or not rebuildable from its fields
        return {RECORD: name, **{f.name: _to_plain(getattr(value, f.name), module) for f in dataclasses.fields(value)}}
    if isinstance(value, list):
        return [_to_plain(v, module) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_to_plain(v, module) for v in value)
    if isinstance(value, dict):
        if RECORD in value:
            raise _Uncacheable
        return {k: _to_plain(v, module) for k, v in value.items()}
    return value


def _from_plain(value: Any, module: Any) -> Any:
    """The inverse of ``_to_plain``: records rebuilt from the dataclasses the reference module defines."""
    if isinstance(value, dict):
        fields = {k: _from_plain(v, module) for k, v in value.items() if k != RECORD}
        if RECORD not in value:
            return fields
        cls = _record_class(module, str(value[RECORD]))
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise TypeError(f"{value[RECORD]!r} is not a dataclass of the reference module")
        return cls(**fields)
    if isinstance(value, list):
        return [_from_plain(v, module) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_from_plain(v, module) for v in value)
    return value


class CachedReference:
    """Looks like the reference module; its functions answer repeats from ``CACHE``."""

    def __init__(self, module: Any, namespace: str, cache: ResultCache = CACHE) -> None:
        self._module = module
        self._namespace = namespace
        self._cache = cache

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._module, name)
        if not callable(target) or isinstance(target, type):
            return target

        def cached(*args: Any, **kwargs: Any) -> Any:
            h = hashlib.blake2b(f"{self._namespace}:{name}:{torch.is_grad_enabled()}".encode(), digest_size=20)
            try:
                _feed(h, args)
                _feed(h, kwargs)
            except _Uncacheable:
                return target(*args, **kwargs)
            key = h.digest()
            found, value = self._cache.get(key)
            if found:
                try:
                    return _from_plain(value, self._module)
                except Exception:  # noqa: BLE001 - a record that will not rebuild (say, its __post_init__): compute
                    pass
            value = target(*args, **kwargs)
            try:
                plain = _to_plain(value, self._module)
            except _Uncacheable:
                return value
            if _digest(plain) is not None:  # only plain values are kept
                self._cache.put(key, plain)
            return value

        return cached
