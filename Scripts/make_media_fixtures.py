#!/usr/bin/env python3
"""Reference fixtures for I2VMedia's image decoding (issue 3): Tests/Fixtures/media/.

For every fixture image this writes the file itself plus what the reference loader makes of it,
PIL's `ImageOps.exif_transpose(img).convert("RGB")` (what diffusers.utils.load_image does), as raw RGB
bytes (<name>.rgb, row-major). manifest.json lists them:

    {"file": "jpeg_420.jpg", "reference": "jpeg_420.rgb", "width": W, "height": H,
     "compare": "exact", "orientation": 1..8, "note": "..."}

compare: "exact"  our decode must equal the reference byte for byte (every format: i2v decodes JPEG, TIFF and WebP
         with the libraries Pillow uses; the wider input corpus is Scripts/make_image_corpus.py)

Also writes a few deliberately bad files (huge dimensions in otherwise valid headers).
PNG variants PIL cannot write (2-bit gray, 16-bit, Adam7 interlacing) come from a tiny PNG writer below; their
references are still what PIL decodes (16-bit grayscale included: PIL clips it at 255, and so does i2v, with a
warning).

Needs only Pillow (no numpy). Usage: python3 Scripts/make_media_fixtures.py   (or .venv-ref/bin/python)
"""
import io
import json
import os
import random
import struct
import zlib

import PIL
from PIL import Image, ImageOps

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "media")


