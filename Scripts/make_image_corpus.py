#!/usr/bin/env python3
"""The input-image corpus (issue 20): Tests/Fixtures/corpus/, every file with what diffusers sees in it.

Each image is tiny (a few dozen pixels); its expected pixels are what `diffusers.utils.load_image` makes of it:
`ImageOps.exif_transpose(Image.open(path)).convert("RGB")` in the reference environment, stored as raw RGB
(<file>.rgb, row-major). expected.json lists every file:

    {"file": "tiff_lzw_tiled.tif", "expect": "pixels", "width": W, "height": H,
     "warnings": ["substring", ...],       # notes i2v must give (damage, clipped values, further frames)
     "why": "what the file covers"}
    {"file": "...", "expect": "refused", "status": "unsupported" | "corrupt", "message": "substring",
     "pillow": "what Pillow says about it (it refuses it too)" | null when Pillow reads it: a stated exception}

Files come from Pillow itself, from the Debian tools Pillow's libraries ship (tiffcp from libtiff-tools, cjpeg from
libjpeg-turbo-progs), ImageMagick (RLE and 16-bit BMP), a small libjpeg program (Scripts/corpus/ycck_jpeg.c:
YCCK) and small writers below (TIFF and PNG chunks that no tool writes on request).
Usage: .venv-ref/bin/python Scripts/make_image_corpus.py
       (needs numpy and Pillow; tiffcp, cjpeg, convert, cc and libjpeg62-turbo-dev)
"""
import io
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib

import numpy as np
from PIL import Image, ImageOps

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "corpus")
W, H = 24, 16  # not square: a missed width/height swap fails
entries = []
TMP = tempfile.mkdtemp()


def picture(w=W, h=H, seed=0):
    """Gradients, a disc, hard edges and noise, as uint8 RGB."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), np.int32)
    img[..., 0] = 255 * x // max(1, w - 1)
    img[..., 1] = 255 * y // max(1, h - 1)
    img[..., 2] = 80 + (x * 7 + y * 13) % 120
    disc = (x - w * 0.6) ** 2 + (y - h * 0.45) ** 2 < (min(w, h) * 0.3) ** 2
    img[disc] = (230, 40, 60)
    img[: h // 4, : w // 5] = (20, 200, 40)
    img += rng.integers(-8, 9, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def gray(w=W, h=H, seed=1):
    return picture(w, h, seed).mean(axis=2).astype(np.uint8)


def path(name):
    return os.path.join(OUT, name)


def pillow_view(p):
    with Image.open(p) as im:
        return ImageOps.exif_transpose(im).convert("RGB"), getattr(im, "n_frames", 1)


def add(name, why, warnings=(), frames_note=True):
    """Records what Pillow decodes `name` to; Pillow must read it."""
    rgb, frames = pillow_view(path(name))
    with open(path(name) + ".rgb", "wb") as f:
        f.write(rgb.tobytes())
    notes = list(warnings)
    if frames > 1 and frames_note:
        notes.append(f"holds {frames} ")
    entries.append({"file": name, "expect": "pixels", "width": rgb.width, "height": rgb.height, "warnings": notes,
                    "why": why})


def refuse(name, status, message, why, pillow_reads=False):
    """Records a refusal; checks Pillow's verdict so that the corpus states every exception."""
    try:
        pillow_view(path(name))
        verdict = None
        assert pillow_reads, f"{name}: Pillow reads it; pass pillow_reads=True and document the exception"
    except Exception as e:  # noqa: BLE001 - any failure is Pillow's verdict
        assert not pillow_reads, f"{name}: Pillow refuses it ({e})"
        verdict = f"{type(e).__name__}: {e}".replace(path(name), name)
    entries.append({"file": name, "expect": "refused", "status": status, "message": message, "pillow": verdict,
                    "why": why})


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# ---------------------------------------------------------------------------------------------------------------
# A TIFF writer: one strip, any tags (tiffcp then recompresses, tiles, reorders bits, splits planes).

TYPES = {1: "B", 2: "s", 3: "H", 4: "I", 7: "B", 11: "f"}


def write_tiff(name, w, h, data, tags, big_endian=False):
    """tags: {tag: (type, values)}; adds size, strip offsets and byte counts."""
    e = ">" if big_endian else "<"
    tags = dict(tags)
    tags[256] = (4, [w])
    tags[257] = (4, [h])
    tags[278] = (4, [h])
    tags[279] = (4, [len(data)])
    tags.setdefault(259, (3, [1]))
    out = bytearray(b"MM\x00\x2a" if big_endian else b"II\x2a\x00") + struct.pack(e + "I", 0)
    out += data
    if len(out) % 2:
        out += b"\x00"
    extra = bytearray()
    ifd_offset = len(out)
    n = len(tags) + 1  # + StripOffsets
    entries_size = 2 + 12 * n + 4
    extra_base = ifd_offset + entries_size
    ifd = bytearray(struct.pack(e + "H", n))
    for tag in sorted(list(tags) + [273]):
        if tag == 273:
            typ, vals = 4, [8]
        else:
            typ, vals = tags[tag]
        if typ == 2:
            raw = vals.encode() + b"\x00"
            count = len(raw)
        elif typ in (1, 7) and isinstance(vals, (bytes, bytearray)):
            raw, count = bytes(vals), len(vals)
        else:
            raw = struct.pack(e + TYPES[typ] * len(vals), *vals)
            count = len(vals)
        if len(raw) <= 4:
            value = raw.ljust(4, b"\x00")
        else:
            value = struct.pack(e + "I", extra_base + len(extra))
            extra += raw
            if len(extra) % 2:
                extra += b"\x00"
        ifd += struct.pack(e + "HHI", tag, typ, count) + value
    ifd += struct.pack(e + "I", 0)
    out[4:8] = struct.pack(e + "I", ifd_offset)
    out += ifd + extra
    with open(path(name), "wb") as f:
        f.write(out)


def pack_bits(values, bits):
    """Rows of small integers -> MSB-first packed bytes, each row padded to a byte."""
    rows = []
    for row in values:
        acc, n, buf = 0, 0, bytearray()
        for v in row:
            acc = acc << bits | int(v)
            n += bits
            if n == 8:
                buf.append(acc)
                acc, n = 0, 0
        if n:
            buf.append(acc << (8 - n))
        rows.append(bytes(buf))
    return b"".join(rows)


def tiffcp(src, dst, *opts):
    run("tiffcp", *opts, path(src), path(dst))


def jpeg_in_tiff_warns(p):
    """Whether libtiff's JPEG codec reports the damage (tiffinfo -D prints its warnings on stderr)."""
    r = subprocess.run(["tiffinfo", "-D", p], capture_output=True, text=True)
    return "JPEGLib" in r.stderr or "Corrupt" in r.stderr


