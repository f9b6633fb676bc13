#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (Tests/Fixtures/fuzz/TARGET/seed-*), small valid inputs made from
the repository's own fixtures and a few hand-built files, so that the fuzzers start from inputs that reach deep
into each parser. Inputs that once found a bug are kept next to them as `crash-*` / `regress-*` files (by hand,
from Scripts/fuzz.sh's output); this script never deletes those.

Python standard library only:  python3 Scripts/make_fuzz_seeds.py
"""
import json
import os
import shutil
import struct

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "Tests/Fixtures/fuzz")
FIX = os.path.join(REPO, "Tests/Fixtures")


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def safetensors(tensors, metadata=None):
    header = {}
    blobs = b""
    for name, (dtype, shape, data) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blobs), len(blobs) + len(data)]}
        blobs += data
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + blobs


def main():
    for target in os.listdir(OUT) if os.path.isdir(OUT) else []:
        for name in os.listdir(os.path.join(OUT, target)):
            if name.startswith("seed-"):
                os.remove(os.path.join(OUT, target, name))

    write("safetensors", "f32.safetensors", safetensors({"w": ("F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4))},
                                                          {"format": "pt"}))
    write("safetensors", "mixed.safetensors", safetensors({
        "a.weight": ("F16", [3], struct.pack("<3e", 1.0, -2.0, 0.5)),
        "b.bias": ("BF16", [1, 2], b"\x80\x3f\x00\x40"),
        "c": ("I64", [1], struct.pack("<q", 7)),
        "empty": ("F32", [0, 4], b""),
    }))
    write("safetensors", "scalar.safetensors", safetensors({"s": ("F64", [], struct.pack("<d", 3.5))}))

    for comp in ["unet", "vae", "text_encoder", "image_encoder"]:
        with open(os.path.join(FIX, "real/configs", comp, "config.json"), "rb") as f:
            write("model-config", f"real-{comp}.json", f.read())
    with open(os.path.join(FIX, "real/configs/scheduler/scheduler_config.json"), "rb") as f:
        write("model-config", "real-scheduler.json", f.read())
    for comp in ["unet", "vae"]:
        with open(os.path.join(FIX, "models/tiny-b", comp, "config.json"), "rb") as f:
            write("model-config", f"tiny-b-{comp}.json", f.read())

    for name in sorted(os.listdir(os.path.join(REPO, "Presets"))):
        with open(os.path.join(REPO, "Presets", name), "rb") as f:
            write("preset", name, f.read())

    write("manifest", "jobs.csv", 'image,prompt,negative_prompt,seed,steps,guidance\r\n'
          'cat.png,"a cat, turning ""slowly""",blurry,42,20,7.5\r\n\r\ndog.png,"two\nlines",,,,auto\n')
    write("manifest", "jobs.tsv", "image\tprompt\tframes\tfps\ttext_cleanup\tprompt_syntax\tlong_prompt\n"
          "a.png\t(x:1.2), y\t16\t8\tbasic\tweighted\tyes\n")
    write("manifest", "jobs.jsonl", '{"image": "cat.png", "prompt": "a cat", "seed": 18446744073709551615}\n'
          '{"image": "w.jpg", "preset": "high_motion", "steps": 60, "output": "w-long", "width": 512}\n')

    prompts = {
        "plain.txt": "a cat turning its head, slow motion, 4k",
        "mojibake.txt": "cafÃ© â€œquotedâ€\x9d Ã la carte doesnÃ¢â‚¬â„¢t",
        "cjk.txt": "東京の夜景、ネオン 서울 一只猫",
        "entities.txt": "&amp;&lt;&#233;&#x1F600;&EACUTE;&#59; <b>x</b> &amp;",
        "emoji.txt": "👩‍🚀🏳️‍🌈 1️⃣ \u200bzero\u200dwidth\ufeff",
        "controls.txt": "\x1b[31mred\x1b[0m\r\nline\x85next\u2028sep\x00nul\x7f",
        "width.txt": "ＬＯＵＤ　ＮＯＩＳＥＳ ｶﾀｶﾅ ﬁﬂ ĳ ǆ “x” ‘y’",
        "special.txt": "a<|endoftext|>b <|startoftext|> <|ENDOFTEXT|>",
        "long.txt": ", ".join(["blurry", "distorted", "low quality"] * 40),
    }
    for name, text in prompts.items():
        write("tokenizer", name, text)

    weighted = {
        "forms.txt": "a ((red)) fox [running] through (deep snow:1.4), \\(wild\\) [[forest]], (eyes:0.8)",
        "long-break.txt": ", ".join(["(storm:1.2) clouds", "[rain]", "waves"] * 20) + " BREAK a lighthouse BREAK",
        "nested.txt": "((((a (b:1.5) [c [d]])))) \\\\ \\[e\\] (f: 2) (g:-0.5) (h:.5) (time: dawn)",
        "unclosed.txt": "a cat (turning its head",
        "bad-number.txt": "(cat:1.2.3) (dog:) [x:1.5] a) b]",
    }
    for name, text in weighted.items():
        write("prompt", name, text)

    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1, "a": 2, "a</w>": 3, "c": 4, "t</w>": 5, "ca": 6, "cat</w>": 7}
    merges = "#version: 0.2\nc a\nca t</w>\n"
    write("tokenizer-files", "small", json.dumps(vocab).encode() + b"\x00" + merges.encode())
    write("tokenizer-files", "no-merges", json.dumps(vocab).encode() + b"\x00")
    write("tokenizer-files", "bad-merge", json.dumps(vocab).encode() + b"\x00#version: 0.2\nc\n")

    for name in ["png_1bit.png", "png_gray2.png", "png_palette_4bit.png", "png_gray_alpha.png", "jpeg_orient6.jpg",
                 "jpeg_gray.jpg", "webp_lossy.webp", "gif_palette.gif", "bmp_rgb.bmp", "bad_huge.png"]:
        src = os.path.join(FIX, "media", name)
        if os.path.exists(src):
            with open(src, "rb") as f:
                write("image", name, f.read())
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(OUT) for f in fs)
    print(f"wrote seeds under {OUT} ({total} bytes in all)")


if __name__ == "__main__":
    main()
