#!/usr/bin/env python3
"""Replay inputs through the reference and through tensorproof compat mode.

    python3 fuzz/diff_queue.py [options] DIR_OR_FILE...

Every regular file under the given directories (an AFL++ queue, a libFuzzer
corpus, corpus/, ...; hidden entries such as AFL's .state/ are skipped) is
run through

  - the reference, safetensors 0.8.0: safetensors.deserialize(bytes), and for
    files it accepts, safe_open(...).metadata() for the metadata;
  - tensorproof in compat mode: `tensorproof validate --compat --json FILE...`
    (batched, one JSON line per file, in argument order).

and every disagreement is reported:
  verdict   one accepts, the other refuses;
  kind      both refuse, with different reference error kinds (the reference's
            message is mapped to its kind, tensorproof reports the kind it
            maps its own code to in "reference_error");
  table     both accept, with different tensors (names, dtypes, shapes, the
            bytes each tensor's data_offsets select) or metadata;
  unmapped  the reference's message matches no known kind;
  tool      tensorproof could not read the file, or its output was unusable;
  panic     the reference raised something other than SafetensorError.
Differences in the tensor named by an error are listed as notes only: with
tied offsets the reference's choice is unspecified. For the same reason the
reference's error *kind* can change from one call to the next (its tensors
pass through a hash map with a random seed before a stable sort by offsets):
on a kind difference the reference is asked again, up to --retries times;
when its answers vary and include tensorproof's kind, the case is counted as
"explained: reference not deterministic", not as a disagreement.

Options:
  --cli PATH        the tensorproof binary (default build/tensorproof)
  --input KIND      file (default): each input is a whole file;
                    header: each input is a header (fuzz_header), the 8-byte
                    prefix is added; plan: skip the first 8 bytes (fuzz_plan)
  --batch N         files per tensorproof invocation (default 200)
  --max-size BYTES  skip larger inputs (default 64 MiB)
  --report FILE     write the full report there too
  --show N          disagreements printed in full (default 20)
  --retries N       reference calls on a kind difference (default 32)
Exit status: 0 no disagreement, 1 disagreements, 2 usage or setup error.
"""

import argparse
import collections
import json
import os
import struct
import subprocess
import sys
import tempfile

# Reference message text -> error kind (SafetensorError texts of 0.8.0).
KIND_BY_MESSAGE = [
    ("header too small", "HeaderTooSmall"),
    ("header too large", "HeaderTooLarge"),
    ("invalid header length", "InvalidHeaderLength"),
    ("invalid UTF-8", "InvalidHeader"),
    ("invalid JSON in header", "InvalidHeaderDeserialization"),
    ("invalid offset", "InvalidOffset"),
    ("overflow computing", "ValidationOverflow"),
    ("subbytes", "MisalignedSlice"),
    ("incomplete metadata", "MetadataIncompleteBuffer"),
    ("invalid shape, data type", "TensorInvalidInfo"),
]


def reference_kind(message):
    """Map a SafetensorError message to its kind, or None."""
    text = message.split("Error while deserializing", 1)[-1]
    for needle, kind in KIND_BY_MESSAGE:
        if needle in text:
            return kind
    return None


def offset_tensor(message):
    """The tensor an "invalid offset for tensor `x`" message names, or None."""
    marker = "invalid offset for tensor `"
    at = message.find(marker)
    if at < 0 or not message.endswith("`"):
        return None
    return message[at + len(marker):-1]


