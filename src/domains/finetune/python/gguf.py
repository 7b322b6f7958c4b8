"""GGUF v3 reader and writer (standard library + numpy).

Why our own: the trainer reads a llama GGUF's weights and vocab to fine-tune it, and export writes the
fine-tuned weights back as a GGUF that llama.cpp (node-llama-cpp) loads. Layout (ggml docs/gguf.md):
magic "GGUF", u32 version, u64 tensor count, u64 KV count; KV = string key, u32 type, value (arrays: u32
element type, u64 length, elements); tensor info = string name, u32 n_dims, u64 dims (ne[0] = the fastest
varying one, so a torch (rows, cols) weight has dims [cols, rows]), u32 ggml type, u64 offset from the data
section, which starts at the next multiple of `general.alignment` (default 32) after the header.
Metadata values keep their GGUF type, so read → write reproduces the file byte for byte.
"""
import struct
from collections import OrderedDict

import numpy as np

from errors import FinetuneError

MAGIC = b"GGUF"
DEFAULT_ALIGNMENT = 32

# metadata value types
UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64 = range(13)
_SCALAR = {UINT8: "<B", INT8: "<b", UINT16: "<H", INT16: "<h", UINT32: "<I", INT32: "<i", FLOAT32: "<f",
           BOOL: "<?", UINT64: "<Q", INT64: "<q", FLOAT64: "<d"}
_NP_SCALAR = {UINT8: "<u1", INT8: "<i1", UINT16: "<u2", INT16: "<i2", UINT32: "<u4", INT32: "<i4",
              FLOAT32: "<f4", BOOL: "?", UINT64: "<u8", INT64: "<i8", FLOAT64: "<f8"}

# ggml tensor types we can read (others get a clear error naming the type)
GGML_F32, GGML_F16 = 0, 1
_GGML_NAMES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 9: "Q8_1", 10: "Q2_K",
               11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K", 16: "IQ2_XXS", 17: "IQ2_XS",
               18: "IQ3_XXS", 19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS", 24: "I8",
               25: "I16", 26: "I32", 27: "I64", 28: "F64", 29: "IQ1_M", 30: "BF16"}
_NP_TENSOR = {GGML_F32: np.float32, GGML_F16: np.float16}


def ggml_type_name(t):
    return _GGML_NAMES.get(t, "type %d" % t)


class TensorInfo:
    def __init__(self, name, dims, ggml_type, offset):
        self.name, self.dims, self.ggml_type, self.offset = name, list(dims), ggml_type, offset

    @property
    def shape(self):
        """The numpy/torch shape (row-major): GGUF dims reversed."""
        return tuple(reversed(self.dims))


class GgufFile:
    """A parsed GGUF: `kv` maps key → (type, value) (arrays: (ARRAY, (elem_type, list))), `tensors` in file order."""

    def __init__(self, path, version, kv, tensors, data_start):
        self.path, self.version, self.kv, self.tensors, self.data_start = path, version, kv, tensors, data_start

    def get(self, key, default=None):
        item = self.kv.get(key)
        if item is None:
            return default
        t, v = item
        return list(v[1]) if t == ARRAY else v

    def tensor(self, name):
        """The tensor's data as a float32 numpy array of shape `info.shape` (F16 widened)."""
        info = next((t for t in self.tensors if t.name == name), None)
        if info is None:
            raise KeyError(name)
        if info.ggml_type not in _NP_TENSOR:
            raise FinetuneError("FINETUNE_UNSUPPORTED_TENSOR_TYPE",
                                "tensor %s in %s is %s; the trainer reads F32 and F16 tensors only"
                                % (info.name, self.path, ggml_type_name(info.ggml_type)),
                                field="base.path", fix="Use an F32 or F16 GGUF (convert without quantization).")
        count = int(np.prod(info.dims)) if info.dims else 1
        arr = np.fromfile(self.path, dtype=_NP_TENSOR[info.ggml_type], count=count,
                          offset=self.data_start + info.offset)
        return arr.astype(np.float32).reshape(info.shape)


