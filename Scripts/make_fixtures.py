#!/usr/bin/env python3
"""Tiny random-weight I2VGen-XL pipelines + diffusers reference dumps for the Swift parity tests.

For every configuration in CONFIGS this script
  1. builds an I2VGenXLPipeline with diffusers/transformers classes (I2VGenXLUNet, AutoencoderKL,
     CLIPTextModel, CLIPVisionModelWithProjection, CLIPImageProcessor, CLIPTokenizer from the REAL
     ali-vilab/i2vgen-xl tokenizer files, DDIMScheduler from the REAL scheduler config), re-randomises every
     parameter deterministically, and saves it with `save_pretrained` (safetensors) to
     Tests/Fixtures/models/<config>/  (tokenizer/ files are then replaced by byte-exact copies of the real ones);
  2. loads it back with `I2VGenXLPipeline.from_pretrained(..., torch_dtype=torch.float32)` and runs the
     reference pipeline on CPU in float32 with `generator=torch.manual_seed(seed)` for each case, capturing
     intermediates by wrapping the pipeline's own modules/methods (nothing is reimplemented), and writes
     Tests/Fixtures/reference/<config>/<case>.safetensors + <case>.json;
  3. writes Tests/Fixtures/reference/manifest.json (configs, derived dims, cases, versions).

Input images are synthetic PNGs written to Tests/Fixtures/images/.

Tensors in each <case>.safetensors (float32 unless noted; N = 2 with CFG, 1 without; F frames; h, w latent size):
  prompt_ids              int64 (1,77)   tokenizer ids the text encoder received for the prompt
  negative_ids            int64 (1,77)   ... for the negative prompt ("" by default)        [CFG cases only]
  prompt_embeds           (1,77,D)       encode_prompt output (final_layer_norm(hidden_states[-2]))
  negative_prompt_embeds  (1,77,D)                                                          [CFG cases only]
  clip_pixel_values       (1,3,S,S)      image-encoder input after CLIP normalisation
  image_embeds            (1,D)          CLIPVisionModelWithProjection.image_embeds
  image_embeddings        (N,1,D)        UNet input: [zeros, image_embeds] with CFG, image_embeds without
  vae_input               (1,3,H,W)      VAE encoder input in [-1,1] (after _center_crop_wide(image, (W,H)))
  vae_posterior_mean      (1,4,h,w)      latent_dist.mean
  vae_posterior_std       (1,4,h,w)      latent_dist.std
  vae_posterior_noise     (1,4,h,w)      first draw of torch.manual_seed(seed)
  vae_posterior_sample    (1,4,h,w)      mean + std * noise (unscaled)
  image_latents           (N,4,F,h,w)    UNet input: [scaling_factor*sample, mask frames i/(F-1)], CFG-duplicated
  initial_noise           (1,4,F,h,w)    second draw of the same generator (prepare_latents output)
  timesteps               int64 (steps,) scheduler.timesteps
  fps                     int64 (N,)     UNet fps input
  unet_out_step0          (N,4,F,h,w)    UNet output at the first step (both CFG halves: [uncond, cond])
  latents_step0           (1,4,F,h,w)    latents after the first scheduler step
  final_latents           (1,4,F,h,w)    latents entering decode_latents
  decoded_from_final      (1,3,F,H,W)    decode_latents output, before clamp               [a_default cases only]
  frames_float            (F,H,W,3)      the pipeline's output_type="np" result
  frames_uint8            uint8 (F,H,W,3) round-half-even(frames_float*255) as numpy_to_pil does
Not dumped because they are exact copies of dumped tensors: UNet sample at step 0 = cat([initial_noise]*N),
encoder_hidden_states = cat([negative_prompt_embeds, prompt_embeds]) (or prompt_embeds without CFG).

Usage: .venv-ref/bin/python Scripts/make_fixtures.py   (or: bash Scripts/make_fixtures.sh)
"""
import functools
import importlib.util
import json
import math
import os
import shutil
import sys
import time

import numpy as np
import PIL
from PIL import Image
import torch
from safetensors.torch import save_file