def collect(paths, max_size):
    """Regular files under the paths, sorted, skipping hidden entries."""
    out = []
    skipped = 0
    for p in paths:
        if os.path.isfile(p):
            out.append(p)
            continue
        if not os.path.isdir(p):
            raise SystemExit("diff_queue: no such file or directory: %s" % p)
        for d, dirs, files in os.walk(p):
            dirs[:] = sorted(x for x in dirs if not x.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                path = os.path.join(d, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                if os.path.getsize(path) > max_size:
                    skipped += 1
                    continue
                out.append(path)
    return out, skipped


def run_reference(path, blob):
    """('ok', table) or ('err', kind, message) or ('panic', text)."""
    import safetensors
    try:
        items = safetensors.deserialize(blob)
    except safetensors.SafetensorError as e:
        msg = str(e)
        return ("err", reference_kind(msg), msg)
    except BaseException as e:  # a Rust panic surfaces as PanicException
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        return ("panic", "%s: %s" % (type(e).__name__, e))
    tensors = {}
    for name, info in items:
        tensors[name] = (info["dtype"], list(info["shape"]), bytes(info["data"]))
    try:
        with safetensors.safe_open(path, framework="numpy") as f:
            meta = f.metadata()
    except BaseException as e:
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        return ("panic", "safe_open refused what deserialize accepted: %s: %s"
                % (type(e).__name__, e))
    return ("ok", {"tensors": tensors, "metadata": meta})


def split_lines(data):
    """JSON lines: split on LF only (names may hold U+2028, U+0085, ...)."""
    text = data.decode("utf-8", "replace")
    if text.endswith("\n"):
        text = text[:-1]
    return text.split("\n") if text else []


def run_tensorproof(cli, paths):
    """One parsed JSON object (or None) per path, in order."""
    proc = subprocess.run([cli, "validate", "--compat", "--json", "--"] + paths,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = split_lines(proc.stdout)
    if proc.returncode not in (0, 1, 2) or len(lines) != len(paths):
        # "--" may not be understood: retry without it once
        proc = subprocess.run([cli, "validate", "--compat", "--json"] + paths,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lines = split_lines(proc.stdout)
    out = []
    for i, path in enumerate(paths):
        obj = None
        if i < len(lines):
            try:
                obj = json.loads(lines[i])
            except ValueError:
                obj = None
        out.append(obj)
    return out


def reference_kinds(path, blob, retries):
    """The set of error kinds the reference gives over 1 + retries calls."""
    kinds = set()
    for _ in range(retries + 1):
        r = run_reference(path, blob)
        kinds.add(r[1] if r[0] == "err" else r[0])
    return kinds


def tp_table(obj, blob):
    """Tensors and metadata of an accepted file, as run_reference gives them."""
    base = 8 + obj["header_len"]
    tensors = {}
    for t in obj["tensors"]:
        b, e = t["data_offsets"]
        tensors[t["name"]] = (t["dtype"], list(t["shape"]), blob[base + b:base + e])
    return {"tensors": tensors, "metadata": obj["metadata"]}


def describe_table_difference(ref, tp):
    rt, tt = ref["tensors"], tp["tensors"]
    if set(rt) != set(tt):
        only_r = sorted(set(rt) - set(tt))[:5]
        only_t = sorted(set(tt) - set(rt))[:5]
        return "tensor names differ: reference only %r, tensorproof only %r" % (only_r, only_t)
    for name in sorted(rt):
        r, t = rt[name], tt[name]
        if r[0] != t[0]:
            return "tensor %r dtype: reference %s, tensorproof %s" % (name, r[0], t[0])
        if r[1] != t[1]:
            return "tensor %r shape: reference %r, tensorproof %r" % (name, r[1], t[1])
        if r[2] != t[2]:
            return "tensor %r data bytes differ (%d vs %d bytes)" % (name, len(r[2]), len(t[2]))
    if ref["metadata"] != tp["metadata"]:
        return "metadata: reference %r, tensorproof %r" % (ref["metadata"], tp["metadata"])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--cli", default=os.path.join("build", "tensorproof"))
    ap.add_argument("--input", choices=("file", "header", "plan"), default="file")
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--max-size", type=int, default=64 << 20)
    ap.add_argument("--report")
    ap.add_argument("--show", type=int, default=20)
    ap.add_argument("--retries", type=int, default=32)
    args = ap.parse_args()

    if not (os.path.isfile(args.cli) and os.access(args.cli, os.X_OK)):
        print("diff_queue: %s not found (run make cli, or pass --cli)" % args.cli,
              file=sys.stderr)
        return 2
    try:
        import safetensors
    except ImportError:
        print("diff_queue: the reference is missing: pip install safetensors==0.8.0",
              file=sys.stderr)
        return 2
    if safetensors.__version__ != "0.8.0":
        print("diff_queue: warning: reference is safetensors %s, not 0.8.0"
              % safetensors.__version__, file=sys.stderr)

    inputs, skipped = collect(args.paths, args.max_size)
    counts = collections.Counter()
    disagreements = []
    notes = []
    explained = []
    with tempfile.TemporaryDirectory(prefix="diff_queue.") as tmp:
        for start in range(0, len(inputs), args.batch):
            batch = inputs[start:start + args.batch]
            files = []   # (origin, path given to both sides, bytes)
            for k, origin in enumerate(batch):
                with open(origin, "rb") as fh:
                    raw = fh.read()
                if args.input == "file":
                    files.append((origin, origin, raw))
                    continue
                if args.input == "header":
                    blob = struct.pack("<Q", len(raw)) + raw
                else:
                    if len(raw) < 8:
                        counts["skipped (plan input under 8 bytes)"] += 1
                        continue
                    blob = raw[8:]
                path = os.path.join(tmp, "%d" % (start + k))
                with open(path, "wb") as fh:
                    fh.write(blob)
                files.append((origin, path, blob))
            results = run_tensorproof(args.cli, [p for _, p, _ in files])
            for (origin, path, blob), tp in zip(files, results):
                counts["inputs"] += 1
                ref = run_reference(path, blob)
                problem = None
                if tp is None or "valid" not in tp:
                    problem = ("tool", "no usable tensorproof output")
                elif tp.get("error") == "io":
                    problem = ("tool", "tensorproof I/O error: %s" % tp.get("message"))
                elif ref[0] == "panic":
                    problem = ("panic", ref[1])
                elif ref[0] == "ok" and tp["valid"]:
                    counts["both accept"] += 1
                    diff = describe_table_difference(ref[1], tp_table(tp, blob))
                    if diff:
                        problem = ("table", diff)
                elif ref[0] == "err" and not tp["valid"]:
                    counts["both refuse"] += 1
                    if ref[1] is None:
                        problem = ("unmapped", "reference message %r" % ref[2])
                    elif ref[1] != tp.get("reference_error"):
                        kinds = reference_kinds(path, blob, args.retries)
                        if len(kinds) > 1 and tp.get("reference_error") in kinds:
                            counts["explained: reference not deterministic"] += 1
                            explained.append((origin, "reference gives %s over %d calls, "
                                              "tensorproof %s" % ("/".join(sorted(kinds)),
                                                                  args.retries + 1,
                                                                  tp.get("reference_error"))))
                        else:
                            problem = ("kind", "reference %s (%s; over %d calls: %s), "
                                       "tensorproof %s (%s)"
                                       % (ref[1], ref[2], args.retries + 1,
                                          "/".join(sorted(kinds)),
                                          tp.get("reference_error"), tp.get("error")))
                    else:
                        name = offset_tensor(ref[2])
                        if name is not None and tp.get("tensor") is not None and name != tp["tensor"]:
                            notes.append((origin, "InvalidOffset names %r, tensorproof %r"
                                          % (name, tp["tensor"])))
                elif ref[0] == "ok":
                    problem = ("verdict", "reference accepts, tensorproof refuses: %s (%s)"
                               % (tp.get("error"), tp.get("reference_error")))
                else:
                    problem = ("verdict", "reference refuses (%s: %s), tensorproof accepts"
                               % (ref[1], ref[2]))
                if problem:
                    counts["disagreement: " + problem[0]] += 1
                    disagreements.append((origin, problem[0], problem[1]))

    lines = ["diff_queue: %d inputs (%d skipped as larger than %d bytes), input kind %s"
             % (counts["inputs"], skipped, args.max_size, args.input)]
    for key in sorted(counts):
        if key != "inputs":
            lines.append("  %-40s %d" % (key, counts[key]))
    lines.append("  %-40s %d" % ("disagreements", len(disagreements)))
    lines.append("  %-40s %d" % ("notes (tensor named by an error)", len(notes)))
    lines.append("  %-40s %d" % ("explained (reference not deterministic)", len(explained)))
    full = list(lines)
    for origin, cat, text in disagreements:
        full.append("DISAGREE [%s] %s: %s" % (cat, origin, text))
    for origin, text in explained:
        full.append("explained %s: %s" % (origin, text))
    for origin, text in notes:
        full.append("note %s: %s" % (origin, text))
    for origin, cat, text in disagreements[:args.show]:
        lines.append("DISAGREE [%s] %s: %s" % (cat, origin, text))
    if len(disagreements) > args.show:
        lines.append("... %d more (see --report)" % (len(disagreements) - args.show))
    print("\n".join(lines))
    if args.report:
        with open(args.report, "w", encoding="utf-8") as fh:
            fh.write("\n".join(full) + "\n")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