def synthetic(w, h, seed=1):
    """Smooth gradients, hard edges (a disc, stripes, a square) and mild noise: realistic work for JPEG."""
    rnd = random.Random(seed)
    px = []
    cx, cy, r2 = w * 0.62, h * 0.45, (min(w, h) * 0.28) ** 2
    for y in range(h):
        for x in range(w):
            r = int(255 * x / max(1, w - 1))
            g = int(255 * y / max(1, h - 1))
            b = int(128 + 100 * ((x + 2 * y) % 17) / 17 - 50)
            if (x - cx) ** 2 + (y - cy) ** 2 < r2:
                r, g, b = 230, 40, 60
            if x < w // 5 and y < h // 4:
                r, g, b = 20, 200, 40
            if (x // 3) % 2 == 0 and y > h * 0.8:
                r, g, b = 250, 250, 250
            n = rnd.randint(-6, 6)
            px.append((max(0, min(255, r + n)), max(0, min(255, g + n)), max(0, min(255, b - n))))
    img = Image.new("RGB", (w, h))
    img.putdata(px)
    return img


def reference_bytes(path):
    with Image.open(path) as im:
        return ImageOps.exif_transpose(im).convert("RGB")


# ---- a minimal PNG writer for what PIL cannot produce ----

def chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def pack_row(samples, depth):
    if depth == 8:
        return bytes(samples)
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    out, acc, nbits = bytearray(), 0, 0
    for s in samples:
        acc = (acc << depth) | s
        nbits += depth
        if nbits == 8:
            out.append(acc)
            acc, nbits = 0, 0
    if nbits:
        out.append(acc << (8 - nbits))
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(path, w, h, color_type, depth, rows, interlace=False):
    """rows: list of lists of samples (channels interleaved)."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    raw = bytearray()
    if not interlace:
        for row in rows:
            raw += b"\0" + pack_row(row, depth)
    else:
        for x0, y0, dx, dy in ADAM7:
            for y in range(y0, h, dy):
                sub = []
                for x in range(x0, w, dx):
                    sub += rows[y][x * channels:(x + 1) * channels]
                if sub:
                    raw += b"\0" + pack_row(sub, depth)
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, 1 if interlace else 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def exif_with_orientation(o):
    exif = Image.Exif()
    exif[0x0112] = o
    return exif.tobytes()


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    manifest = []

    def add(file, compare, note="", reference=None):
        path = os.path.join(OUT, file)
        ref = reference if reference is not None else reference_bytes(path)
        raw_name = os.path.splitext(file)[0] + ".rgb"
        with open(os.path.join(OUT, raw_name), "wb") as f:
            f.write(ref.tobytes())
        with Image.open(path) as im:
            orientation = im.getexif().get(0x0112, 1)
        entry = {"file": file, "reference": raw_name, "width": ref.width, "height": ref.height,
                 "compare": compare, "orientation": orientation}
        if note:
            entry["note"] = note
        manifest.append(entry)

    base = synthetic(37, 23)           # odd sizes exercise chroma edge handling
    big = synthetic(61, 45, seed=2)

    # PNG, every colour type PIL writes.
    base.save(os.path.join(OUT, "png_rgb.png")); add("png_rgb.png", "exact")
    rgba = base.copy(); rgba.putalpha(Image.linear_gradient("L").resize(base.size))
    rgba.save(os.path.join(OUT, "png_rgba.png")); add("png_rgba.png", "exact", "alpha discarded, not composited")
    base.convert("L").save(os.path.join(OUT, "png_gray.png")); add("png_gray.png", "exact")
    la = base.convert("LA"); la.putalpha(128)
    la.save(os.path.join(OUT, "png_gray_alpha.png")); add("png_gray_alpha.png", "exact")
    pal = base.quantize(colors=200)
    pal.save(os.path.join(OUT, "png_palette.png")); add("png_palette.png", "exact")
    pal.save(os.path.join(OUT, "png_palette_trns.png"), transparency=3)
    add("png_palette_trns.png", "exact", "tRNS ignored")
    base.quantize(colors=12).save(os.path.join(OUT, "png_palette_4bit.png"), bits=4)
    add("png_palette_4bit.png", "exact")
    base.convert("1").save(os.path.join(OUT, "png_1bit.png")); add("png_1bit.png", "exact")
    base.save(os.path.join(OUT, "png_exif_orient6.png"), exif=exif_with_orientation(6))
    add("png_exif_orient6.png", "exact", "eXIf orientation 6 applied")

    # PNG variants from the minimal writer.
    w, h = base.size
    rgb = list(base.getdata())
    gray = list(base.convert("L").getdata())
    rows16 = [[min(65535, c * 257 + ((x * 7 + y) % 200)) for (x, px) in enumerate(rgb[y * w:(y + 1) * w]) for c in px] for y in range(h)]
    write_png(os.path.join(OUT, "png_rgb16.png"), w, h, 2, 16, rows16); add("png_rgb16.png", "exact")
    write_png(os.path.join(OUT, "png_gray2.png"), w, h, 0, 2, [[g >> 6 for g in gray[y * w:(y + 1) * w]] for y in range(h)])
    add("png_gray2.png", "exact")
    write_png(os.path.join(OUT, "png_interlaced.png"), w, h, 2, 8,
              [[c for px in rgb[y * w:(y + 1) * w] for c in px] for y in range(h)], interlace=True)
    add("png_interlaced.png", "exact")
    g16 = [[min(65535, g * 257 + (x % 50)) for x, g in enumerate(gray[y * w:(y + 1) * w])] for y in range(h)]
    write_png(os.path.join(OUT, "png_gray16.png"), w, h, 0, 16, g16)
    add("png_gray16.png", "exact", "PIL clips 16-bit gray at 255 (mode I;16 -> RGB); i2v too, with a warning")

    # JPEG: subsamplings, gray, progressive, CMYK, and every EXIF orientation.
    big.save(os.path.join(OUT, "jpeg_420.jpg"), quality=90, subsampling=2); add("jpeg_420.jpg", "exact")
    big.save(os.path.join(OUT, "jpeg_422.jpg"), quality=90, subsampling=1); add("jpeg_422.jpg", "exact")
    big.save(os.path.join(OUT, "jpeg_444.jpg"), quality=90, subsampling=0); add("jpeg_444.jpg", "exact")
    big.convert("L").save(os.path.join(OUT, "jpeg_gray.jpg"), quality=90); add("jpeg_gray.jpg", "exact")
    big.save(os.path.join(OUT, "jpeg_progressive.jpg"), quality=85, progressive=True)
    add("jpeg_progressive.jpg", "exact")
    big.convert("CMYK").save(os.path.join(OUT, "jpeg_cmyk.jpg"), quality=95); add("jpeg_cmyk.jpg", "exact")
    small = synthetic(24, 16, seed=3)  # not square, so a missed width/height swap fails
    for o in range(1, 9):
        name = f"jpeg_orient{o}.jpg"
        small.save(os.path.join(OUT, name), quality=92, exif=exif_with_orientation(o))
        add(name, "exact")

    # Other formats FFmpeg decodes.
    base.save(os.path.join(OUT, "bmp_rgb.bmp")); add("bmp_rgb.bmp", "exact")
    base.save(os.path.join(OUT, "tiff_rgb.tif"), compression="tiff_lzw"); add("tiff_rgb.tif", "exact")
    pal.save(os.path.join(OUT, "gif_palette.gif")); add("gif_palette.gif", "exact")
    base.save(os.path.join(OUT, "ppm_rgb.ppm")); add("ppm_rgb.ppm", "exact")
    base.save(os.path.join(OUT, "webp_lossless.webp"), lossless=True); add("webp_lossless.webp", "exact")
    big.save(os.path.join(OUT, "webp_lossy.webp"), quality=90); add("webp_lossy.webp", "exact")
    # A PNG named .jpg: the content decides.
    base.save(os.path.join(OUT, "png_named.jpg"), format="PNG"); add("png_named.jpg", "exact", "PNG content, .jpg name")

    # Bad inputs: valid headers announcing absurd sizes (must be refused before decoding).
    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    with open(os.path.join(OUT, "bad_huge.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))
    buf = io.BytesIO(); synthetic(8, 8).save(buf, "JPEG", quality=80)
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", 60000, 60000)  # height, width
    with open(os.path.join(OUT, "bad_huge.jpg"), "wb") as f:
        f.write(bytes(data))

    manifest.sort(key=lambda e: e["file"])
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"generator": "Scripts/make_media_fixtures.py", "pillow": PIL.__version__,
                   "images": manifest}, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(manifest)} fixtures, {total} bytes, to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
