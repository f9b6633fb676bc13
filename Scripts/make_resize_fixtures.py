#!/usr/bin/env python3
"""Pixel-exact fixtures for the image preprocessing of the I2VGen-XL pipeline (diffusers' _center_crop_wide /
_resize_bilinear over Pillow's resize).

Writes Tests/Fixtures/resize/resize.safetensors + resize.json.

Tensors (all uint8, (H, W, 3) RGB, row-major, contiguous):
    image<K>         a source image (shared by several cases to keep the file small)
    case<N>.output   the result of case N's operation
resize.json lists every case: {"name", "op", "input" (tensor name of its source image),
"input_size" [w,h], "output_size" [w,h], ...}, ops:
    "pil_box"            img.resize(size, PIL.Image.BOX)
    "pil_bilinear"       img.resize(size, PIL.Image.BILINEAR)
    "center_crop_wide"   diffusers' _center_crop_wide(img, (tw, th)); extra keys: "scale" (the
                         Python double min(W0/tw, H0/th)), "resized_size" [nw, nh] (the BOX size),
                         "crop_origin" [x1, y1] (may be -1: zero-filled black row/column)
    "resize_bilinear"    diffusers' _resize_bilinear(img, (w, h))
    "clip_chain"         _resize_bilinear(_center_crop_wide(img, (W, W)), (S, S)), the CLIP image branch
                         for a video of width W and CLIP crop size S; extra key "video_width"
The helpers are imported from diffusers' I2VGen-XL pipeline module (not reimplemented).
Images are synthetic and deterministic (gradients + stripes + a circle + seeded noise).

Usage: .venv-ref/bin/python Scripts/make_resize_fixtures.py
"""
import json
import os

import numpy as np
import PIL
from PIL import Image
import torch
from safetensors.torch import save_file

from diffusers.pipelines.i2vgen_xl.pipeline_i2vgen_xl import _center_crop_wide, _resize_bilinear

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "Tests/Fixtures/resize")