import diffusers
import transformers
from diffusers import AutoencoderKL, DDIMScheduler, I2VGenXLPipeline, I2VGenXLUNet
from diffusers.image_processor import VaeImageProcessor
from transformers import (
    CLIPImageProcessor,
    CLIPTextConfig,
    CLIPTextModel,
    CLIPTokenizer,
    CLIPVisionConfig,
    CLIPVisionModelWithProjection,
)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.environ.get("I2V_REAL_CONFIGS", os.path.join(REPO, "Tests/Fixtures/real/configs"))
FIX = os.path.join(REPO, "Tests/Fixtures")
MODELS = os.path.join(FIX, "models")
REFS = os.path.join(FIX, "reference")
IMAGES = os.path.join(FIX, "images")

# --------------------------------------------------------------------------------------------------
# Configurations. They differ in every dimension the Swift code could hard-code.
#   tiny-a: weights saved as the `fp16` variant only (*.fp16.safetensors, F16 tensors; the random weights
#           were rounded through fp16 first, so the float32 reference run uses exactly these values).
#           UNet 4 blocks (3 upsamplers, like the real model), VAE 2 blocks (vae_scale_factor 2),
#           GELU in both CLIP towers, scaling_factor 0.18125.
#   tiny-b: weights saved as float32 (*.safetensors, F32). UNet 3 blocks, VAE 4 blocks (vae_scale_factor 8),
#           quick_gelu in the vision tower, scaling_factor 0.13025.
# Consistency required by the pipeline/UNet: text hidden_size == unet.cross_attention_dim (encoder_hidden_states
# width) == image_encoder.projection_dim (context_embedding input); feature_extractor crop_size == vision
# image_size; unet.in_channels == vae.latent_channels == 4 (image_latents_* convs hard-code 4 input channels);
# every UNet channel count (and every up-path concat) divisible by norm_num_groups and by attention_head_dim.
# --------------------------------------------------------------------------------------------------
CONFIGS = {
    "tiny-a": dict(
        variant="fp16",
        unet=dict(
            block_out_channels=(8, 12, 16, 16),
            down_block_types=("CrossAttnDownBlock3D", "CrossAttnDownBlock3D", "CrossAttnDownBlock3D", "DownBlock3D"),
            up_block_types=("UpBlock3D", "CrossAttnUpBlock3D", "CrossAttnUpBlock3D", "CrossAttnUpBlock3D"),
            layers_per_block=1,
            norm_num_groups=4,
            attention_head_dim=4,
            cross_attention_dim=12,
            num_attention_heads=None,
            sample_size=16,
        ),
        vae=dict(
            block_out_channels=(8, 16),
            down_block_types=("DownEncoderBlock2D",) * 2,
            up_block_types=("UpDecoderBlock2D",) * 2,
            layers_per_block=1,
            norm_num_groups=2,
            scaling_factor=0.18125,
            sample_size=32,
        ),
        text=dict(hidden_size=12, num_attention_heads=3, num_hidden_layers=3, intermediate_size=40, hidden_act="gelu",
                  projection_dim=12),
        vision=dict(hidden_size=12, num_attention_heads=2, num_hidden_layers=2, intermediate_size=28, image_size=32,
                    patch_size=8, projection_dim=12, hidden_act="gelu"),
    ),
    "tiny-b": dict(
        variant=None,
        unet=dict(
            block_out_channels=(6, 12, 12),
            down_block_types=("CrossAttnDownBlock3D", "CrossAttnDownBlock3D", "DownBlock3D"),
            up_block_types=("UpBlock3D", "CrossAttnUpBlock3D", "CrossAttnUpBlock3D"),
            layers_per_block=2,
            norm_num_groups=3,
            attention_head_dim=6,
            cross_attention_dim=6,
            num_attention_heads=None,
            sample_size=8,
        ),
        vae=dict(
            block_out_channels=(4, 8, 8, 8),
            down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4,
            layers_per_block=2,
            norm_num_groups=4,
            scaling_factor=0.13025,
            sample_size=64,
        ),
        text=dict(hidden_size=6, num_attention_heads=2, num_hidden_layers=4, intermediate_size=24, hidden_act="gelu",
                  projection_dim=6),
        vision=dict(hidden_size=20, num_attention_heads=4, num_hidden_layers=3, intermediate_size=36, image_size=28,
                    patch_size=4, projection_dim=6, hidden_act="quick_gelu"),
    ),
}

