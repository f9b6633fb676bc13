#!/usr/bin/env python3
"""Reference videos for long prompts (--long-prompt) and prompt weighting (--prompt-syntax weighted), made by
diffusers' own I2VGenXLPipeline on the tiny fixture models.

The prompt embeddings are computed here the way AUTOMATIC1111's stable-diffusion-webui does it
(modules/prompt_parser.py `parse_prompt_attention`, modules/sd_hijack_clip.py `tokenize_line` and
`process_tokens`, modules/sd_emphasis.py `EmphasisOriginal`), with the fixture pipeline's own tokenizer and text
encoder (penultimate layer + final_layer_norm, the pipeline's clip_skip=1), then passed to
`I2VGenXLPipeline.__call__` as `prompt_embeds` / `negative_prompt_embeds`; everything after the text encoder is
diffusers'. The Swift side (Sources/I2VModels/Prompts) is an independent implementation of the same rules.

Writes Tests/Fixtures/reference-prompts/<config>/<case>.safetensors (+ .json with the settings):
  prompt_ids, negative_ids           int64 (chunks, 77)   the chunks' token ids
  prompt_weights, negative_weights   float32 (chunks, 77) each position's weight (1 for start/end/padding)
  prompt_embeds, negative_prompt_embeds (1, 77*chunks, D)
  frames_float (F,H,W,3), frames_uint8
Usage: .venv-ref/bin/python Scripts/make_prompt_fixtures.py   (or bash Scripts/make_fixtures.sh; CPU, a few seconds)
"""
import json
import os
import re
import shutil
import sys

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file

import diffusers
import transformers
from diffusers import I2VGenXLPipeline

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(REPO, "Tests/Fixtures")
OUT = os.path.join(FIX, "reference-prompts")

CHUNK = 75            # sd_hijack_clip.py: chunk_length
COMMA_BACKTRACK = 20  # shared options: comma_padding_backtrack (default)

# --- A1111's parse_prompt_attention (modules/prompt_parser.py) ------------------------------------------------
ATTENTION = re.compile(r"""
\\\(|\\\)|\\\[|\\]|\\\\|\\|\(|\[|:\s*([+-]?[.\d]+)\s*\)|\)|]|[^\\()\[\]:]+|:
""", re.X)
BREAK = re.compile(r"\s*\bBREAK\b\s*", re.S)


def parse_attention(text):
    res, round_open, square_open = [], [], []

    def multiply(start, m):
        for p in range(start, len(res)):
            res[p][1] *= m

    for m in ATTENTION.finditer(text):
        piece, weight = m.group(0), m.group(1)
        if piece.startswith("\\"):
            res.append([piece[1:], 1.0])
        elif piece == "(":
            round_open.append(len(res))
        elif piece == "[":
            square_open.append(len(res))
        elif weight is not None and round_open:
            multiply(round_open.pop(), float(weight))
        elif piece == ")" and round_open:
            multiply(round_open.pop(), 1.1)
        elif piece == "]" and square_open:
            multiply(square_open.pop(), 1 / 1.1)
        else:
            for i, part in enumerate(BREAK.split(piece)):
                if i > 0:
                    res.append(["BREAK", -1])
                res.append([part, 1.0])
    assert not round_open and not square_open, f"unbalanced brackets in {text!r} (the Swift side refuses these)"
    if not res:
        res = [["", 1.0]]
    i = 0
    while i + 1 < len(res):
        if res[i][1] == res[i + 1][1]:
            res[i][0] += res[i + 1][0]
            res.pop(i + 1)
        else:
            i += 1
    return res


def plain_parts(text):
    """Plain syntax with --long-prompt: the text as it is, BREAK still splitting chunks."""
    out = []
    for i, part in enumerate(BREAK.split(text)):
        if i > 0:
            out.append(["BREAK", -1])
        out.append([part, 1.0])
    return out


# --- A1111's tokenize_line (modules/sd_hijack_clip.py) --------------------------------------------------------
def chunks_of(pipe, parsed):
    tok = pipe.tokenizer
    comma = tok.get_vocab().get(",</w>")
    tokenized = tok([t for t, _ in parsed], truncation=False, add_special_tokens=False)["input_ids"]
    chunks, cur, mults = [], [], []
    last_comma = -1

    def finish():
        nonlocal cur, mults, last_comma
        pad = CHUNK - len(cur)
        ids = [tok.bos_token_id] + cur + [tok.eos_token_id] + [tok.pad_token_id] * pad
        ws = [1.0] + mults + [1.0] + [1.0] * pad
        chunks.append((ids, ws))
        cur, mults, last_comma = [], [], -1

    for tokens, (text, weight) in zip(tokenized, parsed):
        if text == "BREAK" and weight == -1:
            finish()
            continue
        for t in tokens:
            if t == comma:
                last_comma = len(cur)
            elif len(cur) == CHUNK and last_comma != -1 and len(cur) - last_comma <= COMMA_BACKTRACK:
                cut = last_comma + 1
                moved, moved_w = cur[cut:], mults[cut:]
                cur, mults = cur[:cut], mults[:cut]
                finish()
                cur, mults = moved, moved_w
            if len(cur) == CHUNK:
                finish()
            cur.append(t)
            mults.append(weight)
    if cur or not chunks:
        finish()
    return chunks