class _Reader:
    def __init__(self, f, path):
        self.f, self.path = f, path

    def take(self, n):
        b = self.f.read(n)
        if len(b) != n:
            raise FinetuneError("FINETUNE_BAD_MODEL", "%s is truncated (a GGUF header field runs past the end)"
                                % self.path, field="base.path", fix="Re-download or re-convert the GGUF file.")
        return b

    def scalar(self, t):
        fmt = _SCALAR[t]
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self):
        n = self.scalar(UINT64)
        return self.take(n).decode("utf-8", errors="surrogateescape")

    def value(self, t):
        if t == STRING:
            return self.string()
        if t == ARRAY:
            et, n = self.scalar(UINT32), self.scalar(UINT64)
            if et in _NP_SCALAR:
                size = np.dtype(_NP_SCALAR[et]).itemsize
                return (et, np.frombuffer(self.take(size * n), dtype=_NP_SCALAR[et]).tolist())
            return (et, [self.value(et) for _ in range(n)])
        if t in _SCALAR:
            return self.scalar(t)
        raise FinetuneError("FINETUNE_BAD_MODEL", "%s has an unknown GGUF metadata type %d" % (self.path, t),
                            field="base.path", fix="Use a GGUF v2/v3 file written by llama.cpp's tools.")


def read_gguf(path):
    """Parses the header of a GGUF file (tensor data is read lazily by GgufFile.tensor)."""
    with open(path, "rb") as f:
        r = _Reader(f, path)
        if r.take(4) != MAGIC:
            raise FinetuneError("FINETUNE_BAD_MODEL", "%s is not a GGUF file (no GGUF magic)" % path,
                                field="base.path", fix='Give a .gguf file, or a llama2.c .bin with format "llama2c".')
        version = r.scalar(UINT32)
        if version not in (2, 3):
            raise FinetuneError("FINETUNE_BAD_MODEL", "%s is GGUF version %d; versions 2 and 3 are read" % (path, version),
                                field="base.path", fix="Re-convert the model with a current llama.cpp.")
        n_tensors, n_kv = r.scalar(UINT64), r.scalar(UINT64)
        kv = OrderedDict()
        for _ in range(n_kv):
            key = r.string()
            t = r.scalar(UINT32)
            kv[key] = (t, r.value(t))
        tensors = []
        for _ in range(n_tensors):
            name = r.string()
            nd = r.scalar(UINT32)
            dims = [r.scalar(UINT64) for _ in range(nd)]
            tensors.append(TensorInfo(name, dims, r.scalar(UINT32), r.scalar(UINT64)))
        align = kv.get("general.alignment", (UINT32, DEFAULT_ALIGNMENT))[1]
        pos = f.tell()
        data_start = (pos + align - 1) // align * align
    return GgufFile(path, version, kv, tensors, data_start)


def _pack_value(t, v):
    if t == STRING:
        b = v.encode("utf-8", errors="surrogateescape")
        return struct.pack("<Q", len(b)) + b
    if t == ARRAY:
        et, items = v
        head = struct.pack("<IQ", et, len(items))
        if et in _NP_SCALAR:
            return head + np.asarray(items, dtype=_NP_SCALAR[et]).tobytes()
        return head + b"".join(_pack_value(et, x) for x in items)
    return struct.pack(_SCALAR[t], v)


def write_gguf(path, kv, tensors, alignment=None):
    """Writes a GGUF v3 file. `kv`: key → (type, value) in order; `tensors`: list of (name, numpy array) written
    as F32 (or F16 when the array is float16), or (name, raw bytes, GGUF dims, ggml type). The caller renames a temp path into place for atomicity."""
    align = alignment or kv.get("general.alignment", (UINT32, DEFAULT_ALIGNMENT))[1]
    infos, blobs, offset = [], [], 0
    for item in tensors:
        if len(item) == 4:  # (name, raw bytes, GGUF dims, ggml type): copied as is (e.g. a quantized tensor)
            name, data, dims, gt = item
        else:
            name, arr = item
            arr = np.ascontiguousarray(arr)
            gt = GGML_F16 if arr.dtype == np.float16 else GGML_F32
            data = arr.astype(np.float16 if gt == GGML_F16 else np.float32).tobytes()
            dims = list(reversed(arr.shape))
        nb = name.encode("utf-8")
        infos.append(struct.pack("<Q", len(nb)) + nb + struct.pack("<I", len(dims))
                     + b"".join(struct.pack("<Q", d) for d in dims) + struct.pack("<IQ", gt, offset))
        blobs.append(data)
        offset += (len(data) + align - 1) // align * align
    with open(path, "wb") as f:
        f.write(MAGIC + struct.pack("<IQQ", 3, len(tensors), len(kv)))
        for key, (t, v) in kv.items():
            kb = key.encode("utf-8")
            f.write(struct.pack("<Q", len(kb)) + kb + struct.pack("<I", t) + _pack_value(t, v))
        for info in infos:
            f.write(info)
        f.write(b"\0" * (-f.tell() % align))
        for data in blobs:
            f.write(data)
            f.write(b"\0" * (-len(data) % align))
