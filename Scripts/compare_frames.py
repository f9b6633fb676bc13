#!/usr/bin/env python3
"""Compares the frames an `i2v generate --save-tensors OUT` run wrote with a diffusers reference dump.

Usage: python3 Scripts/compare_frames.py OURS.safetensors Tests/Fixtures/reference/tiny-a/a_default.safetensors
Prints the largest float and uint8 differences; exits 1 when they exceed the parity limits (1e-3 and 1 level)
or a stricter --float-limit/--byte-limit. Needs numpy; uses the safetensors package when installed, else reads
the files itself (torch is not required).
"""
import argparse
import json
import struct
import sys

import numpy as np

try:
    from safetensors.numpy import load_file
except ImportError:  # e.g. a GPU machine with torch but without safetensors: the format is simple enough
    _DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "U8": np.uint8, "I8": np.int8,
               "I16": np.int16, "I32": np.int32, "I64": np.int64}

    def load_file(path):
        with open(path, "rb") as f:
            data = f.read()
        (n,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8:8 + n])
        body = memoryview(data)[8 + n:]
        out = {}
        for key, info in header.items():
            if key == "__metadata__":
                continue
            begin, end = info["data_offsets"]
            out[key] = np.frombuffer(body[begin:end], dtype=_DTYPES[info["dtype"]]).reshape(info["shape"])
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ours")
    ap.add_argument("reference")
    ap.add_argument("--float-limit", type=float, default=1e-3)
    ap.add_argument("--byte-limit", type=int, default=1)
    a = ap.parse_args()
    ours, ref = load_file(a.ours), load_file(a.reference)
    f = float(np.abs(ours["frames_float"].astype(np.float64) - ref["frames_float"].astype(np.float64)).max())
    b = int(np.abs(ours["frames_uint8"].astype(np.int32) - ref["frames_uint8"].astype(np.int32)).max())
    ok = f <= a.float_limit and b <= a.byte_limit
    print(f"{a.ours}: float max diff {f:.3g}, uint8 max diff {b} -> {'ok' if ok else 'FAIL'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