def truncated_chunk(pipe, parsed):
    """Without --long-prompt: one chunk, the first 75 tokens (diffusers' truncation), weights kept."""
    tok = pipe.tokenizer
    ids, ws = [], []
    for tokens, (_, weight) in zip(tok([t for t, _ in parsed], truncation=False, add_special_tokens=False)["input_ids"],
                                   parsed):
        ids += tokens
        ws += [weight] * len(tokens)
    ids, ws = ids[:CHUNK], ws[:CHUNK]
    pad = CHUNK - len(ids)
    return [([tok.bos_token_id] + ids + [tok.eos_token_id] + [tok.pad_token_id] * pad,
             [1.0] + ws + [1.0] + [1.0] * pad)]


def encode_chunk(pipe, ids, weights):
    """encode_prompt's text path for one chunk (clip_skip=1), then EmphasisOriginal (sd_emphasis.py)."""
    ids_t = torch.tensor([ids], dtype=torch.int64)
    out = pipe.text_encoder(ids_t, attention_mask=None, output_hidden_states=True)
    z = pipe.text_encoder.text_model.final_layer_norm(out[-1][-2])
    if all(w == 1.0 for w in weights):
        return z
    multipliers = torch.asarray(weights)  # float32, as A1111's torch.asarray(batch_multipliers)
    original_mean = z.mean()
    z = z * multipliers.reshape(multipliers.shape + (1,)).expand(z.shape)
    new_mean = z.mean()
    return z * (original_mean / new_mean)


def layout(pipe, text, syntax, long_prompt):
    parsed = parse_attention(text) if syntax == "weighted" else (plain_parts(text) if long_prompt else [[text, 1.0]])
    if not long_prompt:
        assert all(w != -1 for _, w in parsed), "BREAK is an ordinary word without --long-prompt: not covered here"
        return truncated_chunk(pipe, parsed)
    return chunks_of(pipe, parsed)


LONG = (
    "A breathtaking cinematic shot of an ancient stone castle perched on a cliff above a stormy sea, lightning "
    "illuminating the dark clouds while enormous waves crash against the jagged rocks below, seagulls circling in "
    "the howling wind, rain falling in heavy sheets, the camera slowly pushing in to reveal intricate carvings, "
    "moss-covered walls, flickering torches in narrow windows and a lone figure in a crimson cloak standing on the "
    "battlements, gazing toward the horizon where a faint golden light breaks through the storm, ultra detailed, "
    "dramatic lighting, 35mm film grain, volumetric fog, epic fantasy atmosphere"
)
LONG_NEGATIVE = (
    "blurry, low resolution, jpeg artifacts, watermark, text, signature, logo, cropped, out of frame, duplicate "
    "frames, flickering, jitter, static camera, motionless subject, distorted anatomy, extra limbs, missing limbs, "
    "deformed hands, deformed face, ugly, oversaturated colors, washed out colors, overexposed, underexposed, noise, "
    "grain, banding, compression artifacts, morphing, melting, stretched, warped perspective, bad composition, "
    "cartoon, sketch, painting"
)
WEIGHTED_LONG = (
    "A ((breathtaking)) cinematic shot of an ancient stone castle perched on a cliff above a (stormy sea:1.3), "
    "lightning illuminating the dark clouds while [enormous waves] crash against the jagged rocks below, seagulls "
    "circling in the howling wind BREAK rain falling in heavy sheets, the camera slowly pushing in to reveal "
    "intricate carvings, moss-covered walls, flickering torches in narrow windows and a lone figure in a (crimson "
    "cloak:1.2) standing on the battlements, gazing toward the horizon where a faint golden light breaks through the "
    "storm, ultra detailed, [[dramatic lighting]], 35mm film grain, volumetric fog, epic \\(fantasy\\) atmosphere"
)

COMMON = dict(image="square_48x48.png", steps=2, guidance=9.0, frames=3, fps=16, height=32, width=32)
CASES = {
    "tiny-a": [
        # a long prompt and a short negative prompt (padded with one empty chunk); the frames must differ from
        # Tests/Fixtures/reference/tiny-a/d_long_prompt (same prompt and seed, truncated)
        dict(name="a_long_plain", prompt=LONG, negative_prompt="blurry, low quality", syntax="plain", long=True,
             seed=2024, **COMMON),
        # a short prompt, a long negative prompt: the prompt is the one padded
        dict(name="b_long_negative", prompt="a sailboat on a calm lake at sunset", negative_prompt=LONG_NEGATIVE,
             syntax="plain", long=True, seed=1234, **COMMON),
        # every weighting form in one chunk, weighted negative prompt, no --long-prompt
        dict(name="c_weighted", prompt="a ((red)) fox [running] through (deep snow:1.4), \\(wild\\) [[forest]], "
             "(glowing eyes:0.8), (((moonlight)))", negative_prompt="(blurry:1.3), [static], low quality",
             syntax="weighted", long=False, seed=7, **COMMON),
        # weights, BREAK, escapes and the comma rule across chunks
        dict(name="d_weighted_long", prompt=WEIGHTED_LONG, negative_prompt="(blurry:1.2), (low quality), [text]",
             syntax="weighted", long=True, seed=99, **COMMON),
    ],
    "tiny-b": [
        dict(name="d_weighted_long", prompt=WEIGHTED_LONG, negative_prompt=LONG_NEGATIVE, syntax="weighted",
             long=True, seed=5, image="landscape_96x72.png", steps=2, guidance=7.5, frames=3, fps=12, height=32,
             width=32),
    ],
}