def synth_image(w, h, seed):
    """Deterministic RGB test image with smooth gradients, hard edges and noise."""
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255.0 * x / max(w - 1, 1)
    g = 255.0 * y / max(h - 1, 1)
    b = 127.5 + 127.5 * np.sin(2 * np.pi * (x + 2 * y) / max(7.0, (w + h) / 6.0))
    img = np.stack([r, g, b], axis=-1)
    # stripes (hard edges)
    stripe = ((x.astype(int) // 3 + seed) % 5 == 0)
    img[stripe] = img[stripe] * 0.3
    # a bright circle
    cx, cy, rad = w * 0.6, h * 0.4, min(w, h) * 0.25
    circ = (x - cx) ** 2 + (y - cy) ** 2 < rad ** 2
    img[circ] = [250, 240, 30]
    # noise
    img = img + rng.uniform(-20, 20, size=img.shape)
    # extremes somewhere
    img[0, 0] = [0, 0, 0]
    img[-1, -1] = [255, 255, 255]
    return Image.fromarray(np.clip(np.round(img), 0, 255).astype(np.uint8), "RGB")


def to_tensor(img):
    assert img.mode == "RGB"
    return torch.from_numpy(np.asarray(img, dtype=np.uint8).copy()).contiguous()


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    tensors = {}
    cases = []

    def add(op, img, out, **extra):
        n = len(cases)
        name = f"case{n}"
        tensors[f"{name}.output"] = to_tensor(out)
        entry = {"name": name, "op": op, "input": img.fixture_name,
                 "input_size": list(img.size), "output_size": list(out.size)}
        entry.update(extra)
        cases.append(entry)

    seed = [0]

    def img(w, h):
        seed[0] += 1
        im = synth_image(w, h, seed[0])
        im.fixture_name = f"image{seed[0]}"
        tensors[im.fixture_name] = to_tensor(im)
        return im

    # ---- plain Pillow resizes -------------------------------------------------------------------
    pil_cases = [
        ((37, 23), (61, 47)),     # upscale, odd sizes
        ((16, 16), (48, 48)),     # integer upscale x3
        ((97, 61), (40, 29)),     # downscale, odd
        ((128, 72), (159, 89)),   # BOX size of the one-pixel-short case (1024x576 -> 1279x719, /8)
        ((100, 100), (100, 57)),  # height-only change (no horizontal pass)
        ((100, 60), (33, 60)),    # width-only change (no vertical pass)
        ((50, 40), (50, 40)),     # same size (copy)
        ((80, 80), (14, 14)),     # 1280 -> 224 ratio (5.714...), /16
        ((160, 90), (112, 63)),   # non-square 1280x720 -> 896x504-like ratio
        ((63, 64), (64, 63)),     # up in one axis, down in the other
        ((200, 30), (13, 7)),     # strong downscale, extreme aspect
        ((3, 2), (17, 11)),       # tiny source
        ((1, 1), (5, 3)),         # single pixel
    ]
    for (src, dst) in pil_cases:
        im = img(*src)
        add("pil_box", im, im.resize(dst, Image.BOX))
        add("pil_bilinear", im, im.resize(dst, Image.BILINEAR))

    # ---- diffusers _center_crop_wide: worked examples scaled down ------------------------
    crop_cases = [
        ((80, 45), (80, 44)),      # 1280x720 -> (1280,704) /16: plain centre crop (BOX to the same size = copy)
        ((120, 68), (80, 44)),     # 1920x1080-like -> (1280,704) /16: BOX downscale (s=1.5) to 80x45, origin (0,0)
        ((64, 36), (80, 44)),      # 1024x576 -> (1280,704) /16: 79x44, origin (-1,0): left column black
        ((32, 32), (80, 44)),      # 512x512 -> (1280,704) /16: 79x79, origin (-1,17)
        ((50, 38), (80, 44)),      # 800x600-like -> (1280,704) /16: BOX upscale (s=0.625) to 80x60, origin (0,8)
        ((80, 45), (80, 80)),      # 1280x720 -> (1280,1280) /16: CLIP square crop 142x80, origin (31,0)
        ((64, 36), (80, 80)),      # 1024x576 -> (1280,1280) /16: 142x79, origin (31,-1): top row black
        ((45, 80), (44, 80)),      # portrait version of the first case
        ((36, 64), (44, 80)),      # portrait one-pixel-short: 44x79, origin (0,-1)
        ((64, 48), (40, 24)),      # pipeline-fixture-like sizes: 39x29, origin (-1,2)
        ((55, 31), (40, 24)),      # tiny-a f_wide_image VAE branch: 42x23, origin (1,-1)
        ((55, 31), (40, 40)),      # tiny-a f_wide_image CLIP branch: 70x39, origin (15,-1)
        ((102, 58), (72, 40)),     # tiny-b f_wide_image VAE branch: 71x40, origin (-1,0)
        ((102, 58), (72, 72)),     # tiny-b f_wide_image CLIP branch: 126x71, origin (27,-1)
    ]
    for (src, tgt) in crop_cases:
        im = img(*src)
        W0, H0 = im.size
        s = min(W0 / tgt[0], H0 / tgt[1])
        nw, nh = round(W0 // s), round(H0 // s)
        out = _center_crop_wide(im, tgt)
        assert out.size == tuple(tgt)
        add("center_crop_wide", im, out, scale=s, resized_size=[nw, nh],
            crop_origin=[(nw - tgt[0]) // 2, (nh - tgt[1]) // 2])

    # verify the one-pixel-short effect really shows (black first column / first row)
    for c in cases:
        if c["op"] == "center_crop_wide":
            o = tensors[c["name"] + ".output"]
            x1, y1 = c["crop_origin"]
            if x1 < 0:
                assert int(o[:, 0].max()) == 0 and int(o[:, 1].max()) > 0, c
            if y1 < 0:
                assert int(o[0].max()) == 0 and int(o[1].max()) > 0, c

    # ---- diffusers _resize_bilinear ------------------------------------------------------------------
    for (src, dst) in [((120, 120), (21, 21)), ((40, 40), (32, 32)), ((37, 37), (28, 28))]:
        im = img(*src)
        add("resize_bilinear", im, _resize_bilinear(im, dst))

    # ---- CLIP chain: _resize_bilinear(_center_crop_wide(img, (W, W)), (S, S)) -----------------------
    # (the 256x144 / W=256 / S=224 case is a real-size CLIP downscale: 256x256 -> 224x224)
    for (src, W, S) in [((128, 72), 160, 28), ((256, 144), 256, 224), ((64, 48), 40, 32), ((96, 54), 48, 28)]:
        im = img(*src)
        out = _resize_bilinear(_center_crop_wide(im, (W, W)), (S, S))
        add("clip_chain", im, out, video_width=W, clip_size=S)

    save_file(tensors, os.path.join(OUT_DIR, "resize.safetensors"))
    meta = {
        "generator": "Scripts/make_resize_fixtures.py",
        "pillow": PIL.__version__,
        "layout": "uint8 (H, W, 3) RGB; source images image<K>, results case<N>.output",
        "cases": cases,
    }
    with open(os.path.join(OUT_DIR, "resize.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    nbytes = os.path.getsize(os.path.join(OUT_DIR, "resize.safetensors"))
    print(f"wrote {len(cases)} cases ({nbytes} bytes) to {OUT_DIR} [Pillow {PIL.__version__}]")


if __name__ == "__main__":
    main()