def tiff_corpus():
    rgb = picture()
    g = gray()
    base = {262: (3, [2]), 258: (3, [8, 8, 8]), 277: (3, [3]), 284: (3, [1])}
    write_tiff("tiff_rgb.tif", W, H, rgb.tobytes(), base)
    add("tiff_rgb.tif", "8-bit RGB, uncompressed strip")
    for comp in ["lzw", "zip", "packbits", "zstd", "lzw:2", "zip:2"]:
        name = "tiff_rgb_" + comp.replace(":", "_pred") + ".tif"
        tiffcp("tiff_rgb.tif", name, "-c", comp)
        add(name, f"RGB, {comp} compression (':2' = horizontal predictor)")
    tiffcp("tiff_rgb.tif", "tiff_rgb_strips3.tif", "-r", "3")
    add("tiff_rgb_strips3.tif", "RGB in strips of 3 rows (the last one short)")
    tiffcp("tiff_rgb.tif", "tiff_rgb_tiled.tif", "-t", "-w", "16", "-l", "16")
    add("tiff_rgb_tiled.tif", "RGB in 16x16 tiles (partial tiles on the right)")
    tiffcp("tiff_rgb.tif", "tiff_rgb_tiled_lzw.tif", "-c", "lzw", "-t", "-w", "16", "-l", "16")
    add("tiff_rgb_tiled_lzw.tif", "RGB, LZW, tiled")
    tiffcp("tiff_rgb.tif", "tiff_rgb_separate.tif", "-p", "separate")
    add("tiff_rgb_separate.tif", "RGB in separate planes")
    tiffcp("tiff_rgb.tif", "tiff_rgb_separate_tiled.tif", "-p", "separate", "-t", "-w", "16", "-l", "16")
    add("tiff_rgb_separate_tiled.tif", "RGB in separate planes, tiled")
    tiffcp("tiff_rgb.tif", "tiff_rgb_fill2.tif", "-f", "lsb2msb", "-c", "lzw")
    add("tiff_rgb_fill2.tif", "RGB with FillOrder=2")
    tiffcp("tiff_rgb.tif", "tiff_rgb_bigtiff.tif", "-8")
    add("tiff_rgb_bigtiff.tif", "BigTIFF")
    write_tiff("tiff_rgb_be.tif", W, H, rgb.tobytes(), base, big_endian=True)
    add("tiff_rgb_be.tif", "big-endian (MM) RGB")
    for q in ["jpeg", "jpeg:r"]:
        name = "tiff_jpeg_ycbcr.tif" if q == "jpeg" else "tiff_jpeg_rgb.tif"
        tiffcp("tiff_rgb.tif", name, "-c", q)
        add(name, "JPEG-compressed " + ("YCbCr 2x2 (libjpeg converts to RGB)" if q == "jpeg" else "RGB"))
    tiffcp("tiff_jpeg_ycbcr.tif", "tiff_jpeg_tiled.tif", "-t", "-w", "16", "-l", "16")
    add("tiff_jpeg_tiled.tif", "JPEG-compressed YCbCr, tiled")
    # YCbCr without JPEG: libtiff's own conversion (TIFFRGBAImage), as Pillow
    ycc = Image.fromarray(rgb).convert("YCbCr")
    write_tiff("tiff_ycbcr_raw.tif", W, H, np.asarray(ycc).tobytes(),
               {262: (3, [6]), 258: (3, [8, 8, 8]), 277: (3, [3]), 284: (3, [1]), 530: (3, [1, 1])})
    add("tiff_ycbcr_raw.tif", "uncompressed YCbCr 4:4:4 (Pillow's own YCbCr conversion)")
    tiffcp("tiff_ycbcr_raw.tif", "tiff_ycbcr_lzw.tif", "-c", "lzw")
    add("tiff_ycbcr_lzw.tif", "LZW YCbCr 4:4:4 (libtiff's TIFFRGBAImage conversion, as Pillow)")
    write_tiff("tiff_ycbcr_raw_420.tif", W, H, np.asarray(ycc).tobytes(),
               {262: (3, [6]), 258: (3, [8, 8, 8]), 277: (3, [3]), 284: (3, [1])})
    refuse("tiff_ycbcr_raw_420.tif", "unsupported", "subsampling", "uncompressed YCbCr with the default 2x2 "
           "subsampling: Pillow ignores the subsampling and returns a scrambled picture; i2v refuses it",
           pillow_reads=True)

    # alpha: unassociated, associated (premultiplied), unspecified extra
    a = (np.arange(W * H).reshape(H, W) * 255 // (W * H - 1)).astype(np.uint8)
    a[0, 0] = 0  # alpha 0: Pillow gives black
    rgba = np.dstack([rgb, a])
    for extra, label in [(2, "unassoc"), (1, "premultiplied"), (0, "extra_unspecified")]:
        px = rgba.copy()
        if extra == 1:
            px[..., :3] = (rgb.astype(np.int32) * a[..., None] // 255).astype(np.uint8)
        tags = {262: (3, [2]), 258: (3, [8] * 4), 277: (3, [4]), 284: (3, [1]), 338: (3, [extra])}
        write_tiff(f"tiff_rgba_{label}.tif", W, H, px.tobytes(), tags)
        add(f"tiff_rgba_{label}.tif", f"RGBA, ExtraSamples={extra}")
    tiffcp("tiff_rgba_premultiplied.tif", "tiff_rgba_premultiplied_separate.tif", "-p", "separate", "-c", "lzw")
    add("tiff_rgba_premultiplied_separate.tif", "premultiplied RGBA in separate planes")
    tiffcp("tiff_rgba_premultiplied.tif", "tiff_rgba_premultiplied_tiled.tif", "-t", "-w", "16", "-l", "16")
    add("tiff_rgba_premultiplied_tiled.tif", "premultiplied RGBA, tiled")
    # 16-bit RGB / RGBA / premultiplied
    rgb16 = rgb.astype(np.uint16) * 257 + 3
    write_tiff("tiff_rgb16.tif", W, H, rgb16.astype("<u2").tobytes(),
               {262: (3, [2]), 258: (3, [16] * 3), 277: (3, [3]), 284: (3, [1])})
    add("tiff_rgb16.tif", "16-bit RGB (high bytes, as Pillow)")
    write_tiff("tiff_rgb16_be.tif", W, H, rgb16.astype(">u2").tobytes(),
               {262: (3, [2]), 258: (3, [16] * 3), 277: (3, [3]), 284: (3, [1])}, big_endian=True)
    add("tiff_rgb16_be.tif", "16-bit RGB, big-endian")
    a16 = a.astype(np.uint16) * 257
    pre16 = (rgb16.astype(np.uint32) * a16[..., None] // 65535).astype(np.uint16)
    write_tiff("tiff_rgba16_premultiplied.tif", W, H, np.dstack([pre16, a16]).astype("<u2").tobytes(),
               {262: (3, [2]), 258: (3, [16] * 4), 277: (3, [4]), 284: (3, [1]), 338: (3, [1])})
    add("tiff_rgba16_premultiplied.tif", "16-bit premultiplied RGBA")
    tiffcp("tiff_rgb16.tif", "tiff_rgb16_lzw_pred.tif", "-c", "lzw:2")
    add("tiff_rgb16_lzw_pred.tif", "16-bit RGB, LZW with predictor")

    # gray: every bit depth, both photometrics, fill orders
    for bits in [1, 2, 4, 8]:
        levels = (g.astype(np.int32) * ((1 << bits) - 1) // 255)
        data = pack_bits(levels, bits) if bits < 8 else levels.astype(np.uint8).tobytes()
        for photo in [1, 0]:
            name = f"tiff_gray{bits}_{'minisblack' if photo else 'miniswhite'}.tif"
            write_tiff(name, W, H, data, {262: (3, [photo]), 258: (3, [bits]), 277: (3, [1])})
            add(name, f"{bits}-bit gray, photometric {photo}")
        if bits < 8:
            tiffcp(f"tiff_gray{bits}_minisblack.tif", f"tiff_gray{bits}_fill2.tif", "-f", "lsb2msb")
            add(f"tiff_gray{bits}_fill2.tif", f"{bits}-bit gray, FillOrder=2, uncompressed")
            tiffcp(f"tiff_gray{bits}_minisblack.tif", f"tiff_gray{bits}_fill2_lzw.tif", "-f", "lsb2msb", "-c", "lzw")
            add(f"tiff_gray{bits}_fill2_lzw.tif", f"{bits}-bit gray, FillOrder=2, LZW")
            tiffcp(f"tiff_gray{bits}_minisblack.tif", f"tiff_gray{bits}_tiled.tif", "-t", "-w", "16", "-l", "16")
            add(f"tiff_gray{bits}_tiled.tif", f"{bits}-bit gray, tiled")
    tiffcp("tiff_gray1_miniswhite.tif", "tiff_gray1_g4.tif", "-c", "g4")
    add("tiff_gray1_g4.tif", "bilevel, CCITT G4")
    tiffcp("tiff_gray1_miniswhite.tif", "tiff_gray1_g3.tif", "-c", "g3")
    add("tiff_gray1_g3.tif", "bilevel, CCITT G3")
    write_tiff("tiff_gray8_signed.tif", W, H, g.tobytes(), {262: (3, [1]), 258: (3, [8]), 277: (3, [1]),
                                                            339: (3, [2])})
    add("tiff_gray8_signed.tif", "8-bit gray, signed sample format (Pillow reads it as L)")
    la = np.dstack([g, a])
    write_tiff("tiff_gray_alpha.tif", W, H, la.tobytes(),
               {262: (3, [1]), 258: (3, [8, 8]), 277: (3, [2]), 338: (3, [2])})
    add("tiff_gray_alpha.tif", "gray + alpha")
    write_tiff("tiff_gray_extra.tif", W, H, la.tobytes(),
               {262: (3, [1]), 258: (3, [8, 8]), 277: (3, [2]), 338: (3, [0])})
    add("tiff_gray_extra.tif", "gray + an unspecified extra sample (LX)")
    write_tiff("tiff_gray_premultiplied.tif", W, H, la.tobytes(),
               {262: (3, [1]), 258: (3, [8, 8]), 277: (3, [2]), 338: (3, [1])})
    refuse("tiff_gray_premultiplied.tif", "unsupported", "premultiplied alpha",
           "gray + premultiplied alpha: Pillow opens it as La and cannot convert it to RGB")
    # 16-bit gray: small values (exact) and large ones (clipped like Pillow, with a warning)
    small16 = (g.astype(np.uint16) // 2)
    write_tiff("tiff_gray16_small.tif", W, H, small16.astype("<u2").tobytes(),
               {262: (3, [1]), 258: (3, [16]), 277: (3, [1])})
    add("tiff_gray16_small.tif", "16-bit gray, values < 256")
    big16 = g.astype(np.uint16) * 257
    write_tiff("tiff_gray16.tif", W, H, big16.astype("<u2").tobytes(), {262: (3, [1]), 258: (3, [16]), 277: (3, [1])})
    add("tiff_gray16.tif", "16-bit gray: clipped at 255 as Pillow does", ["clipped"])
    write_tiff("tiff_gray16_be.tif", W, H, big16.astype(">u2").tobytes(),
               {262: (3, [1]), 258: (3, [16]), 277: (3, [1])}, big_endian=True)
    add("tiff_gray16_be.tif", "16-bit gray, big-endian", ["clipped"])
    write_tiff("tiff_gray16_signed.tif", W, H, (small16.astype(np.int16) - 60).astype("<i2").tobytes(),
               {262: (3, [1]), 258: (3, [16]), 277: (3, [1]), 339: (3, [2])})
    add("tiff_gray16_signed.tif", "signed 16-bit gray (negative values clipped to black)", ["clipped"])
    v12 = (g.astype(np.uint16) * 16 // 17)  # < 256 mostly, a few above
    v12[0, :4] = 4000
    data12 = bytearray()
    for row in v12:
        for i in range(0, len(row), 2):
            p, q = int(row[i]), int(row[i + 1])
            data12 += bytes([p >> 4, (p & 15) << 4 | q >> 8, q & 255])
    write_tiff("tiff_gray12.tif", W, H, bytes(data12), {262: (3, [1]), 258: (3, [12]), 277: (3, [1])})
    add("tiff_gray12.tif", "12-bit gray (Pillow's I;12)", ["clipped"])
    write_tiff("tiff_gray32_float.tif", W, H, (g.astype("<f4") * 1.5 - 20.25).tobytes(),
               {262: (3, [1]), 258: (3, [32]), 277: (3, [1]), 339: (3, [3])})
    add("tiff_gray32_float.tif", "32-bit float gray (mode F: truncated, clipped)", ["clipped"])
    write_tiff("tiff_gray32_int.tif", W, H, (g.astype("<i4") * 2 - 40).tobytes(),
               {262: (3, [1]), 258: (3, [32]), 277: (3, [1]), 339: (3, [2])})
    add("tiff_gray32_int.tif", "32-bit signed gray (mode I)", ["clipped"])

    # palette: 1/2/4/8 bits, 16-bit colour map, with alpha
    for bits in [1, 2, 4, 8]:
        n = 1 << bits
        idx = (g.astype(np.int32) * (n - 1) // 255)
        data = pack_bits(idx, bits) if bits < 8 else idx.astype(np.uint8).tobytes()
        cmap = [((i * 997) % 65536) for i in range(n)] + [((i * 6151 + 300) % 65536) for i in range(n)] + \
               [((65535 - i * 3001) % 65536) for i in range(n)]
        name = f"tiff_palette{bits}.tif"
        write_tiff(name, W, H, data, {262: (3, [3]), 258: (3, [bits]), 277: (3, [1]), 320: (3, cmap)})
        add(name, f"{bits}-bit palette")
        if bits == 4:
            tiffcp(name, "tiff_palette4_fill2_lzw.tif", "-f", "lsb2msb", "-c", "lzw")
            add("tiff_palette4_fill2_lzw.tif", "4-bit palette, FillOrder=2, LZW")
            tiffcp(name, "tiff_palette4_fill2.tif", "-f", "lsb2msb")
            refuse("tiff_palette4_fill2.tif", "unsupported", "FillOrder=2",
                   "uncompressed 4-bit palette with FillOrder=2: Pillow has no unpacker for it")
        if bits == 8:
            pa = np.dstack([idx.astype(np.uint8), a])
            write_tiff("tiff_palette_alpha.tif", W, H, pa.tobytes(),
                       {262: (3, [3]), 258: (3, [8, 8]), 277: (3, [2]), 320: (3, cmap), 338: (3, [2])})
            add("tiff_palette_alpha.tif", "palette + alpha (PA)")
    # CMYK 8 and 16 bits
    cmyk = np.asarray(Image.fromarray(rgb).convert("CMYK")).copy()
    cmyk[..., 3] = (np.arange(W)[None, :] * 5).astype(np.uint8)
    write_tiff("tiff_cmyk.tif", W, H, cmyk.tobytes(), {262: (3, [5]), 258: (3, [8] * 4), 277: (3, [4])})
    add("tiff_cmyk.tif", "8-bit CMYK")
    tiffcp("tiff_cmyk.tif", "tiff_cmyk_separate_lzw.tif", "-p", "separate", "-c", "lzw")
    add("tiff_cmyk_separate_lzw.tif", "CMYK, separate planes, LZW")
    cmyk16 = cmyk.astype(np.uint16) * 257 + 100
    write_tiff("tiff_cmyk16.tif", W, H, cmyk16.astype("<u2").tobytes(),
               {262: (3, [5]), 258: (3, [16] * 4), 277: (3, [4])})
    add("tiff_cmyk16.tif", "16-bit CMYK")
    write_tiff("tiff_cmyk16_be.tif", W, H, cmyk16.astype(">u2").tobytes(),
               {262: (3, [5]), 258: (3, [16] * 4), 277: (3, [4])}, big_endian=True)
    add("tiff_cmyk16_be.tif", "16-bit CMYK, big-endian")

    # orientation: tag, XMP tag; multi-page
    for o in [3, 6, 8]:
        write_tiff(f"tiff_orient{o}.tif", W, H, rgb.tobytes(), {**base, 274: (3, [o])})
        add(f"tiff_orient{o}.tif", f"Orientation tag {o}")
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description tiff:Orientation="6"/></x:xmpmeta>'
    write_tiff("tiff_xmp_orient6.tif", W, H, rgb.tobytes(), {**base, 700: (1, xmp)})
    add("tiff_xmp_orient6.tif", "orientation only in the XMP tag")
    tiffcp("tiff_orient6.tif", "tiff_orient6_bigtiff.tif", "-8", "-c", "zip")
    add("tiff_orient6_bigtiff.tif", "BigTIFF with orientation 6")
    run("tiffcp", path("tiff_rgb.tif"), path("tiff_gray8_minisblack.tif"), path("tiff_palette8.tif"),
        path("tiff_multipage.tif"))
    add("tiff_multipage.tif", "three pages: the first is used, with a note")

    # refusals and damage
    lab = np.asarray(Image.fromarray(rgb).convert("LAB"))
    write_tiff("tiff_lab.tif", W, H, lab.tobytes(), {262: (3, [8]), 258: (3, [8] * 3), 277: (3, [3])})
    refuse("tiff_lab.tif", "unsupported", "CIELab", "CIELab: i2v refuses it (Pillow opens it as mode LAB and "
           "converts it to RGB with its own approximation)", pillow_reads=True)
    write_tiff("tiff_rgb5.tif", W, H, np.dstack([rgb, rgb[..., :2]]).tobytes(),
               {262: (3, [2]), 258: (3, [8] * 5), 277: (3, [5])})
    refuse("tiff_rgb5.tif", "unsupported", "5 sample(s)", "five samples without ExtraSamples: Pillow's "
           "'unknown pixel mode'")
    # the strip starts 100 bytes before the end of the file: its data runs past the end
    d = bytearray(open(path("tiff_rgb.tif"), "rb").read())
    ifd = struct.unpack("<I", d[4:8])[0]
    for i in range(struct.unpack("<H", d[ifd:ifd + 2])[0]):
        e = ifd + 2 + 12 * i
        if struct.unpack("<H", d[e:e + 2])[0] == 273:
            d[e + 8:e + 12] = struct.pack("<I", len(d) - 100)
    with open(path("bad_tiff_truncated.tif"), "wb") as f:
        f.write(d)
    refuse("bad_tiff_truncated.tif", "corrupt", "strip 0", "strip byte count past the end of the file")
    d = bytearray(open(path("tiff_jpeg_ycbcr.tif"), "rb").read())
    for i in range(len(d) // 2, len(d) // 2 + 12):
        if d[i] != 0xFF and d[i - 1] != 0xFF:
            d[i] ^= 0x5A
    with open(path("bad_tiff_jpeg_damaged.tif"), "wb") as f:
        f.write(d)
    try:
        pillow_view(path("bad_tiff_jpeg_damaged.tif"))
        add("bad_tiff_jpeg_damaged.tif", "JPEG-in-TIFF with damaged entropy data: Pillow's pixels",
            ["reported damage"] if jpeg_in_tiff_warns(path("bad_tiff_jpeg_damaged.tif")) else [])
    except Exception:  # noqa: BLE001
        refuse("bad_tiff_jpeg_damaged.tif", "corrupt", "damaged", "JPEG-in-TIFF with damaged entropy data")


# ---------------------------------------------------------------------------------------------------------------
# JPEG

def exif_bytes(orientation):
    """An EXIF block with "Exif\\0\\0" (as JPEG APP1 and Pillow's exif= take it)."""
    ex = Image.Exif()
    ex[0x0112] = orientation
    data = ex.tobytes()
    return data if data.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + data


def exif_tiff(orientation):
    """The same without the prefix (PNG eXIf chunks)."""
    return exif_bytes(orientation)[6:]


def xmp_packet(orientation, element=False):
    body = (f"<tiff:Orientation>{orientation}</tiff:Orientation>" if element
            else f'tiff:Orientation="{orientation}"')
    if element:
        desc = f'<rdf:Description rdf:about="" xmlns:tiff="http://ns.adobe.com/tiff/1.0/">{body}</rdf:Description>'
    else:
        desc = f'<rdf:Description rdf:about="" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" {body}/>'
    return (f'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">{desc}</rdf:RDF></x:xmpmeta>'
            f'<?xpacket end="w"?>').encode()


def insert_after_soi(data, segment):
    return data[:2] + segment + data[2:]


def app1(payload):
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_corpus():
    img = Image.fromarray(picture())
    for sub, label in [(2, "420"), (1, "422"), (0, "444")]:
        img.save(path(f"jpeg_{label}.jpg"), quality=85, subsampling=sub)
        add(f"jpeg_{label}.jpg", f"baseline 4:{label[1]}:{label[2]}")
    odd = Image.fromarray(picture(23, 17, 4))
    odd.save(path("jpeg_420_odd.jpg"), quality=90, subsampling=2)
    add("jpeg_420_odd.jpg", "4:2:0 with odd width and height (edge upsampling)")
    img.save(path("jpeg_progressive.jpg"), quality=80, progressive=True)
    add("jpeg_progressive.jpg", "progressive")
    img.save(path("jpeg_optimized.jpg"), quality=95, optimize=True)
    add("jpeg_optimized.jpg", "optimized Huffman tables")
    img.convert("L").save(path("jpeg_gray.jpg"), quality=85)
    add("jpeg_gray.jpg", "grayscale")
    img.convert("CMYK").save(path("jpeg_cmyk.jpg"), quality=90)
    add("jpeg_cmyk.jpg", "Adobe CMYK (inverted)")
    helper = os.path.join(TMP, "ycck_jpeg")
    run("cc", "-O1", "-o", helper, os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "ycck_jpeg.c"),
        "-ljpeg")
    cmyk = np.asarray(img.convert("CMYK")).copy()
    cmyk[..., 3] = (np.arange(W)[None, :] * 7).astype(np.uint8)
    subprocess.run([helper, str(W), str(H), path("jpeg_ycck.jpg")], input=(255 - cmyk).tobytes(), check=True)
    add("jpeg_ycck.jpg", "Adobe YCCK (libjpeg converts it to inverted CMYK)")
    ppm = os.path.join(TMP, "p.ppm")
    img.save(ppm)
    for args, name, why in [
        (["-sample", "1x2"], "jpeg_440.jpg", "4:4:0 (cjpeg -sample 1x2)"),
        (["-sample", "4x1"], "jpeg_411.jpg", "4:1:1 (cjpeg -sample 4x1)"),
        (["-restart", "1"], "jpeg_restart.jpg", "restart markers every MCU row"),
        (["-arithmetic"], "jpeg_arithmetic.jpg", "arithmetic coding"),
        (["-rgb"], "jpeg_rgb.jpg", "RGB components (Adobe transform 0)"),
        (["-progressive", "-sample", "1x1"], "jpeg_progressive_444.jpg", "progressive 4:4:4 (cjpeg)"),
    ]:
        run("cjpeg", "-quality", "88", *args, "-outfile", path(name), ppm)
        add(name, why)
    # orientation: EXIF 1..8, XMP (attribute and element), EXIF without the tag + XMP, EXIF tag wins over XMP
    for o in range(1, 9):
        img.save(path(f"jpeg_orient{o}.jpg"), quality=90, exif=exif_bytes(o))
        add(f"jpeg_orient{o}.jpg", f"EXIF orientation {o}")
    plain = io.BytesIO()
    img.save(plain, "JPEG", quality=90)
    plain = plain.getvalue()
    for element in (False, True):
        name = f"jpeg_xmp_orient6_{'element' if element else 'attribute'}.jpg"
        with open(path(name), "wb") as f:
            f.write(insert_after_soi(plain, app1(b"http://ns.adobe.com/xap/1.0/\x00" + xmp_packet(6, element))))
        add(name, "orientation only in XMP (" + ("element" if element else "attribute") + " form)")
    no_tag = Image.Exif()
    no_tag[0x010F] = "camera"
    no_tag = no_tag.tobytes()
    no_tag = no_tag if no_tag.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + no_tag
    with open(path("jpeg_exif_notag_xmp8.jpg"), "wb") as f:
        f.write(insert_after_soi(plain, app1(no_tag) + app1(b"http://ns.adobe.com/xap/1.0/\x00" + xmp_packet(8))))
    add("jpeg_exif_notag_xmp8.jpg", "EXIF without Orientation: the XMP's 8 applies")
    img.save(path("jpeg_exif1_xmp6.jpg"), quality=90, exif=exif_bytes(1),
             xmp=xmp_packet(6))
    add("jpeg_exif1_xmp6.jpg", "EXIF orientation 1 wins over XMP 6")
    Image.fromarray(picture(seed=7)).save(path("jpeg_mpo.mpo"), format="MPO", save_all=True,
                                          append_images=[Image.fromarray(picture(seed=8))], quality=90)
    add("jpeg_mpo.mpo", "MPO (multi-picture JPEG, e.g. stereo cameras): the first picture, with a note")
    # stray bytes between markers (Photoshop), and damage
    data = bytearray(plain)
    dqt = data.find(b"\xff\xdb")
    with open(path("jpeg_stray_bytes.jpg"), "wb") as f:
        f.write(bytes(data[:dqt]) + b"\x00\x00\x17\x2a" + bytes(data[dqt:]))
    add("jpeg_stray_bytes.jpg", "stray bytes between header markers: no warning, pixels as Pillow")
    sos = data.find(b"\xff\xda")
    start = sos + 2 + struct.unpack(">H", data[sos + 2:sos + 4])[0]
    # the middle of the scan cut out, EOI kept: libjpeg reports "premature end of data segment" and fills the
    # missing blocks (Pillow shows that picture without a word)
    with open(path("bad_jpeg_damaged.jpg"), "wb") as f:
        f.write(bytes(data[: start + (len(data) - start) // 3]) + b"\xff\xd9")
    add("bad_jpeg_damaged.jpg", "scan data missing before EOI: Pillow's pixels, and a warning", ["reported damage"])
    sof = data.find(b"\xff\xc0")
    for name, patch, message, why in [
        ("bad_jpeg_12bit.jpg", (sof + 4, 12), "more than 8 bits", "SOF0 declaring 12-bit samples"),
        ("bad_jpeg_sof3.jpg", (sof + 1, 0xC3), "coding process", "a lossless (SOF3) frame header"),
    ]:
        d = bytearray(data)
        d[patch[0]] = patch[1]
        with open(path(name), "wb") as f:
            f.write(d)
        refuse(name, "unsupported", message, why)
    with open(path("bad_jpeg_truncated.jpg"), "wb") as f:
        f.write(data[: start + (len(data) - start) // 2])
    refuse("bad_jpeg_truncated.jpg", "corrupt", "truncated", "cut in the middle of the scan")
    prog = open(path("jpeg_progressive.jpg"), "rb").read()
    with open(path("bad_jpeg_progressive_truncated.jpg"), "wb") as f:
        f.write(prog[: len(prog) * 2 // 3])
    refuse("bad_jpeg_progressive_truncated.jpg", "corrupt", "truncated", "progressive, cut after a few scans")


# ---------------------------------------------------------------------------------------------------------------
# PNG (Pillow writes most; chunks it does not write are added by hand)

def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_with_chunks(src, chunks, after_idat=False):
    data = open(path(src), "rb").read() if isinstance(src, str) and os.path.exists(path(src)) else src
    pos = data.find(b"IDAT") - 4 if not after_idat else data.rfind(b"IEND") - 4
    return data[:pos] + b"".join(chunks) + data[pos:]


def raw_profile(exif):
    hexed = exif.hex()
    lines = "\n".join(hexed[i:i + 72] for i in range(0, len(hexed), 72))
    return f"\nexif\n{len(exif):8d}\n{lines}\n".encode()


def png_corpus():
    img = Image.fromarray(picture())
    img.save(path("png_rgb.png"))
    add("png_rgb.png", "8-bit RGB")
    Image.fromarray(np.dstack([picture(), (np.arange(W * H).reshape(H, W) % 256).astype(np.uint8)])).save(
        path("png_rgba.png"))
    add("png_rgba.png", "RGBA: alpha dropped")
    Image.fromarray(gray()).save(path("png_gray.png"))
    add("png_gray.png", "8-bit gray")
    Image.fromarray(gray()).convert("1").save(path("png_1bit.png"))
    add("png_1bit.png", "1-bit")
    img.quantize(16).save(path("png_palette4.png"), bits=4)
    add("png_palette4.png", "4-bit palette")
    pal = img.quantize(200)
    pal.info["transparency"] = bytes([0, 128] + [255] * 198)
    pal.save(path("png_palette_trns.png"), transparency=bytes([0, 128] + [255] * 198))
    add("png_palette_trns.png", "palette with tRNS: transparency ignored")
    # 16-bit gray, both sides of 255
    small = Image.fromarray((gray().astype(np.uint16) // 2).astype(np.uint16))
    small.save(path("png_gray16_small.png"))
    add("png_gray16_small.png", "16-bit gray with values < 256: exact")
    Image.fromarray(gray().astype(np.uint16) * 257).save(path("png_gray16.png"))
    add("png_gray16.png", "16-bit gray: clipped at 255 as Pillow does, with a warning", ["clipped"])
    # orientation: eXIf, Raw profile type exif (tEXt / zTXt / iTXt), XMP iTXt (attribute / element), eXIf after IDAT
    img.save(path("png_exif_orient6.png"), exif=exif_bytes(6))
    add("png_exif_orient6.png", "eXIf orientation 6")
    base = open(path("png_rgb.png"), "rb").read()
    with open(path("png_exif_after_idat.png"), "wb") as f:
        f.write(png_with_chunks(base, [png_chunk(b"eXIf", exif_tiff(3))], after_idat=True))
    add("png_exif_after_idat.png", "eXIf after the image data (Pillow reads it on load)")
    exif8 = exif_bytes(8)
    key = b"Raw profile type exif"
    with open(path("png_rawprofile_text.png"), "wb") as f:
        f.write(png_with_chunks(base, [png_chunk(b"tEXt", key + b"\x00" + raw_profile(exif8))]))
    add("png_rawprofile_text.png", "orientation 8 in a tEXt 'Raw profile type exif' (ImageMagick)")
    with open(path("png_rawprofile_ztxt.png"), "wb") as f:
        f.write(png_with_chunks(base, [png_chunk(b"zTXt", key + b"\x00\x00" + zlib.compress(raw_profile(exif8)))]))
    add("png_rawprofile_ztxt.png", "orientation 8 in a zTXt 'Raw profile type exif'")
    with open(path("png_rawprofile_itxt.png"), "wb") as f:
        f.write(png_with_chunks(base, [png_chunk(b"iTXt", key + b"\x00\x01\x00\x00\x00" +
                                                 zlib.compress(raw_profile(exif8)))]))
    add("png_rawprofile_itxt.png", "orientation 8 in a compressed iTXt 'Raw profile type exif'")
    xkey = b"XML:com.adobe.xmp"
    for element in (False, True):
        name = f"png_xmp_orient3_{'element' if element else 'attribute'}.png"
        with open(path(name), "wb") as f:
            f.write(png_with_chunks(base, [png_chunk(b"iTXt", xkey + b"\x00\x00\x00\x00\x00" +
                                                     xmp_packet(3, element))]))
        add(name, "orientation 3 only in XMP (iTXt, " + ("element" if element else "attribute") + " form)")
    with open(path("png_xmp_ztxt_orient6.png"), "wb") as f:
        f.write(png_with_chunks(base, [png_chunk(b"zTXt", xkey + b"\x00\x00" + zlib.compress(xmp_packet(6)))]))
    add("png_xmp_ztxt_orient6.png", "orientation 6 in XMP stored in a zTXt chunk")
    with open(path("png_exif1_xmp6.png"), "wb") as f:
        f.write(png_with_chunks(base, [png_chunk(b"eXIf", exif_tiff(1)),
                                       png_chunk(b"iTXt", xkey + b"\x00\x00\x00\x00\x00" + xmp_packet(6))]))
    add("png_exif1_xmp6.png", "eXIf orientation 1 wins over XMP 6")
    # APNG: default image as the first frame, and a default image outside the animation
    frames = [Image.fromarray(picture(seed=s)) for s in range(3)]
    frames[0].save(path("apng.png"), save_all=True, append_images=frames[1:], duration=100)
    add("apng.png", "animated PNG: first frame, with a note")
    frames[0].save(path("apng_default_outside.png"), save_all=True, append_images=frames[1:], duration=100,
                   default_image=True)
    add("apng_default_outside.png", "animated PNG whose default image is not part of the animation")
    d = bytearray(base)
    d[len(d) // 2] ^= 0x55
    with open(path("bad_png_crc.png"), "wb") as f:
        f.write(d)
    refuse("bad_png_crc.png", "corrupt", "damaged", "a flipped byte in IDAT: the compressed data is damaged")


# ---------------------------------------------------------------------------------------------------------------
# WebP, GIF, BMP

def webp_corpus():
    img = Image.fromarray(picture())
    img.save(path("webp_lossy.webp"), quality=80)
    add("webp_lossy.webp", "lossy")
    Image.fromarray(picture(23, 17, 5)).save(path("webp_lossy_odd.webp"), quality=80)
    add("webp_lossy_odd.webp", "lossy, odd size")
    img.save(path("webp_lossless.webp"), lossless=True)
    add("webp_lossless.webp", "lossless")
    rgba = Image.fromarray(np.dstack([picture(), (np.arange(W * H).reshape(H, W) % 256).astype(np.uint8)]))
    rgba.save(path("webp_lossy_alpha.webp"), quality=80)
    add("webp_lossy_alpha.webp", "lossy with alpha")
    rgba.save(path("webp_lossless_alpha.webp"), lossless=True, exact=True)
    add("webp_lossless_alpha.webp", "lossless with alpha (exact: colour under transparent pixels kept)")
    img.save(path("webp_exif_orient6.webp"), quality=80, exif=exif_bytes(6))
    add("webp_exif_orient6.webp", "EXIF orientation 6")
    img.save(path("webp_xmp_orient8.webp"), quality=80, xmp=xmp_packet(8))
    add("webp_xmp_orient8.webp", "orientation 8 only in XMP")
    frames = [Image.fromarray(picture(seed=s)) for s in range(3)]
    frames[0].save(path("webp_animated.webp"), save_all=True, append_images=frames[1:], duration=100, quality=80)
    add("webp_animated.webp", "animated: first frame, with a note")
    frames[0].save(path("webp_animated_lossless.webp"), save_all=True, append_images=frames[1:], duration=100,
                   lossless=True)
    add("webp_animated_lossless.webp", "animated lossless")
    data = open(path("webp_lossy.webp"), "rb").read()
    with open(path("bad_webp_truncated.webp"), "wb") as f:
        f.write(data[: len(data) * 2 // 3])
    refuse("bad_webp_truncated.webp", "corrupt", "truncated", "cut at two thirds")


def gif_corpus():
    img = Image.fromarray(picture())
    img.quantize(64).save(path("gif_still.gif"))
    add("gif_still.gif", "still GIF")
    frames = [Image.fromarray(picture(seed=s)).quantize(64) for s in range(3)]
    frames[0].save(path("gif_animated.gif"), save_all=True, append_images=frames[1:], duration=100, loop=0)
    add("gif_animated.gif", "animated GIF: first frame, with a note")
    q = img.quantize(32)
    q.save(path("gif_transparent.gif"), transparency=3)
    add("gif_transparent.gif", "GIF with a transparent index (its colour is kept, as convert('RGB'))")
    # the logical screen larger than the first frame: the rest is index 0 (or the transparent index), as Pillow
    for src, name in [("gif_still.gif", "gif_screen_larger.gif"), ("gif_transparent.gif", "gif_screen_larger_trns.gif")]:
        d = bytearray(open(path(src), "rb").read())
        d[6:10] = struct.pack("<HH", W + 5, H + 3)
        with open(path(name), "wb") as f:
            f.write(d)
        add(name, "logical screen larger than the first frame")
    # the first frame reaching past a smaller logical screen: Pillow enlarges the image to the frame
    d = bytearray(open(path("gif_still.gif"), "rb").read())
    d[6:10] = struct.pack("<HH", W - 7, H - 4)
    with open(path("gif_frame_past_screen.gif"), "wb") as f:
        f.write(d)
    add("gif_frame_past_screen.gif", "first frame larger than the logical screen (the image takes the frame's size)")
    d = open(path("gif_animated.gif"), "rb").read()
    with open(path("bad_gif_truncated.gif"), "wb") as f:
        f.write(d[: 13 + 3 * 64 + 200])
    refuse("bad_gif_truncated.gif", "corrupt", "truncated", "cut inside the first frame")


def bmp_corpus():
    img = Image.fromarray(picture())
    img.save(path("bmp_rgb24.bmp"))
    add("bmp_rgb24.bmp", "24-bit BMP")
    img.quantize(100).save(path("bmp_palette8.bmp"))
    add("bmp_palette8.bmp", "8-bit palette BMP")
    Image.fromarray(gray()).convert("1").save(path("bmp_1bit.bmp"))
    add("bmp_1bit.bmp", "1-bit BMP")
    for args, name, why in [
        (["-colors", "60", "-compress", "RLE", "BMP3:"], "bmp_rle8.bmp", "8-bit RLE (ImageMagick)"),
        (["-colors", "12", "-depth", "4", "-compress", "RLE", "BMP3:"], "bmp_rle4.bmp", "4-bit RLE (ImageMagick)"),
        (["-define", "bmp:subtype=RGB565", ""], "bmp_rgb565.bmp", "16-bit 5-6-5 bit fields (ImageMagick)"),
        (["-define", "bmp:subtype=RGB555", ""], "bmp_rgb555.bmp", "16-bit 5-5-5 bit fields (ImageMagick)"),
    ]:
        run("convert", path("bmp_rgb24.bmp"), *args[:-1], args[-1] + path(name))
        add(name, why)
    # RLE8 written by hand: a run past the row's end (clipped, as Pillow does, with a warning), and data ending early
    w, h = 6, 4
    pal = b"".join(bytes([c * 40 % 256, c * 90 % 256, 255 - c * 30, 0]) for c in range(4))
    for name, rle, ok in [("bad_bmp_rle_overflow.bmp", b"\x09\x01\x00\x00\x06\x02\x00\x00\x03\x03\x03\x01\x00\x00"
                           b"\x00\x03\x01\x02\x03\x00\x06\x02\x00\x01", True),
                          ("bad_bmp_rle_short.bmp", b"\x06\x01\x00\x00\x06\x02\x00\x01", False)]:
        info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 8, 1, len(rle), 2835, 2835, 4, 0)
        offset = 14 + len(info) + len(pal)
        with open(path(name), "wb") as f:
            f.write(b"BM" + struct.pack("<IHHI", offset + len(rle), 0, 0, offset) + info + pal + rle)
        if ok:
            add(name, "RLE8 with runs past the row's end: Pillow's pixels, and a warning", ["past the end of a row"])
        else:
            refuse(name, "corrupt", "RLE data ends", "RLE8 data ending after 2 of 4 rows (Pillow: not enough image data)")
    d = bytearray(open(path("bmp_rgb24.bmp"), "rb").read())
    d[26] = 3  # planes: must be 1; Pillow ignores it
    with open(path("bmp_planes3.bmp"), "wb") as f:
        f.write(d)
    add("bmp_planes3.bmp", "a plane count other than 1 (Pillow ignores it)")
    for src, name in [("bmp_rgb24.bmp", "dib_rgb24.dib"), ("bmp_palette8.bmp", "dib_palette8.dib")]:
        with open(path(name), "wb") as f:
            f.write(open(path(src), "rb").read()[14:])
        add(name, "DIB: a BMP without its file header (Windows clipboard)")
    rgb = picture()
    # V2 (52) and V3 (56) headers: BI_BITFIELDS 32-bit and BI_RGB 24-bit, and an 8-bit palette after a V3 header
    for header in (52, 56):
        for bits in (32, 24, 8):
            if bits == 8:
                pimg = img.quantize(50)
                palette = pimg.getpalette()[: 50 * 3]
                pal = b"".join(bytes([palette[i * 3 + 2], palette[i * 3 + 1], palette[i * 3], 0]) for i in range(50))
                rows = [bytes(np.asarray(pimg)[y]) for y in range(H)]
            else:
                pal = b""
                rows = [bytes(rgb[y][:, ::-1].tobytes()) if bits == 24 else
                        bytes(np.column_stack([rgb[y][:, ::-1], np.full(W, 255, np.uint8)]).tobytes()) for y in range(H)]
            stride = (len(rows[0]) + 3) // 4 * 4
            pixels = b"".join(r.ljust(stride, b"\x00") for r in reversed(rows))
            comp = 3 if bits == 32 else 0
            info = struct.pack("<IiiHHIIiiII", header, W, H, 1, bits, comp, len(pixels), 2835, 2835,
                               50 if bits == 8 else 0, 0)
            masks = struct.pack("<III", 0xFF0000, 0xFF00, 0xFF) + (struct.pack("<I", 0xFF000000) if header == 56 else b"")
            info += masks
            offset = 14 + len(info) + len(pal)
            data = b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + info + pal + pixels
            name = f"bmp_v{2 if header == 52 else 3}_{bits}.bmp"
            with open(path(name), "wb") as f:
                f.write(data)
            add(name, f"BMP with a {header}-byte info header, {bits}-bit")


def pnm_corpus():
    Image.fromarray(picture()).save(path("ppm_rgb.ppm"))
    add("ppm_rgb.ppm", "binary PPM")
    Image.fromarray(gray().astype(np.uint16) * 200).save(path("pgm_gray16.pgm"))
    add("pgm_gray16.pgm", "16-bit PGM: mode I, clipped at 255 as Pillow does", ["clipped"])
    with open(path("pgm_maxval1000.pgm"), "wb") as f:
        f.write(b"P5\n%d %d\n1000\n" % (W, H) + (gray().astype(">u2") // 200).tobytes())
    add("pgm_maxval1000.pgm", "PGM with maxval 1000 (scaled to 16 bits, then clipped)", ["clipped"])


def gif_bytes(w, h, lzw):
    """A GIF with a 4-colour global table and one frame whose LZW data (min code size 2) is `lzw`."""
    table = bytes([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    return (b"GIF89a" + struct.pack("<HHBBB", w, h, 0x81, 0, 0) + table
            + b"\x2c" + struct.pack("<HHHHB", 0, 0, w, h, 0) + b"\x02" + bytes([len(lzw)]) + lzw + b"\x00\x3b")


def lzw_codes(codes, bits=3):
    v = sum(c << (i * bits) for i, c in enumerate(codes))
    return v.to_bytes((len(codes) * bits + 7) // 8, "little")


def exif_orientation_count(count, value=8):
    """EXIF whose Orientation entry says `count` values (the first in the entry's value field)."""
    data = bytearray(exif_bytes(value))
    tiff = data[6:]
    le = tiff[:2] == b"II"
    tag = struct.pack("<H" if le else ">H", 0x0112)
    at = 6 + tiff.index(tag, 8)
    data[at + 4:at + 8] = struct.pack("<I" if le else ">I", count)
    return bytes(data)


def write_sgi16_rle(name, w=4, h=2):
    """A 16-bit RGB SGI with RLE rows (Pillow writes only 8-bit SGI): one literal run per row and channel."""
    rng = np.random.default_rng(5)
    header = struct.pack(">hbbHHHHii4s80si404s", 474, 1, 2, 3, w, h, 3, 0, 65535, b"", b"", 0, b"")
    rows = [struct.pack(">H", 0x80 | w) + rng.integers(0, 65536, w).astype(">u2").tobytes() + b"\0\0"
            for _ in range(h * 3)]
    tables = 512 + 8 * h * 3
    starts, offset = [], tables
    for r in rows:
        starts.append(offset)
        offset += len(r)
    with open(path(name), "wb") as f:
        f.write(header + struct.pack(f">{h * 3}I", *starts) + struct.pack(f">{h * 3}I", *map(len, rows))
                + b"".join(rows))


def pillow_agreement_corpus():
    """Cases where i2v's decoders (giflib, libjpeg, libpng, FFmpeg) and Pillow part ways, found by fuzzing and by
    comparing the two on the fuzz corpus (Scripts/compare_with_pillow.py)."""
    # PNG: Pillow checks no checksum from the first IDAT on, and stops once it has every row
    png = open(path("png_rgb.png"), "rb").read()
    at = png.index(b"IDAT") - 4
    n = struct.unpack(">I", png[at:at + 4])[0]
    crc_end = at + 8 + n + 4
    with open(path("png_idat_bad_crc.png"), "wb") as f:
        f.write(png[:crc_end - 4] + bytes(b ^ 0xFF for b in png[crc_end - 4:crc_end]) + png[crc_end:])
    add("png_idat_bad_crc.png", "IDAT checksum wrong, data intact: Pillow does not check it")
    z = png[at + 8:at + 8 + n]
    tail = png_chunk(b"IDAT", z[-4:])
    with open(path("png_bad_chunk_after_rows.png"), "wb") as f:
        f.write(png[:at] + png_chunk(b"IDAT", z[:-4]) + tail[:4] + b"``\x82\x82" + tail[8:] + png_chunk(b"IEND", b""))
    add("png_bad_chunk_after_rows.png", "every row decoded, then a chunk with an invalid type: Pillow stops before it")
    # JPEG: an Orientation with no value is skipped by Pillow; of two values it takes the first (with a warning),
    # and the XMP's is hidden
    jpg = open(path("jpeg_420.jpg"), "rb").read()
    with open(path("jpeg_exif_orientation_count0.jpg"), "wb") as f:
        f.write(insert_after_soi(jpg, app1(exif_orientation_count(0))))
    add("jpeg_exif_orientation_count0.jpg", "EXIF Orientation with a count of 0: no turn")
    with open(path("jpeg_exif_orientation_count2.jpg"), "wb") as f:
        f.write(insert_after_soi(jpg, app1(exif_orientation_count(2)) + app1(b"http://ns.adobe.com/xap/1.0/\x00"
                                                                             + xmp_packet(6))))
    add("jpeg_exif_orientation_count2.jpg", "EXIF Orientation with 2 values (Pillow takes the first, 8) and an XMP one (6, hidden)")
    # every row read, then a marker segment cut by the end of the file: Pillow's source suspends there
    with open(path("jpeg_cut_segment_after_rows.jpg"), "wb") as f:
        f.write(jpg[:-2] + b"\xff\xc4\x00\xb5\x10\x00\x02\x01\x03\x03\x02\x04\x03\x05\x05\x04\x04\x00\x00\x01")
    add("jpeg_cut_segment_after_rows.jpg", "all rows, then a Huffman table segment cut by the end of the file")
    broken = bytearray(jpg)
    broken[2] = 0x00
    with open(path("bad_jpeg_no_marker_after_soi.jpg"), "wb") as f:
        f.write(broken)
    refuse("bad_jpeg_no_marker_after_soi.jpg", "corrupt", "damaged JPEG", "FF D8 not followed by a marker: "
           "Pillow cannot identify it, FFmpeg would guess")
    # GIF: an LZW code past the next table entry stops Pillow's decoder (giflib makes something of it)
    with open(path("gif_lzw_kwkwk.gif"), "wb") as f:
        f.write(gif_bytes(2, 1, lzw_codes([4, 1, 6, 5])))
    add("gif_lzw_kwkwk.gif", "LZW code equal to the next free entry (valid)")
    with open(path("bad_gif_lzw_code_past_table.gif"), "wb") as f:
        f.write(gif_bytes(2, 1, lzw_codes([4, 1, 7, 5])))
    refuse("bad_gif_lzw_code_past_table.gif", "corrupt", "LZW code out of range", "LZW code above the next entry")
    # PNM headers as PpmImagePlugin reads them; PAM, which it does not read
    data = np.asarray(Image.fromarray(picture())).tobytes()
    for name, header, how in [
            ("bad_ppm_token_too_long.ppm", b"P6\n00000000024 16\n255\n", "a header field of 11 characters"),
            ("bad_ppm_maxval0.ppm", b"P6\n24 16\n0\n", "maxval 0")]:
        with open(path(name), "wb") as f:
            f.write(header + data)
        refuse(name, "corrupt", "header is damaged", how)
    with open(path("ppm_comment_inside_token.ppm"), "wb") as f:
        f.write(b"P6\n2#x\n4 16\n255\n" + data)
    refuse("ppm_comment_inside_token.ppm", "corrupt", "Pillow reads 24x16", "a comment inside the width: Pillow "
           "joins the digits around it, FFmpeg does not; refused rather than guessed", pillow_reads=True)
    with open(path("pam_rgb.pam"), "wb") as f:
        f.write(b"P7\nWIDTH 24\nHEIGHT 16\nDEPTH 3\nMAXVAL 255\nTUPLTYPE RGB\nENDHDR\n" + data)
    refuse("pam_rgb.pam", "unsupported", "PAM images are not supported", "PAM: Pillow has no reader for it")
    # formats only FFmpeg reads here: those whose pixels equal Pillow's, and two that do not
    img = Image.fromarray(picture())
    img.save(path("pcx_rgb.pcx"))
    add("pcx_rgb.pcx", "PCX, RGB")
    img.quantize(64).save(path("pcx_palette.pcx"))
    add("pcx_palette.pcx", "PCX, palette")
    img.save(path("sgi_rgb.sgi"))
    add("sgi_rgb.sgi", "SGI, RGB")
    img.convert("RGBA").save(path("sgi_rgba.sgi"))
    add("sgi_rgba.sgi", "SGI, RGBA (alpha dropped)")
    write_sgi16_rle("sgi16_rle.sgi")
    refuse("sgi16_rle.sgi", "unsupported", "16-bit RLE or grayscale SGI images are not supported",
           "16-bit RLE SGI: FFmpeg's pixels differ from Pillow's on Pillow's own tv16.sgi", pillow_reads=True)
    img.save(path("dds_dxt1.dds"), pixel_format="DXT1")
    refuse("dds_dxt1.dds", "unsupported", "DDS images are not supported", "DXT1 DDS: FFmpeg's pixels differ from "
           "Pillow's", pillow_reads=True)
    img.convert("1").save(path("xbm_bitmap.xbm"))
    refuse("xbm_bitmap.xbm", "unsupported", "XBM images are not supported", "XBM: FFmpeg inverts Pillow's bits",
           pillow_reads=True)


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    tiff_corpus()
    jpeg_corpus()
    png_corpus()
    webp_corpus()
    gif_corpus()
    bmp_corpus()
    pnm_corpus()
    pillow_agreement_corpus()
    import PIL
    meta = {"pillow": PIL.__version__, "loader": "ImageOps.exif_transpose(Image.open(f)).convert('RGB')",
            "images": entries}
    with open(path("expected.json"), "w") as f:
        json.dump(meta, f, indent=1)
    pixels = sum(e["expect"] == "pixels" for e in entries)
    print(f"{len(entries)} files ({pixels} with Pillow's pixels, {len(entries) - pixels} refusals) in {OUT}")


if __name__ == "__main__":
    main()