# The tokenizer files (1.5 MB) are stored once: the first config gets byte-exact copies of the real files, the
# others get a relative symlink `tokenizer -> ../<first>/tokenizer` (like the Hugging Face cache, which is all
# symlinks). Set to False to write real copies everywhere.
TOKENIZER_SYMLINK = True

# Input images (synthetic, deterministic): name -> (width, height, seed)
IMAGE_SPECS = {
    "square_48x48.png": (48, 48, 1),
    "landscape_96x72.png": (96, 72, 2),
    "wide_55x31.png": (55, 31, 3),
    "wide_102x58.png": (102, 58, 4),
}

LONG_PROMPT = (
    "A breathtaking cinematic shot of an ancient stone castle perched on a cliff above a stormy sea, lightning "
    "illuminating the dark clouds while enormous waves crash against the jagged rocks below, seagulls circling in "
    "the howling wind, rain falling in heavy sheets, the camera slowly pushing in to reveal intricate carvings, "
    "moss-covered walls, flickering torches in narrow windows and a lone figure in a crimson cloak standing on the "
    "battlements, gazing toward the horizon where a faint golden light breaks through the storm, ultra detailed, "
    "dramatic lighting, 35mm film grain, volumetric fog, epic fantasy atmosphere"
)

# Cases per config. (a) default-ish CFG, (b) no CFG, (c) negative prompt, (d) >77-token prompt,
# (e) non-square video whose latent size forces the UNet up path to the skip sizes,
# (f) input image of a different aspect ratio: one-pixel-short BOX resize + black edge (diffusers' _center_crop_wide).
CASES = {
    # tiny-a: vae_scale_factor 2, 3 UNet upsamplers -> the up path is forced to the skip sizes iff H or W % 16 != 0
    "tiny-a": [
        dict(name="a_default", prompt="A painting of a squirrel eating a burger", image="square_48x48.png",
             dump_decoded=True, seed=42, steps=3, guidance=9.0, frames=3, fps=16, height=32, width=32),
        dict(name="b_nocfg", prompt="a red fox running through the snow", image="square_48x48.png",
             seed=7, steps=2, guidance=1.0, frames=3, fps=16, height=32, width=32),
        dict(name="c_negative", prompt="a sailboat on a calm lake at sunset",
             negative_prompt="Distorted, discontinuous, Ugly, blurry, low resolution, motionless, static",
             image="square_48x48.png", seed=1234, steps=2, guidance=7.5, frames=2, fps=8, height=32, width=32),
        dict(name="d_long_prompt", prompt=LONG_PROMPT, image="square_48x48.png",
             seed=2024, steps=2, guidance=9.0, frames=3, fps=16, height=32, width=32),
        dict(name="e_nonsquare", prompt="waves crashing on black volcanic sand", image="square_48x48.png",
             seed=5, steps=2, guidance=9.0, frames=3, fps=16, height=40, width=24, decode_chunk_size=2),
        dict(name="f_wide_image", prompt="Papers were floating in the air on a table in the library",
             image="wide_55x31.png", seed=8888, steps=2, guidance=9.0, frames=3, fps=16, height=24, width=40),
    ],
    # tiny-b: vae_scale_factor 8, 2 UNet upsamplers -> forced iff H or W % 32 != 0
    "tiny-b": [
        dict(name="a_default", prompt="my cat", image="landscape_96x72.png", dump_decoded=True,
             seed=0, steps=3, guidance=9.0, frames=3, fps=16, height=64, width=64),
        dict(name="b_nocfg", prompt="an astronaut riding a horse on mars", image="landscape_96x72.png",
             seed=31337, steps=2, guidance=1.0, frames=3, fps=12, height=32, width=32),
        dict(name="c_negative", prompt="Close-up of a hummingbird drinking nectar, slow motion",
             negative_prompt="blurry, low quality, watermark", image="landscape_96x72.png",
             seed=99, steps=2, guidance=6.0, frames=4, fps=16, height=32, width=32),
        dict(name="d_long_prompt", prompt=LONG_PROMPT + ", " + LONG_PROMPT.lower(), image="landscape_96x72.png",
             seed=123, steps=2, guidance=9.0, frames=2, fps=16, height=32, width=32),
        # A prompt ftfy's cleanup rewrites (full-width letters, mojibake, curly quotes, an entity, a ligature) and
        # whose CJK the no-ftfy cleanup would split: the fixtures' tokens are those of the ftfy path.
        dict(name="e_nonsquare", prompt="neon-lit cyberpunk street in the rain at night, \uff34\uff2f\uff2b\uff39\uff2f "
             "\u6771\u4eac\u306e\u591c \u201ccaf\u00c3\u00a9\u201d &amp; \ufb01sh", image="landscape_96x72.png",
             seed=77, steps=2, guidance=9.0, frames=3, fps=16, height=40, width=56),
        dict(name="f_wide_image", prompt="a timelapse of clouds rolling over a bridge", image="wide_102x58.png",
             seed=4242, steps=2, guidance=9.0, frames=3, fps=16, height=40, width=72, decode_chunk_size=3),
    ],
}