def embeds(pipe, chunks):
    return torch.cat([encode_chunk(pipe, ids, ws) for ids, ws in chunks], dim=1)


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    for cfg_name, cases in CASES.items():
        kw = dict(torch_dtype=torch.float32)
        if cfg_name == "tiny-a":
            kw["variant"] = "fp16"
        pipe = I2VGenXLPipeline.from_pretrained(os.path.join(FIX, "models", cfg_name), **kw)
        pipe.set_progress_bar_config(disable=True)
        assert type(pipe.tokenizer).__name__ == "CLIPTokenizer"
        # The encoding here is encode_prompt's own for an unweighted chunk.
        with torch.no_grad():
            ours = encode_chunk(pipe, *truncated_chunk(pipe, [["a sailboat on a calm lake", 1.0]])[0])
            pipe._guidance_scale = 1.0  # encode_prompt reads it (set by __call__); 1 = no negative prompt
            theirs, _ = pipe.encode_prompt("a sailboat on a calm lake", "cpu", 1, clip_skip=1)
        assert torch.equal(ours, theirs), "encode_chunk differs from the pipeline's encode_prompt"
        os.makedirs(os.path.join(OUT, cfg_name))
        for case in cases:
            for p in (case["prompt"], case["negative_prompt"]):
                assert p.isascii(), "ASCII only: ftfy and the basic cleanup tokenize it alike"
            with torch.no_grad():
                pos = layout(pipe, case["prompt"], case["syntax"], case["long"])
                neg = layout(pipe, case["negative_prompt"], case["syntax"], case["long"])
                n = max(len(pos), len(neg))
                empty = truncated_chunk(pipe, [["", 1.0]])[0]
                pos_padded, neg_padded = pos + [empty] * (n - len(pos)), neg + [empty] * (n - len(neg))
                prompt_embeds, negative_embeds = embeds(pipe, pos_padded), embeds(pipe, neg_padded)
                image = Image.open(os.path.join(FIX, "images", case["image"])).convert("RGB")
                frames = pipe(prompt_embeds=prompt_embeds, negative_prompt_embeds=negative_embeds, image=image,
                              height=case["height"], width=case["width"], target_fps=case["fps"],
                              num_frames=case["frames"], num_inference_steps=case["steps"],
                              guidance_scale=case["guidance"], generator=torch.manual_seed(case["seed"]),
                              output_type="np").frames
            frames = np.asarray(frames)[0].astype(np.float32)
            tensors = {
                "prompt_ids": torch.tensor([c[0] for c in pos_padded], dtype=torch.int64),
                "negative_ids": torch.tensor([c[0] for c in neg_padded], dtype=torch.int64),
                "prompt_weights": torch.tensor([c[1] for c in pos_padded], dtype=torch.float32),
                "negative_weights": torch.tensor([c[1] for c in neg_padded], dtype=torch.float32),
                "prompt_embeds": prompt_embeds.contiguous(),
                "negative_prompt_embeds": negative_embeds.contiguous(),
                "frames_float": torch.from_numpy(np.ascontiguousarray(frames)),
                "frames_uint8": torch.from_numpy(np.ascontiguousarray((frames * 255).round().astype(np.uint8))).contiguous(),
            }
            base = os.path.join(OUT, cfg_name, case["name"])
            save_file(tensors, base + ".safetensors")
            meta = {
                "config": cfg_name, "case": case["name"], "prompt": case["prompt"],
                "negative_prompt": case["negative_prompt"], "prompt_syntax": case["syntax"],
                "long_prompt": case["long"], "chunks": n, "prompt_chunks": len(pos), "negative_chunks": len(neg),
                "seed": case["seed"], "num_inference_steps": case["steps"], "guidance_scale": case["guidance"],
                "num_frames": case["frames"], "target_fps": case["fps"], "height": case["height"],
                "width": case["width"], "image": case["image"], "dtype": "float32", "device": "cpu",
                "tokenizer_ftfy": pipe.tokenizer.fix_text is not None,
                "versions": {"torch": torch.__version__, "diffusers": diffusers.__version__,
                             "transformers": transformers.__version__},
            }
            with open(base + ".json", "w") as f:
                json.dump(meta, f, indent=1)
                f.write("\n")
            print(f"{cfg_name}/{case['name']}: {len(pos)}+{len(neg)} chunks -> {n}, "
                  f"{os.path.getsize(base + '.safetensors') // 1024} KiB")


if __name__ == "__main__":
    sys.exit(main())
