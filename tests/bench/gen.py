"""Deterministic inputs for the benchmark (tests/bench/run.py).

Every file is written here from a fixed description; nothing is random
except tensor bytes, which come from a seeded generator. Headers are
written the way the reference writer lays them out: metadata first, then
the tensors in data order, compact JSON, raw UTF-8, padded with spaces to
a multiple of 8.

Tensor data comes in three kinds:
  "sparse"  the data section is a hole (ftruncate): the header is real,
            the data reads as zeros and takes no disk space. Header-only
            benchmarks never touch it (both implementations map the file).
  "zeros"   the same hole, for files small enough to be read whole.
  "random"  seeded random bytes, written out (load and write benchmarks).
"""

import json
import os
import random
import struct

import numpy as np

DTYPE_BITS = {
    "BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "U8": 8, "I8": 8,
    "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "F8_E4M3FNUZ": 8,
    "F8_E5M2FNUZ": 8, "I16": 16, "U16": 16, "F16": 16, "BF16": 16, "I32": 32,
    "U32": 32, "F32": 32, "C64": 64, "F64": 64, "I64": 64, "U64": 64,
}


# Declaration order of the dtypes (ST-DTYPE-1): the reference writer's key.
DTYPE_ORDER = list(DTYPE_BITS)


def writer_order(tensors):
    """The order in which the reference writer lays tensors out: dtype
    descending in declaration order, then name byte order."""
    return sorted(tensors, key=lambda t: (-DTYPE_ORDER.index(t[1]),
                                          t[0].encode("utf-8")))


def shuffled(tensors, seed=1):
    """A fixed permutation: entries in no particular order (headers written
    by other tools)."""
    out = list(tensors)
    random.Random(seed).shuffle(out)
    return out


def nbytes(dtype, shape):
    n = 1
    for d in shape:
        n *= d
    return n * DTYPE_BITS[dtype] // 8


def write_file(path, tensors, metadata=None, data="sparse", seed=0):
    """Write a safetensors file. `tensors`: list of (name, dtype, shape) in
    data order. Returns (header_len, data_len)."""
    parts = []
    if metadata is not None:
        parts.append('"__metadata__":' + json.dumps(
            metadata, ensure_ascii=False, separators=(",", ":")))
    off = 0
    for name, dtype, shape in tensors:
        size = nbytes(dtype, shape)
        parts.append('%s:{"dtype":"%s","shape":[%s],"data_offsets":[%d,%d]}' % (
            json.dumps(name, ensure_ascii=False), dtype,
            ",".join(str(d) for d in shape), off, off + size))
        off += size
    header = ("{" + ",".join(parts) + "}").encode("utf-8")
    header += b" " * (-len(header) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(header)))
        f.write(header)
        if data == "random":
            rng = np.random.default_rng(seed)
            left = off
            while left > 0:
                n = min(left, 64 << 20)
                f.write(rng.bytes(n))
                left -= n
        else:
            f.truncate(8 + len(header) + off)
    os.replace(tmp, path)
    return len(header), off


# -- LLaMA-2-70B-like (hidden 8192, intermediate 28672, 80 layers, 8 KV heads,
#    vocabulary 32000, BF16) -----------------------------------------------

def llama70b_tensors(layers=range(80), embed=True, head=True):
    h, inter, kv, vocab = 8192, 28672, 1024, 32000
    out = []
    if embed:
        out.append(("model.embed_tokens.weight", "BF16", [vocab, h]))
    for i in layers:
        p = "model.layers.%d." % i
        out += [
            (p + "input_layernorm.weight", "BF16", [h]),
            (p + "mlp.down_proj.weight", "BF16", [h, inter]),
            (p + "mlp.gate_proj.weight", "BF16", [inter, h]),
            (p + "mlp.up_proj.weight", "BF16", [inter, h]),
            (p + "post_attention_layernorm.weight", "BF16", [h]),
            (p + "self_attn.k_proj.weight", "BF16", [kv, h]),
            (p + "self_attn.o_proj.weight", "BF16", [h, h]),
            (p + "self_attn.q_proj.weight", "BF16", [h, h]),
            (p + "self_attn.v_proj.weight", "BF16", [kv, h]),
        ]
    if head:
        out.append(("lm_head.weight", "BF16", [vocab, h]))
        out.append(("model.norm.weight", "BF16", [h]))
    return out