# --------------------------------------------------------------------------------------------------
def synth_image(w, h, seed):
    """Deterministic RGB image: smooth gradients, stripes, a disc, a checker patch and mild noise."""
    rng = np.random.RandomState(1000 + seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255.0 * (0.15 + 0.7 * x / max(w - 1, 1))
    g = 255.0 * (0.1 + 0.8 * y / max(h - 1, 1))
    b = 127.5 + 110.0 * np.sin(2 * np.pi * (x + 1.7 * y) / (5.0 + seed))
    img = np.stack([r, g, b], axis=-1)
    stripe = (x.astype(int) + 2 * y.astype(int) + seed) % 11 < 2
    img[stripe] *= 0.4
    cx, cy, rad = w * (0.3 + 0.1 * seed % 0.4), h * 0.55, min(w, h) * 0.22
    img[(x - cx) ** 2 + (y - cy) ** 2 < rad ** 2] = [240, 200 - 30 * seed, 40 + 40 * seed]
    chk = (x > w * 0.7) & (y < h * 0.35) & (((x.astype(int) // 2) + (y.astype(int) // 2)) % 2 == 0)
    img[chk] = [255, 255, 255]
    img += rng.uniform(-12, 12, size=img.shape)
    return Image.fromarray(np.clip(np.round(img), 0, 255).astype(np.uint8), "RGB")


def randomize_(module, gen):
    """Deterministically re-draw every parameter so that no tensor is trivial (no zero-init conv, no identity
    norms, no zero biases): weights ~ N(0, 1/fan_in), norm weights ~ 1 + 0.1 N, biases ~ 0.05 N,
    embeddings ~ 0.5 N."""
    for name, p in sorted(module.named_parameters(), key=lambda kv: kv[0]):
        with torch.no_grad():
            leaf = name.rsplit(".", 1)[-1]
            is_norm = any(k in name for k in ("norm", "layrnorm", "layernorm", "layer_norm", "conv1.0.", "conv2.0.",
                                              "conv3.0.", "conv4.0."))
            if p.ndim == 1 and is_norm and leaf == "weight":
                v = 1.0 + 0.1 * torch.randn(p.shape, generator=gen)
            elif leaf == "bias" or p.ndim == 1:
                v = (0.5 if "class_embedding" in name else 0.05) * torch.randn(p.shape, generator=gen)
            elif "embedding" in name and p.ndim == 2 and ("token" in name or "position" in name):
                v = 0.5 * torch.randn(p.shape, generator=gen)
            else:
                fan_in = p[0].numel()
                v = torch.randn(p.shape, generator=gen) / math.sqrt(fan_in)
            p.copy_(v)


def build_pipeline(cfg_name, cfg):
    gen = torch.Generator().manual_seed(sum(map(ord, cfg_name)))
    unet = I2VGenXLUNet(in_channels=4, out_channels=4, **cfg["unet"])
    vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, act_fn="silu", **cfg["vae"])

    real_text = json.load(open(os.path.join(REAL, "text_encoder/config.json")))
    tcfg = {k: v for k, v in real_text.items() if not k.startswith("_") and k not in ("architectures", "torch_dtype",
                                                                                        "transformers_version")}
    tcfg.update(cfg["text"])
    text_encoder = CLIPTextModel(CLIPTextConfig(**tcfg))

    real_vis = json.load(open(os.path.join(REAL, "image_encoder/config.json")))
    vcfg = {k: v for k, v in real_vis.items() if not k.startswith("_") and k not in ("architectures", "torch_dtype",
                                                                                      "transformers_version")}
    vcfg.update(cfg["vision"])
    image_encoder = CLIPVisionModelWithProjection(CLIPVisionConfig(**vcfg))

    fe = json.load(open(os.path.join(REAL, "feature_extractor/preprocessor_config.json")))
    S = cfg["vision"]["image_size"]
    fe.pop("image_processor_type", None)
    fe["crop_size"] = {"height": S, "width": S}
    fe["size"] = {"shortest_edge": S}
    feature_extractor = CLIPImageProcessor(**fe)

    tokenizer = CLIPTokenizer.from_pretrained(os.path.join(REAL, "tokenizer"))
    scheduler = DDIMScheduler.from_pretrained(os.path.join(REAL, "scheduler"))

    for m in (unet, vae, text_encoder, image_encoder):
        randomize_(m, gen)
        m.eval()
        if cfg["variant"] == "fp16":
            with torch.no_grad():
                for p in m.parameters():
                    p.copy_(p.half().float())

    pipe = I2VGenXLPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, image_encoder=image_encoder,
                            feature_extractor=feature_extractor, unet=unet, scheduler=scheduler)
    return pipe


def save_pipeline(pipe, cfg_name, cfg):
    out = os.path.join(MODELS, cfg_name)
    if os.path.islink(out) or os.path.isfile(out):
        os.remove(out)
    elif os.path.isdir(out):
        shutil.rmtree(out)
    if cfg["variant"] == "fp16":
        pipe.to(torch.float16)
        pipe.save_pretrained(out, safe_serialization=True, variant="fp16")
        pipe.to(torch.float32)
    else:
        pipe.save_pretrained(out, safe_serialization=True)
    # tokenizer: byte-exact copies of the real files (save_pretrained re-serialises them), or a symlink to the
    # first config's copy (see TOKENIZER_SYMLINK)
    tok_dir = os.path.join(out, "tokenizer")
    shutil.rmtree(tok_dir)
    first = next(iter(CONFIGS))
    if TOKENIZER_SYMLINK and cfg_name != first:
        os.symlink(os.path.join("..", first, "tokenizer"), tok_dir)
    else:
        os.makedirs(tok_dir)
        for f in ("merges.txt", "special_tokens_map.json", "tokenizer_config.json", "vocab.json"):
            shutil.copyfile(os.path.join(REAL, "tokenizer", f), os.path.join(tok_dir, f))
    return out


def t32(x):
    return x.detach().to(torch.float32).contiguous().clone()


def run_case(pipe, cfg_name, cfg, case):
    """Run the diffusers pipeline once and capture intermediates."""
    cap = {}
    calls = {"unet": 0, "step": 0, "text": 0}

    # --- wrap encode_prompt (returns prompt_embeds, negative_prompt_embeds) -------------------------
    orig_encode_prompt = pipe.encode_prompt

    @functools.wraps(orig_encode_prompt)
    def encode_prompt(*a, **k):
        pe, ne = orig_encode_prompt(*a, **k)
        cap["prompt_embeds"] = t32(pe)
        if ne is not None:
            cap["negative_prompt_embeds"] = t32(ne)
        return pe, ne

    pipe.encode_prompt = encode_prompt

    # --- text encoder input ids (first call = prompt, second = negative) ----------------------------
    def text_pre_hook(mod, args, kwargs):
        ids = kwargs.get("input_ids", args[0] if args else None)
        key = "prompt_ids" if calls["text"] == 0 else "negative_ids"
        cap[key] = ids.detach().to(torch.int64).contiguous().clone()
        calls["text"] += 1

    h1 = pipe.text_encoder.register_forward_pre_hook(text_pre_hook, with_kwargs=True)

    # --- image encoder: pixel values in, image_embeds out -------------------------------------------
    def vis_hook(mod, args, kwargs, out):
        px = kwargs.get("pixel_values", args[0] if args else None)
        cap["clip_pixel_values"] = t32(px)
        cap["image_embeds"] = t32(out.image_embeds)

    h2 = pipe.image_encoder.register_forward_hook(vis_hook, with_kwargs=True)

    # --- VAE encode: input image, posterior mean/std, the drawn sample --------------------------------
    orig_encode = pipe.vae.encode

    @functools.wraps(orig_encode)
    def vae_encode(x, *a, **k):
        cap["vae_input"] = t32(x)
        out = orig_encode(x, *a, **k)
        dist = out.latent_dist
        cap["vae_posterior_mean"] = t32(dist.mean)
        cap["vae_posterior_std"] = t32(dist.std)
        orig_sample = dist.sample

        def sample(*sa, **sk):
            s = orig_sample(*sa, **sk)
            cap["vae_posterior_sample"] = t32(s)
            return s

        dist.sample = sample
        return out

    pipe.vae.encode = vae_encode

    # --- initial noise ------------------------------------------------------------------------------
    orig_prepare_latents = pipe.prepare_latents

    @functools.wraps(orig_prepare_latents)
    def prepare_latents(*a, **k):
        lat = orig_prepare_latents(*a, **k)
        cap["initial_noise"] = t32(lat)
        return lat

    pipe.prepare_latents = prepare_latents

    # --- UNet: first call's inputs and output ---------------------------------------------------------
    orig_unet_forward = pipe.unet.forward

    @functools.wraps(orig_unet_forward)
    def unet_forward(sample, timestep, *a, **k):
        out = orig_unet_forward(sample, timestep, *a, **k)
        if calls["unet"] == 0:
            cap["image_latents"] = t32(k["image_latents"])
            cap["image_embeddings"] = t32(k["image_embeddings"])
            cap["fps"] = k["fps"].detach().to(torch.int64).contiguous().clone()
            cap["unet_out_step0"] = t32(out[0] if isinstance(out, tuple) else out.sample)
        calls["unet"] += 1
        return out

    pipe.unet.forward = unet_forward

    # --- scheduler step: guided model output and latents after the first step ------------------------
    orig_step = pipe.scheduler.step

    @functools.wraps(orig_step)
    def step(model_output, timestep, sample, *a, **k):
        res = orig_step(model_output, timestep, sample, *a, **k)
        if calls["step"] == 0:
            F = case["frames"]
            n = model_output.shape[0] // F
            to5 = lambda x: x[None].reshape(n, F, *x.shape[1:]).permute(0, 2, 1, 3, 4)  # pipeline's reshape-back
            prev = res[0] if isinstance(res, tuple) else res.prev_sample
            cap["latents_step0"] = t32(to5(prev))
        calls["step"] += 1
        return res

    pipe.scheduler.step = step

    # --- decode: final latents in, decoded video out -------------------------------------------------
    orig_decode = pipe.decode_latents

    @functools.wraps(orig_decode)
    def decode_latents(latents, *a, **k):
        cap["final_latents"] = t32(latents)
        video = orig_decode(latents, *a, **k)
        if case.get("dump_decoded"):
            cap["decoded_from_final"] = t32(video)
        return video

    pipe.decode_latents = decode_latents

    image = Image.open(os.path.join(IMAGES, case["image"])).convert("RGB")
    kwargs = dict(
        prompt=case["prompt"],
        image=image,
        height=case["height"],
        width=case["width"],
        target_fps=case["fps"],
        num_frames=case["frames"],
        num_inference_steps=case["steps"],
        guidance_scale=case["guidance"],
        negative_prompt=case.get("negative_prompt"),
        decode_chunk_size=case.get("decode_chunk_size", 1),
        generator=torch.manual_seed(case["seed"]),
        output_type="np",
    )
    try:
        with torch.no_grad():
            frames = pipe(**kwargs).frames
    finally:
        h1.remove()
        h2.remove()
        for attr in ("encode_prompt", "prepare_latents", "decode_latents"):
            delattr(pipe, attr)
        del pipe.vae.encode
        del pipe.unet.forward
        del pipe.scheduler.step

    cap["timesteps"] = pipe.scheduler.timesteps.detach().to(torch.int64).contiguous().clone()
    frames = np.asarray(frames)  # (1, F, H, W, 3) float32
    assert frames.shape == (1, case["frames"], case["height"], case["width"], 3), frames.shape
    cap["frames_float"] = torch.from_numpy(np.ascontiguousarray(frames[0].astype(np.float32)))
    # uint8 exactly as the pipeline's PIL output path (numpy_to_pil: (x*255).round().astype(uint8))
    pils = VaeImageProcessor.numpy_to_pil(frames[0])
    u8 = np.stack([np.asarray(p) for p in pils])
    assert np.array_equal(u8, (frames[0] * 255).round().astype("uint8"))
    cap["frames_uint8"] = torch.from_numpy(np.ascontiguousarray(u8))

    # --- checks of the documented semantics -------------------------------------------------------------
    # --seed S == torch.manual_seed(S): VAE posterior noise first, then the initial noise, one CPU generator.
    g = torch.manual_seed(case["seed"])
    eps = torch.randn(cap["vae_posterior_mean"].shape, generator=g, dtype=torch.float32)
    noise = torch.randn(cap["initial_noise"].shape, generator=g, dtype=torch.float32)
    assert torch.equal(noise, cap["initial_noise"]), "initial noise is not the second draw"
    assert torch.equal(cap["vae_posterior_mean"] + cap["vae_posterior_std"] * eps, cap["vae_posterior_sample"]), \
        "VAE sample is not mean + std * first draw"
    cap["vae_posterior_noise"] = eps.contiguous()
    if "decoded_from_final" in cap:  # frames_float == postprocess(decoded)
        assert torch.equal((cap["decoded_from_final"][0].permute(1, 2, 3, 0) * 0.5 + 0.5).clamp(0, 1), cap["frames_float"])
    cfg_on = case["guidance"] > 1.0
    assert ("negative_ids" in cap) == cfg_on and ("negative_prompt_embeds" in cap) == cfg_on
    assert calls["unet"] == case["steps"] and calls["step"] == case["steps"]
    # image_latents frame 0 = scaling_factor * posterior sample (pipeline computes it; we just check)
    sf = pipe.vae.config.scaling_factor
    assert torch.equal(cap["image_latents"][:1, :, 0], cap["vae_posterior_sample"] * sf)
    return cap


def main():
    t0 = time.time()
    # transformers' CLIPTokenizer cleans prompts with ftfy when it is importable, as in most diffusers
    # environments and as CLIP was trained; the fixtures are made that way.
    if importlib.util.find_spec("ftfy") is None:
        sys.exit("ftfy is not importable: install it in the reference environment (Scripts/setup_reference_env.sh)")
    import ftfy
    torch.set_num_threads(1)  # reproducible CPU reductions
    torch.use_deterministic_algorithms(True)

    os.makedirs(IMAGES, exist_ok=True)
    for name, (w, h, seed) in IMAGE_SPECS.items():
        synth_image(w, h, seed).save(os.path.join(IMAGES, name), optimize=False)

    versions = {
        "torch": torch.__version__, "diffusers": diffusers.__version__, "transformers": transformers.__version__,
        "numpy": np.__version__, "Pillow": PIL.__version__, "python": sys.version.split()[0],
        "ftfy": ftfy.__version__,
    }
    manifest = {"generator": "Scripts/make_fixtures.py", "versions": versions, "configs": {}}

    for cfg_name, cfg in CONFIGS.items():
        tc = time.time()
        pipe = build_pipeline(cfg_name, cfg)
        ref_state = {k: v.clone() for k, v in pipe.unet.state_dict().items()}
        model_dir = save_pipeline(pipe, cfg_name, cfg)
        del pipe

        # reference run from the saved files (exercises the same loading path the Swift side uses)
        load_kw = dict(torch_dtype=torch.float32)
        if cfg["variant"]:
            load_kw["variant"] = cfg["variant"]
        pipe = I2VGenXLPipeline.from_pretrained(model_dir, **load_kw)
        pipe.set_progress_bar_config(disable=True)
        pipe.to("cpu")
        for k, v in pipe.unet.state_dict().items():
            assert torch.equal(v, ref_state[k]), f"reload mismatch {k}"
        assert pipe.text_encoder.dtype == torch.float32
        assert type(pipe.tokenizer).__name__ == "CLIPTokenizer" and pipe.tokenizer.fix_text is ftfy.fix_text

        u = pipe.unet.config
        vae_sf = 2 ** (len(pipe.vae.config.block_out_channels) - 1)
        cinfo = {
            "model_dir": f"Tests/Fixtures/models/{cfg_name}",
            "weights": ("fp16 variant only (*.fp16.safetensors, F16 tensors)" if cfg["variant"] == "fp16"
                        else "float32 (*.safetensors, F32 tensors)"),
            "variant": cfg["variant"],
            "vae_scale_factor": vae_sf,
            "vae_scaling_factor": pipe.vae.config.scaling_factor,
            "unet_num_upsamplers": pipe.unet.num_upsamplers,
            "unet_heads_per_block": [c // u.attention_head_dim for c in u.block_out_channels],
            "unet_head_dim": u.attention_head_dim,
            "transformer_in_inner_dim": 8 * u.attention_head_dim,
            "time_embed_dim": 4 * u.block_out_channels[0],
            "text_hidden": pipe.text_encoder.config.hidden_size,
            "text_head_dim": pipe.text_encoder.config.hidden_size // pipe.text_encoder.config.num_attention_heads,
            "vision_hidden": pipe.image_encoder.config.hidden_size,
            "vision_head_dim": pipe.image_encoder.config.hidden_size // pipe.image_encoder.config.num_attention_heads,
            "vision_hidden_act": pipe.image_encoder.config.hidden_act,
            "clip_crop_size": pipe.feature_extractor.crop_size,
            "text_attn_implementation": pipe.text_encoder.config._attn_implementation,
            "vision_attn_implementation": pipe.image_encoder.config._attn_implementation,
            "unet_params": sum(p.numel() for p in pipe.unet.parameters()),
            "vae_params": sum(p.numel() for p in pipe.vae.parameters()),
            "text_params": sum(p.numel() for p in pipe.text_encoder.parameters()),
            "vision_params": sum(p.numel() for p in pipe.image_encoder.parameters()),
            "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in cfg.items() if k != "variant"},
            "cases": [],
        }

        out_dir = os.path.join(REFS, cfg_name)
        if os.path.isdir(out_dir):
            shutil.rmtree(out_dir)
        os.makedirs(out_dir)
        for case in CASES[cfg_name]:
            ts = time.time()
            cap = run_case(pipe, cfg_name, cfg, case)
            path = os.path.join(out_dir, case["name"] + ".safetensors")
            save_file({k: v.contiguous() for k, v in sorted(cap.items())}, path)
            meta = {
                "config": cfg_name,
                "case": case["name"],
                "prompt": case["prompt"],
                "negative_prompt": case.get("negative_prompt"),
                "negative_prompt_effective": (case.get("negative_prompt") or "") if case["guidance"] > 1 else None,
                "seed": case["seed"],
                "generator": f"torch.manual_seed({case['seed']}) (global CPU generator; VAE posterior noise drawn "
                             f"first, then the initial noise)",
                "num_inference_steps": case["steps"],
                "guidance_scale": case["guidance"],
                "cfg": case["guidance"] > 1,
                "num_frames": case["frames"],
                "target_fps": case["fps"],
                "height": case["height"],
                "width": case["width"],
                "image": case["image"],
                "image_size": list(Image.open(os.path.join(IMAGES, case["image"])).size),
                "decode_chunk_size": case.get("decode_chunk_size", 1),
                "eta": 0.0,
                "num_videos_per_prompt": 1,
                "clip_skip": 1,
                "latent_size": [case["height"] // vae_sf, case["width"] // vae_sf],
                "upsample_size_forced": any((s // vae_sf) % (2 ** pipe.unet.num_upsamplers) != 0
                                            for s in (case["height"], case["width"])),
                "dtype": "float32",
                "device": "cpu",
                "tensors": {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape)}
                            for k, v in sorted(cap.items())},
            }
            with open(os.path.join(out_dir, case["name"] + ".json"), "w") as f:
                json.dump(meta, f, indent=1, ensure_ascii=False)
                f.write("\n")
            cinfo["cases"].append(case["name"])
            print(f"  {cfg_name}/{case['name']}: {time.time() - ts:.1f}s, "
                  f"{os.path.getsize(path) / 1024:.0f} KiB, frames range "
                  f"[{cap['frames_float'].min():.3f}, {cap['frames_float'].max():.3f}]", flush=True)
        manifest["configs"][cfg_name] = cinfo
        print(f"{cfg_name}: {time.time() - tc:.1f}s", flush=True)

    with open(os.path.join(REFS, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"done in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
