#!/usr/bin/env python3
"""Decodes every image of a folder with i2v's decoder (CMedia, built here with cc) and with Pillow as diffusers'
load_image does (Image.open, ImageOps.exif_transpose, convert("RGB")), and sorts the files:

  same                 identical pixels (notes i2v gives are listed)
  differ               both decode, pixels differ            <- what must not happen silently
  refused              Pillow decodes, i2v refuses (its message is listed)
  pillow_refuses       i2v decodes, Pillow raises
  both_refuse

For checking i2v against image collections that are not committed (e.g. Pillow's own Tests/images).
Usage: .venv-ref/bin/python Scripts/compare_with_pillow.py DIR   (needs cc and the -dev packages of
Scripts/install-deps.sh)
"""
import glob
import os
import subprocess
import sys
import tempfile
import warnings

from PIL import Image, ImageOps

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
EXTENSIONS = {"png", "apng", "jpg", "jpeg", "mpo", "tif", "tiff", "webp", "gif", "bmp", "dib", "ppm", "pgm", "pbm",
              "pnm", "qoi", "pcx", "sgi", "dds", "xbm", "pfm", "im", "tga", "ico", "jp2", "j2k", "pam"}


def build(tmp):
    exe = os.path.join(tmp, "cmedia_decode")
    sources = glob.glob(os.path.join(ROOT, "Sources", "CMedia", "*.c"))
    subprocess.run(["cc", "-O1", "-I", os.path.join(ROOT, "Sources", "CMedia", "include"), "-I",
                    os.path.join(ROOT, "Sources", "CMedia"), *sources,
                    os.path.join(ROOT, "Scripts", "corpus", "cmedia_decode.c"), "-o", exe, "-lavformat", "-lavcodec",
                    "-lswscale", "-lavutil", "-lswresample", "-lavfilter", "-lpng", "-ljpeg", "-ltiff",
                    "-lwebpdemux", "-lwebp", "-lgif", "-lz", "-lm", "-lpthread"], check=True)
    return exe


def pillow(path):
    warnings.simplefilter("ignore")
    try:
        with Image.open(path) as im:
            return ImageOps.exif_transpose(im).convert("RGB").tobytes(), None
    except Exception as e:  # noqa: BLE001 - any failure is Pillow's verdict
        return None, f"{type(e).__name__}: {e}"[:120]


def main():
    folder = sys.argv[1]
    files = sorted(f for f in glob.glob(os.path.join(folder, "**", "*"), recursive=True)
                   if os.path.isfile(f) and f.rsplit(".", 1)[-1].lower() in EXTENSIONS)
    groups = {k: [] for k in ["same", "differ", "refused", "pillow_refuses", "both_refuse"]}
    with tempfile.TemporaryDirectory() as tmp:
        exe = build(tmp)
        for path in files:
            try:
                line = subprocess.run([exe, tmp, path], capture_output=True, text=True, timeout=60).stdout
            except subprocess.TimeoutExpired:
                line = f"{path}\tERR timeout\t"
            fields = (line.rstrip("\n").split("\t") + ["", ""])[:3]
            ok, note = fields[1].startswith("OK"), fields[2]
            ref, verdict = pillow(path)
            name = os.path.relpath(path, folder)
            if ref is not None and ok:
                got = open(os.path.join(tmp, "0.rgb"), "rb").read()
                if got == ref:
                    groups["same"].append((name, note))
                else:
                    n = min(len(got), len(ref))
                    diffs = sum(got[i] != ref[i] for i in range(n)) + abs(len(got) - len(ref))
                    groups["differ"].append((name, f"{fields[1]}, {diffs} bytes differ; {note}"))
            elif ref is not None:
                groups["refused"].append((name, f"{fields[1]}: {note}"))
            elif ok:
                groups["pillow_refuses"].append((name, f"Pillow: {verdict}; i2v: {note}"))
            else:
                groups["both_refuse"].append((name, f"Pillow: {verdict}; i2v: {note}"))
    print(", ".join(f"{k} {len(v)}" for k, v in groups.items()), f"(of {len(files)})")
    for key in ["differ", "refused", "pillow_refuses", "same"]:
        rows = [(n, m) for n, m in groups[key] if key != "same" or m]
        if rows:
            print(f"\n{key}:" + (" (with notes)" if key == "same" else ""))
            for n, m in rows:
                print(f"  {n}: {m}")


if __name__ == "__main__":
    main()