# -- MoE, DeepSeek-V3-like (256 routed experts, FP8 weights with F32 block
#    scales), cut at `count` tensors ------------------------------------

def _scale(shape):
    return [-(-d // 128) for d in shape]


def moe_tensors(count=100000, experts=256, shrink=1):
    """The first `count` tensors of a DeepSeek-V3-like model with as many
    layers as that takes (1,558 tensors a layer). shrink > 1 divides every
    dimension (rounding up): same names, same count, small data."""
    layers = -(-count // 1558) + 1
    def s(shape):
        return [-(-d // shrink) for d in shape]

    out = [("model.embed_tokens.weight", "BF16", s([129280, 7168]))]
    for i in range(layers):
        p = "model.layers.%d." % i
        def fp8(name, shape):
            out.append((p + name + ".weight", "F8_E4M3", s(shape)))
            out.append((p + name + ".weight_scale_inv", "F32", s(_scale(shape))))
        out.append((p + "input_layernorm.weight", "BF16", s([7168])))
        fp8("self_attn.q_a_proj", [1536, 7168])
        out.append((p + "self_attn.q_a_layernorm.weight", "BF16", s([1536])))
        fp8("self_attn.q_b_proj", [24576, 1536])
        fp8("self_attn.kv_a_proj_with_mqa", [576, 7168])
        out.append((p + "self_attn.kv_a_layernorm.weight", "BF16", s([512])))
        fp8("self_attn.kv_b_proj", [32768, 512])
        fp8("self_attn.o_proj", [7168, 16384])
        out.append((p + "post_attention_layernorm.weight", "BF16", s([7168])))
        out.append((p + "mlp.gate.weight", "BF16", s([256, 7168])))
        out.append((p + "mlp.gate.e_score_correction_bias", "F32", s([256])))
        fp8("mlp.shared_experts.gate_proj", [2048, 7168])
        fp8("mlp.shared_experts.up_proj", [2048, 7168])
        fp8("mlp.shared_experts.down_proj", [7168, 2048])
        for e in range(experts):
            q = "mlp.experts.%d." % e
            fp8(q + "gate_proj", [2048, 7168])
            fp8(q + "up_proj", [2048, 7168])
            fp8(q + "down_proj", [7168, 2048])
    out.append(("model.norm.weight", "BF16", s([7168])))
    out.append(("lm_head.weight", "BF16", s([129280, 7168])))
    return out[:count]


# -- long Unicode names (2-, 3- and 4-byte UTF-8, several scripts) ---------

_WORDS = [
    "модель", "слой", "внимание", "проекция", "вес",           # Cyrillic, 2 bytes
    "Ελληνικά", "βάρος", "στρώμα",                            # Greek, 2 bytes
    "模型", "第{}层", "注意力机制", "查询投影", "权重矩阵",          # CJK, 3 bytes
    "トランスフォーマー", "重み", "埋め込み",                       # Japanese, 3 bytes
    "मॉडल", "परत", "ध्यान",                                     # Devanagari, 3 bytes
    "🚀", "🔥", "🧠", "𝔴𝔢𝔦𝔤𝔥𝔱", "😀",                       # 4 bytes
    "naïve", "Überschicht", "façade",                         # Latin with accents
]


def unicode_tensors(count=20000, shape=(64, 64)):
    out = []
    n = len(_WORDS)
    for i in range(count):
        words = [_WORDS[(i * 7 + k * 5) % n].format(i) for k in range(9)]
        name = "/".join(words) + ".%d.权重" % i
        out.append((name, "BF16", list(shape)))
    return out


UNICODE_METADATA = {"format": "pt", "描述": "长名称基准 — ünïcödé 🚀",
                    "modèle": "тест"}


# -- 1 GiB (or any size) LLaMA-like file: 64 F16 matrices ------------------
# (F16, not BF16: the reference's numpy API has no bfloat16.)

def big_tensors(total_bytes, count=64):
    """`count` F16 matrices adding up to total_bytes (rounded down to a
    multiple of 2 * count bytes): [rows, 4096], or [1, cols] when a tensor
    is smaller than one 4096-wide row."""
    per = total_bytes // count // 2 * 2
    cols = 4096 if per >= 8192 else per // 2
    rows = per // (cols * 2)
    names = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
             "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj",
             "mlp.down_proj", "mlp.router"]
    return [("model.layers.%d.%s.weight" % (i // 8, names[i % 8]), "F16",
             [rows, cols]) for i in range(count)]
