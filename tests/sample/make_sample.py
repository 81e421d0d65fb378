#!/usr/bin/env python3
"""Writes a small, deterministic LLaMA-shaped safetensors file for `make demo`.

Standard library only. The layout follows the canonical writer rules
(ST-WRITE-1..5): dtype in descending declaration order then name bytes,
contiguous offsets, compact JSON, __metadata__ first, space padding to a
multiple of 8.
"""
import json
import struct
import sys

DTYPE_ORDER = ["BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3",
               "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16",
               "I32", "U32", "F32", "C64", "F64", "I64", "U64"]
BITS = {"BOOL": 8, "U8": 8, "I8": 8, "F16": 16, "BF16": 16, "F32": 32, "I32": 32,
        "F8_E4M3": 8}


def tensors():
    hidden, inter, vocab, layers = 64, 172, 256, 2
    out = [("model.embed_tokens.weight", "BF16", [vocab, hidden]),
           ("model.norm.weight", "F32", [hidden]),
           ("lm_head.weight", "BF16", [vocab, hidden])]
    for i in range(layers):
        p = "model.layers.%d." % i
        out += [(p + "input_layernorm.weight", "F32", [hidden]),
                (p + "post_attention_layernorm.weight", "F32", [hidden])]
        for proj in ("q_proj", "k_proj", "v_proj", "o_proj"):
            out.append((p + "self_attn." + proj + ".weight", "BF16", [hidden, hidden]))
        for proj, shape in (("gate_proj", [inter, hidden]), ("up_proj", [inter, hidden]),
                            ("down_proj", [hidden, inter])):
            out.append((p + "mlp." + proj + ".weight", "F8_E4M3", shape))
            out.append((p + "mlp." + proj + ".weight_scale", "F32", []))
    return out


def main(path):
    items = sorted(tensors(), key=lambda t: (-DTYPE_ORDER.index(t[1]), t[0].encode()))
    header = {"__metadata__": {"format": "pt"}}
    blobs, off = [], 0
    for name, dtype, shape in items:
        n = 1
        for d in shape:
            n *= d
        size = n * BITS[dtype] // 8
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + size]}
        # deterministic, non-trivial bytes
        blobs.append(bytes((off + k * 7) & 0xFF for k in range(size)))
        off += size
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


if __name__ == "__main__":
    main(sys.argv[1])
