#!/usr/bin/env python3
"""The Python half of Scripts/gpu-bench.sh: i2v against diffusers' I2VGen-XLPipeline on one machine.

Subcommands (each prints JSON or writes files; gpu-bench.sh strings them together):
  make-model OUT [--scale full|small] [--device cuda|cpu]
      A random-weight I2VGen-XL in the real checkpoint's layout: the configs of Tests/Fixtures/real/configs
      (`small`: the same layout with a mid-size UNet/VAE/CLIP for rehearsing on a CPU), every parameter
      re-drawn like the test fixtures (N(0, 1/fan_in) weights, 1 + 0.1 N norm weights, 0.05 N biases), saved by
      diffusers' save_pretrained with the `.fp16` variant files, as the hub ships them.
  image OUT W H
      A synthetic RGB test picture (smooth gradients, shapes, mild noise), as PNG.
  diffusers --model M --image I --width W --height H --frames F --steps S --guidance G --seed N --fps R
            --out DIR [--dtype float16] [--device cuda] [--flops] [--profile] --json FILE
      One job in this process: load, generate, write PNG frames to DIR. Records stage times (after
      synchronising the device), seconds per denoising step, the allocator's peak, and with --flops the UNet's
      FLOPs per evaluation (torch.utils.flop_counter on the real module at this size), with --profile the time of
      one UNet evaluation by kernel family (attention, convolution, matrix products, norms, other).
  watch --json FILE -- CMD...
      Runs CMD and samples the device's used memory (NVML, every 5 ms) or, on CPU, the child's peak RSS; records
      wall time and the peak minus the idle level before CMD started.
  psnr DIR_A DIR_B
      PSNR (dB) of two folders of PNG frames (uint8, all frames together) and the largest pixel difference.
  table --out FILE RESULTS.json
      The Markdown table of a finished bench run.
"""
import argparse
import glob
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.path.join(REPO, "Tests/Fixtures/real/configs")


def read_json(path):
    with open(path) as f:
        return json.load(f)


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------------- make-model

SMALL = dict(
    unet=dict(block_out_channels=[64, 128, 256, 256], attention_head_dim=32, num_attention_heads=None,
              cross_attention_dim=256),
    vae=dict(block_out_channels=[32, 64, 128, 128]),
    text=dict(hidden_size=256, num_attention_heads=4, num_hidden_layers=4, intermediate_size=1024,
              projection_dim=256),
    vision=dict(hidden_size=256, num_attention_heads=4, num_hidden_layers=4, intermediate_size=1024,
                projection_dim=256),
)


def randomize_(module, seed, device):
    """Fixture-style weights (see Scripts/make_fixtures.py): no zero-initialised layer, so every block matters."""
    import torch
    gen = torch.Generator(device=device).manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(module.named_parameters(), key=lambda kv: kv[0]):
            leaf = name.rsplit(".", 1)[-1]
            is_norm = any(k in name for k in ("norm", "layrnorm", "layernorm", "layer_norm", "conv1.0.", "conv2.0.",
                                              "conv3.0.", "conv4.0."))
            r = torch.randn(p.shape, generator=gen, device=device, dtype=torch.float32)
            if p.ndim == 1 and is_norm and leaf == "weight":
                v = 1.0 + 0.1 * r
            elif leaf == "bias" or p.ndim == 1:
                v = (0.5 if "class_embedding" in name else 0.05) * r
            elif "embedding" in name and p.ndim == 2 and ("token" in name or "position" in name):
                v = 0.5 * r
            else:
                v = r / math.sqrt(p[0].numel())
            p.copy_(v)


def transformers_config(path, override):
    cfg = {k: v for k, v in read_json(path).items()
           if not k.startswith("_") and k not in ("architectures", "torch_dtype", "transformers_version")}
    cfg.update(override)
    return cfg


def make_model(args):
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, I2VGenXLPipeline, I2VGenXLUNet
    from transformers import (CLIPImageProcessor, CLIPTextConfig, CLIPTextModel, CLIPTokenizer, CLIPVisionConfig,
                              CLIPVisionModelWithProjection)
    small = args.scale == "small"
    started = time.time()
    dev = torch.device(args.device)

    def cfg(component, key=None):
        c = {k: v for k, v in read_json(os.path.join(REAL, component, "config.json")).items()
             if not k.startswith("_")}
        if small and key:
            c.update(SMALL[key])
        return c

    with dev:  # build directly on the device: the full UNet's default init alone takes a minute on a CPU
        unet = I2VGenXLUNet(**cfg("unet", "unet"))
        vae = AutoencoderKL(**cfg("vae", "vae"))
        text = CLIPTextModel(CLIPTextConfig(**transformers_config(os.path.join(REAL, "text_encoder/config.json"),
                                                                  SMALL["text"] if small else {})))
        vision = CLIPVisionModelWithProjection(CLIPVisionConfig(**transformers_config(
            os.path.join(REAL, "image_encoder/config.json"), SMALL["vision"] if small else {})))
    for i, m in enumerate((unet, vae, text, vision)):
        randomize_(m, 1234 + i, dev)
        m.to(torch.float16).eval()
    fe = read_json(os.path.join(REAL, "feature_extractor/preprocessor_config.json"))
    fe.pop("image_processor_type", None)
    pipe = I2VGenXLPipeline(vae=vae, text_encoder=text, tokenizer=CLIPTokenizer.from_pretrained(
        os.path.join(REAL, "tokenizer")), image_encoder=vision, feature_extractor=CLIPImageProcessor(**fe), unet=unet,
        scheduler=DDIMScheduler.from_pretrained(os.path.join(REAL, "scheduler")))
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    pipe.save_pretrained(args.out, safe_serialization=True, variant="fp16")
    # Tokenizer files exactly as the hub has them (save_pretrained re-serialises them).
    for f in os.listdir(os.path.join(REAL, "tokenizer")):
        shutil.copyfile(os.path.join(REAL, "tokenizer", f), os.path.join(args.out, "tokenizer", f))
    params = {n: sum(p.numel() for p in m.parameters()) for n, m in
              (("unet", unet), ("vae", vae), ("text_encoder", text), ("image_encoder", vision))}
    size = sum(os.path.getsize(p) for p in glob.glob(os.path.join(args.out, "*", "*.safetensors")))
    print(json.dumps({"model": args.out, "scale": args.scale, "parameters": params, "bytes": size,
                      "seconds": round(time.time() - started, 1)}))


# ---------------------------------------------------------------------------------------------------------- image

def make_image(args):
    import numpy as np
    from PIL import Image
    w, h = args.width, args.height
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)
    img[..., 0] = 40 + 180 * x / w
    img[..., 1] = 60 + 140 * y / h
    img[..., 2] = 120 + 80 * np.sin(x / w * 6.0) * np.cos(y / h * 4.0)
    disk = (x - 0.35 * w) ** 2 + (y - 0.55 * h) ** 2 < (0.2 * min(w, h)) ** 2
    img[disk] = [230, 190, 60]
    box = (x > 0.6 * w) & (x < 0.85 * w) & (y > 0.2 * h) & (y < 0.5 * h)
    img[box] = [30, 40, 90]
    img += np.random.default_rng(7).uniform(-6, 6, size=img.shape)
    Image.fromarray(np.clip(np.round(img), 0, 255).astype(np.uint8), "RGB").save(args.out)


# ------------------------------------------------------------------------------------------------------ diffusers

def kernel_family(name):
    n = name.lower()
    if any(k in n for k in ("flash", "fmha", "attention", "sdpa", "mha")):
        return "attention"
    if any(k in n for k in ("conv", "fprop", "implicit", "winograd", "dgrad", "cudnn")):
        return "convolution"
    if any(k in n for k in ("gemm", "nvjet", "cublas", "matmul", "sm90_xmma", "cutlass")):
        return "matmul"
    if any(k in n for k in ("norm", "moments", "welford")):
        return "norm"
    return "other"


def run_diffusers(args):
    import numpy as np
    import torch
    from PIL import Image
    import diffusers
    import transformers
    from diffusers import I2VGenXLPipeline
    cuda = args.device.startswith("cuda")
    dtype = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}[args.dtype]

    def sync():
        if cuda:
            torch.cuda.synchronize()

    t0 = time.perf_counter()
    pipe = I2VGenXLPipeline.from_pretrained(args.model, torch_dtype=dtype, variant="fp16").to(args.device)
    pipe.set_progress_bar_config(disable=True)
    sync()
    load = time.perf_counter() - t0
    marks = {}
    unet_forward = pipe.unet.forward

    def timed_unet(*a, **k):
        if "denoise_start" not in marks:
            sync()
            marks["denoise_start"] = time.perf_counter()
        return unet_forward(*a, **k)

    pipe.unet.forward = timed_unet
    decode = pipe.decode_latents

    def timed_decode(*a, **k):
        sync()
        marks["decode_start"] = time.perf_counter()
        out = decode(*a, **k)
        sync()
        marks["decode_end"] = time.perf_counter()
        return out

    pipe.decode_latents = timed_decode
    image = Image.open(args.image).convert("RGB")
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    sync()
    start = time.perf_counter()
    frames = pipe(prompt=args.prompt, image=image, width=args.width, height=args.height, num_frames=args.frames,
                  num_inference_steps=args.steps, guidance_scale=args.guidance, target_fps=args.fps,
                  generator=torch.manual_seed(args.seed), output_type="np").frames[0]
    sync()
    generated = time.perf_counter()
    os.makedirs(args.out, exist_ok=True)
    for i, f in enumerate(frames):  # what i2v writes: round-half-even(x·255), as numpy_to_pil
        Image.fromarray((f * 255).round().astype(np.uint8)).save(os.path.join(args.out, f"frame_{i:04d}.png"))
    written = time.perf_counter()
    mark = os.environ.get("I2V_BENCH_MARK")
    if mark:  # tells `watch` the job is over: what follows (FLOP count, profile) is not the job's memory
        open(mark, "w").close()
    result = {
        "tool": "diffusers", "diffusers": diffusers.__version__, "transformers": transformers.__version__,
        "torch": torch.__version__, "device": args.device, "dtype": args.dtype,
        "load_s": load, "encode_s": marks["denoise_start"] - start,
        "denoise_s": marks["decode_start"] - marks["denoise_start"],
        "decode_s": marks["decode_end"] - marks["decode_start"] + (generated - marks["decode_end"]),
        "write_s": written - generated, "job_s": written - start, "steps": args.steps,
    }
    if os.environ.get("I2V_BENCH_T0"):  # the process's wall time up to the written frames
        result["wall_s"] = time.time() - float(os.environ["I2V_BENCH_T0"])
    result["step_s"] = result["denoise_s"] / args.steps
    if cuda:
        result["peak_allocated_bytes"] = torch.cuda.max_memory_allocated()
        result["peak_reserved_bytes"] = torch.cuda.max_memory_reserved()
    pipe.unet.forward = unet_forward
    write_json(args.json, result)  # the job's figures are safe before the extras run
    try:
        unet_extras(pipe, args, dtype, cuda, sync, result)
    except Exception as e:  # an extra that fails costs its column, not the job
        result["extras_error"] = f"{type(e).__name__}: {e}"
    write_json(args.json, result)
    print(json.dumps(result))


def unet_extras(pipe, args, dtype, cuda, sync, result):
    """UNet forward time, FLOPs and kernel families on the job's shapes (random inputs)."""
    import torch
    n = 2 if args.guidance > 1 else 1
    vs = pipe.vae_scale_factor
    g = torch.Generator().manual_seed(0)
    shape = (n, 4, args.frames, args.height // vs, args.width // vs)
    x = torch.randn(shape, generator=g).to(args.device, dtype)
    lat = torch.randn(shape, generator=g).to(args.device, dtype)
    d = pipe.unet.config.cross_attention_dim
    text = torch.randn(n, 77, d, generator=g).to(args.device, dtype)
    img = torch.randn(n, 1, d, generator=g).to(args.device, dtype)
    fps = torch.tensor([args.fps] * n, device=args.device)
    t = torch.tensor(981, device=args.device)

    def unet_once():
        with torch.no_grad():
            return pipe.unet(x, t, encoder_hidden_states=text, fps=fps, image_latents=lat,
                             image_embeddings=img, return_dict=False)[0]

    unet_once()
    times = []
    for _ in range(3):
        sync()
        t1 = time.perf_counter()
        unet_once()
        sync()
        times.append(time.perf_counter() - t1)
    result["unet_forward_s"] = sorted(times)[1]
    # Per top-level block, waiting for the device around each (what `i2v bench --blocks` reports for i2v).
    u = pipe.unet
    groups = [("conv_in", u.conv_in, u.conv_in), ("transformer_in", u.transformer_in, u.transformer_in)]
    groups += [(f"down_blocks.{i}", b, b) for i, b in enumerate(u.down_blocks)]
    groups += [("mid_block", u.mid_block, u.mid_block)]
    groups += [(f"up_blocks.{i}", b, b) for i, b in enumerate(u.up_blocks)]
    groups += [("conv_out", u.conv_norm_out, u.conv_out)]
    spans, handles = {}, []
    for name, first, last in groups:
        def pre(module, inputs, name=name):
            sync()
            spans[name + "@start"] = time.perf_counter()

        def post(module, inputs, output, name=name):
            sync()
            spans.setdefault(name, []).append(time.perf_counter() - spans[name + "@start"])

        handles += [first.register_forward_pre_hook(pre), last.register_forward_hook(post)]
    for _ in range(3):
        unet_once()
    for hnd in handles:
        hnd.remove()
    result["unet_blocks"] = {name: sorted(spans[name])[len(spans[name]) // 2] for name, _, _ in groups if name in spans}
    if args.flops:
        from torch.utils.flop_counter import FlopCounterMode
        counter = FlopCounterMode(display=False)
        with counter:
            unet_once()
        result["unet_flops"] = counter.get_total_flops()
    if args.profile and cuda:
        from torch.profiler import ProfilerActivity, profile
        unet_once()
        sync()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            unet_once()
            sync()
        families = {}
        for e in prof.key_averages():
            us = getattr(e, "device_time_total", None)
            if us is None:
                us = getattr(e, "cuda_time_total", 0)
            if getattr(e, "device_type", None) is not None and "CUDA" not in str(e.device_type):
                continue
            if us and not e.key.startswith("aten::") and not e.key.startswith("cuda"):
                families[kernel_family(e.key)] = families.get(kernel_family(e.key), 0) + us / 1e6
        result["unet_kernel_seconds"] = families


# ---------------------------------------------------------------------------------------------------------- watch

def watch(args):
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    result, stdout = watched(cmd, args.log)
    write_json(args.json, result)
    sys.stdout.write(stdout)
    sys.exit(result["returncode"])


def watched(cmd, log_path=None, env=None):
    """Runs cmd; returns ({returncode, wall_s, peak_rss_bytes, nvml_peak_bytes}, stdout)."""
    mark = os.path.join("/tmp", f"i2v-bench-mark-{os.getpid()}-{time.time_ns()}")
    env = dict(env or os.environ, I2V_BENCH_MARK=mark, I2V_BENCH_T0=repr(time.time()))
    sampler, stop, peak = None, threading.Event(), [0]
    baseline = 0
    try:
        import pynvml
        pynvml.nvmlInit()
        handle = pynvml.nvmlDeviceGetHandleByIndex(0)
        baseline = pynvml.nvmlDeviceGetMemoryInfo(handle).used

        def sample():
            while not stop.is_set() and not (mark and os.path.exists(mark)):
                peak[0] = max(peak[0], pynvml.nvmlDeviceGetMemoryInfo(handle).used)
                time.sleep(0.005)

        sampler = threading.Thread(target=sample, daemon=True)
    except Exception:
        pynvml = None
    start = time.perf_counter()
    if sampler:
        sampler.start()
    with open(log_path, "w") if log_path else open(os.devnull, "w") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
        stdout = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS, not every child's so far
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    stop.set()
    if sampler:
        sampler.join()
    if os.path.exists(mark):
        os.remove(mark)
    result = {"returncode": proc.returncode, "wall_s": wall, "peak_rss_bytes": usage.ru_maxrss * 1024}
    if pynvml is not None:
        result["nvml_peak_bytes"] = max(0, peak[0] - baseline)
    return result, stdout


# ----------------------------------------------------------------------------------------------------------- psnr

def load_frames(folder):
    import numpy as np
    from PIL import Image
    files = sorted(f for f in os.listdir(folder) if f.endswith(".png"))
    if not files:
        raise SystemExit(f"no PNG frames in {folder}")
    return np.stack([np.asarray(Image.open(os.path.join(folder, f)).convert("RGB")) for f in files])


def psnr_of(a, b):
    import numpy as np
    if a.shape != b.shape:
        raise SystemExit(f"frame shapes differ: {a.shape} vs {b.shape}")
    d = a.astype(np.float64) - b.astype(np.float64)
    mse = float((d * d).mean())
    return (float("inf") if mse == 0 else 10 * math.log10(255.0 ** 2 / mse)), int(np.abs(d).max())


def psnr(args):
    p, worst = psnr_of(load_frames(args.a), load_frames(args.b))
    print(json.dumps({"psnr_db": p, "max_abs_diff": worst}))


# ---------------------------------------------------------------------------------------------------------- table

def fmt(v, digits=2):
    if v is None:
        return "–"
    if isinstance(v, float) and math.isinf(v):
        return "∞"
    return f"{v:.{digits}f}"


def gib(b):
    return None if b is None else b / 2 ** 30


def ratio(a, b):
    return None if a is None or b in (None, 0) else a / b


def table(args):
    r = read_json(args.results)
    lines = [f"# i2v vs diffusers — {r.get('gpu', '?')}", "",
             f"{r.get('date', '')}; driver {r.get('driver', '?')}; torch {r.get('torch', '?')}; "
             f"diffusers {r.get('diffusers', '?')}, transformers {r.get('transformers', '?')}; "
             f"{r.get('dtype', 'float16')}, {r.get('steps', '?')} steps, CFG {r.get('guidance', '?')}, "
             f"random weights in the real layout ({r.get('model_scale', '?')}), same image, prompt and seed.", ""]
    if r.get("parity"):
        lines += [f"Fixture parity on this device: {r['parity']}", ""]
    head = ("| size | tool | process wall (s) | job (s) | load (s) | encode (s) | denoise (s) | s/step | decode (s) "
            "| write (s) | peak alloc (GiB) | peak NVML (GiB) | UNet TFLOP/s |")
    lines += [head, "|---" * (head.count("|") - 1) + "|"]
    summary = ["", "| size | job i2v/diffusers | s/step i2v/diffusers | peak alloc i2v/diffusers "
               "| PSNR i2v vs diffusers (dB) | max diff |", "|---|---|---|---|---|---|"]
    for size in r["sizes"]:
        jobs = size["jobs"]
        flops = size.get("unet_flops")
        for tool in ("diffusers", "i2v"):
            j = jobs.get(tool)
            if not j:
                # The table is printed after every job, so a job without a result or an error has not run yet.
                err = size.get(tool + "_error")
                state = f"failed: {err}" if err else "not run yet"
                lines.append(f"| {size['name']} | {tool} | {state} |" + " |" * 11)
                continue
            tflops = flops / j["step_s"] / 1e12 if flops and j.get("step_s") else None
            lines.append("| " + " | ".join([
                size["name"], tool, fmt(j.get("wall_s"), 1), fmt(j.get("job_s"), 1), fmt(j.get("load_s"), 1),
                fmt(j.get("encode_s")), fmt(j.get("denoise_s"), 1), fmt(j.get("step_s"), 3), fmt(j.get("decode_s")),
                fmt(j.get("write_s")), fmt(gib(j.get("peak_allocated_bytes"))), fmt(gib(j.get("nvml_peak_bytes"))),
                fmt(tflops, 0)]) + " |")
        d, o = jobs.get("diffusers") or {}, jobs.get("i2v") or {}
        summary.append("| " + " | ".join([
            size["name"], fmt(ratio(o.get("job_s"), d.get("job_s"))), fmt(ratio(o.get("step_s"), d.get("step_s"))),
            fmt(ratio(o.get("peak_allocated_bytes"), d.get("peak_allocated_bytes"))),
            fmt(size.get("psnr_db"), 1), str(size.get("max_abs_diff", "–"))]) + " |")
    lines += summary
    kernels = [(s["name"], s["unet_kernel_seconds"]) for s in r["sizes"] if s.get("unet_kernel_seconds")]
    if kernels:
        fams = ["attention", "convolution", "matmul", "norm", "other"]
        lines += ["", "One UNet evaluation (diffusers' module, same kernels i2v calls), GPU time by kernel family:", "",
                  "| size | " + " | ".join(fams) + " | total (s) |", "|---" * (len(fams) + 2) + "|"]
        for name, k in kernels:
            total = sum(k.values())
            lines.append(f"| {name} | " + " | ".join(f"{100 * k.get(f, 0) / total:.0f}%" for f in fams)
                         + f" | {total:.3f} |")
    for s in r["sizes"]:
        d, o = s.get("unet_blocks"), s.get("unet_blocks_i2v")
        if d and o:
            lines += ["", f"{s['name']}: one UNet evaluation by top-level block (s; device waited for around each):",
                      "", "| block | diffusers | i2v | i2v/diffusers |", "|---|---|---|---|"]
            def rank(n):  # evaluation order
                head, _, idx = n.partition(".")
                order = ["conv_in", "transformer_in", "down_blocks", "mid_block", "up_blocks", "conv_out"]
                return (order.index(head) if head in order else 99, int(idx) if idx.isdigit() else 0)
            for name in sorted(d, key=rank):
                lines.append(f"| {name} | {d[name]:.4f} | {fmt(o.get(name), 4)} | {fmt(ratio(o.get(name), d[name]))} |")
            lines.append(f"| sum | {sum(d.values()):.4f} | {sum(o.values()):.4f} | "
                         f"{fmt(ratio(sum(o.values()), sum(d.values())))} |")
    if r.get("variants"):
        lines += ["", "UNet forward alone (batch 2, median of 3): `i2v bench` variants next to diffusers' module:", "",
                  "| size | i2v flags | i2v (s) | diffusers (s) | i2v/diffusers | i2v peak alloc (GiB) "
                  "| ops per forward, host s |", "|---|---|---|---|---|---|---|"]
        for v in r["variants"]:
            if "failed" in v:
                lines.append(f"| {v['size']} | {v['flags']} | failed (exit {v['failed']}: {v.get('error', '?')}) | | | | |")
            else:
                lines.append(f"| {v['size']} | {v['flags']} | {fmt(v.get('i2v_s'), 3)} | {fmt(v.get('diffusers_s'), 3)} "
                             f"| {fmt(v.get('ratio'))} | {fmt(v.get('peak_GiB'))} "
                             f"| {str(v['calls']) + ', ' + fmt(v['host_s'], 4) if v.get('calls') else '–'} |")
        if any("--shallow" in v["flags"] for v in r["variants"]):
            lines += ["", "`--shallow`: DeepCache's partial pass against diffusers' full one; with `--cache deep:N` a "
                      "step costs on average (full + (N − 1) · shallow) / N."]
    text = "\n".join(lines) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    print(text)


# ------------------------------------------------------------------------------------------------------------ run

PROMPT = "a red fox turning its head, slow camera pan"


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return ""


def run_bench(args):
    """Everything after the shim is built: model, image, per size diffusers then i2v, PSNR, UNet variants.
    Results are written after every job, so a run cut short still leaves its table."""
    py = sys.executable
    me = os.path.abspath(__file__)
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.logs, exist_ok=True)
    cuda = args.device.startswith("cuda")
    import torch
    import diffusers
    import transformers
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "torch": torch.__version__,
               "diffusers": diffusers.__version__, "transformers": transformers.__version__, "dtype": args.dtype,
               "steps": args.steps, "guidance": args.guidance, "model_scale": args.scale, "device": args.device,
               "sizes": [], "variants": [], "prompt": PROMPT, "seed": args.seed}
    if cuda:
        gpu = sh(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"])
        parts = [p.strip() for p in gpu.split(",")]
        results.update(gpu=parts[0] if parts else "?", driver=parts[1] if len(parts) > 1 else "?",
                       gpu_memory=parts[2] if len(parts) > 2 else "?")
    else:
        results.update(gpu="CPU (" + (sh(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]) or "?")
                       + ")", driver="–")
    if args.parity:
        results["parity"] = open(args.parity).read().strip()
    results_path = os.path.join(args.out, "results.json")

    def save():  # after every job: the device tool brings back at most 8 files, so the logs travel as one archive
        write_json(results_path, results)
        table(argparse.Namespace(results=results_path, out=os.path.join(args.out, "table.md")))
        subprocess.run(["tar", "czf", os.path.join(args.out, "logs.tar.gz"), "-C", args.logs, "."])

    model = os.path.join(args.work, "model")
    if not os.path.exists(os.path.join(model, "model_index.json")):
        t = time.time()
        made = subprocess.run([py, me, "make-model", model, "--scale", args.scale, "--device", args.device],
                              capture_output=True, text=True)
        if made.returncode:
            sys.stderr.write(made.stderr)
            raise SystemExit("make-model failed")
        results["model"] = json.loads(made.stdout.strip().splitlines()[-1])
        print(f"model: {results['model']} ({time.time() - t:.0f} s)", flush=True)
    image = os.path.join(args.work, "input.png")
    make_image(argparse.Namespace(out=image, width=1024, height=576))
    env = dict(os.environ, I2V_TORCH_SHIM=args.shim) if args.shim else dict(os.environ)
    for spec in args.sizes.split():
        w, h, f = (int(x) for x in spec.split("x"))
        name = spec
        entry = {"name": name, "width": w, "height": h, "frames": f, "jobs": {}}
        results["sizes"].append(entry)
        # diffusers
        d_dir = os.path.join(args.work, f"diffusers-{name}")
        d_json = os.path.join(args.work, f"diffusers-{name}.json")
        cmd = [py, me, "diffusers", "--model", model, "--image", image, "--prompt", PROMPT, "--width", str(w),
               "--height", str(h), "--frames", str(f), "--steps", str(args.steps), "--guidance", str(args.guidance),
               "--seed", str(args.seed), "--fps", str(args.fps), "--out", d_dir, "--json", d_json,
               "--dtype", args.dtype, "--device", args.device, "--flops"]
        if cuda:
            cmd.append("--profile")
        t = time.time()
        watch_result, _ = watched(cmd, os.path.join(args.logs, f"diffusers-{name}.log"))
        if watch_result["returncode"] == 0:
            d = read_json(d_json)
            d["nvml_peak_bytes"] = watch_result.get("nvml_peak_bytes")
            d["peak_rss_bytes"] = watch_result["peak_rss_bytes"]
            d.setdefault("wall_s", watch_result["wall_s"])
            for k in ("unet_flops", "unet_kernel_seconds", "unet_forward_s", "unet_blocks"):
                if k in d:
                    entry[k] = d.pop(k)
            entry["jobs"]["diffusers"] = d
            results.setdefault("diffusers_torch", d.get("torch"))
        else:
            entry["diffusers_error"] = f"exit {watch_result['returncode']} (see diffusers-{name}.log)"
        print(f"diffusers {name}: {time.time() - t:.0f} s", flush=True)
        save()
        # i2v
        i_dir = os.path.join(args.work, f"i2v-{name}") + "/"
        cmd = [args.i2v, "generate", "--model", model, "--image", image, "--prompt", PROMPT, "--width", str(w),
               "--height", str(h), "--frames", str(f), "--steps", str(args.steps), "--guidance", str(args.guidance),
               "--seed", str(args.seed), "--fps", str(args.fps), "-o", i_dir, "--overwrite", "--json",
               "--dtype", args.dtype, "--device", args.device, "--quiet"]
        t = time.time()
        watch_result, stdout = watched(cmd, os.path.join(args.logs, f"i2v-{name}.log"), env)
        if watch_result["returncode"] == 0:
            o = json.loads(stdout)
            tm = o["provenance"]["timings_seconds"]
            job = {"tool": "i2v", "wall_s": watch_result["wall_s"], "load_s": tm.get("load"),
                   "encode_s": tm.get("encode"), "denoise_s": tm.get("denoise"), "decode_s": tm.get("decode"),
                   "write_s": tm.get("write"), "job_s": tm["total"] - tm.get("load", 0), "steps": args.steps,
                   "nvml_peak_bytes": watch_result.get("nvml_peak_bytes"),
                   "peak_rss_bytes": watch_result["peak_rss_bytes"]}
            job["step_s"] = job["denoise_s"] / args.steps if job["denoise_s"] else None
            mem = o["provenance"].get("gpu_memory") or {}
            job["peak_allocated_bytes"] = mem.get("peak_allocated_bytes")
            job["peak_reserved_bytes"] = mem.get("peak_reserved_bytes")
            entry["jobs"]["i2v"] = job
        else:
            entry["i2v_error"] = f"exit {watch_result['returncode']} (see i2v-{name}.log)"
        print(f"i2v {name}: {time.time() - t:.0f} s", flush=True)
        if "diffusers" in entry["jobs"] and "i2v" in entry["jobs"]:
            entry["psnr_db"], entry["max_abs_diff"] = psnr_of(load_frames(i_dir), load_frames(d_dir))
        save()
        # UNet forward alone, i2v under each variant, next to diffusers' module on the same inputs.
        last = spec == args.sizes.split()[-1]
        variants = (args.variants.split(";") if args.variants else []) + (
            args.last_variants.split(";") if args.last_variants and last else [])
        for k, variant in enumerate(variants):
            flags = variant.split()
            cmd = [args.i2v, "bench", "--model", model, "--width", str(w), "--height", str(h), "--frames", str(f),
                   "--device", args.device, "--dtype", args.dtype, "--runs", "3", "--warmup", "1"] + flags
            log = os.path.join(args.logs, f"bench-{name}-{k}.log")
            r, stdout = watched(cmd, log, env)
            row = {"size": name, "flags": " ".join(flags) or "(defaults)"}
            if r["returncode"] == 0:
                b = json.loads(stdout.strip().splitlines()[-1])
                row["i2v_s"] = b["median_seconds"]
                row["diffusers_s"] = entry.get("unet_forward_s")
                row["ratio"] = ratio(row["i2v_s"], row["diffusers_s"])
                if b.get("blocks"):
                    entry["unet_blocks_i2v"] = b["blocks"]
                if b.get("peak_allocated_bytes"):
                    row["peak_GiB"] = b["peak_allocated_bytes"] / 2 ** 30
                if b.get("calls_per_forward"):
                    row["calls"] = b["calls_per_forward"]
                    row["host_s"] = b["host_seconds_per_forward"]
            else:
                row["failed"] = r["returncode"]
                text = open(log).read().strip().splitlines()
                said = [l for l in text if "rror" in l] or text[-1:] or ["?"]
                row["error"] = said[0][:160]
            results["variants"].append(row)
            save()
    save()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make-model")
    m.add_argument("out")
    m.add_argument("--scale", choices=("full", "small"), default="full")
    m.add_argument("--device", default="cuda")
    i = sub.add_parser("image")
    i.add_argument("out")
    i.add_argument("width", type=int)
    i.add_argument("height", type=int)
    d = sub.add_parser("diffusers")
    for name, typ in (("model", str), ("image", str), ("out", str), ("json", str), ("prompt", str)):
        d.add_argument("--" + name, type=typ, required=True)
    for name in ("width", "height", "frames", "steps", "seed", "fps"):
        d.add_argument("--" + name, type=int, required=True)
    d.add_argument("--guidance", type=float, required=True)
    d.add_argument("--dtype", default="float16")
    d.add_argument("--device", default="cuda")
    d.add_argument("--flops", action="store_true")
    d.add_argument("--profile", action="store_true")
    w = sub.add_parser("watch")
    w.add_argument("--json", required=True)
    w.add_argument("--log")
    w.add_argument("cmd", nargs=argparse.REMAINDER)
    p = sub.add_parser("psnr")
    p.add_argument("a")
    p.add_argument("b")
    r = sub.add_parser("run")
    r.add_argument("--i2v", required=True, help="the i2v executable")
    r.add_argument("--shim", help="libi2vtorch.so for i2v (I2V_TORCH_SHIM)")
    r.add_argument("--out", required=True)
    r.add_argument("--work", required=True, help="scratch folder (model, frames)")
    r.add_argument("--logs", required=True, help="folder of per-job logs (archived into OUT/logs.tar.gz)")
    r.add_argument("--scale", choices=("full", "small"), default="full")
    r.add_argument("--sizes", default="512x512x16 1280x704x16")
    r.add_argument("--steps", type=int, default=50)
    r.add_argument("--guidance", type=float, default=9.0)
    r.add_argument("--seed", type=int, default=42)
    r.add_argument("--fps", type=int, default=16)
    r.add_argument("--dtype", default="float16")
    r.add_argument("--device", default="cuda")
    r.add_argument("--parity", help="a file with the fixture parity summary")
    r.add_argument("--variants", default="", help="';'-separated flag sets for `i2v bench` at every size")
    r.add_argument("--last-variants", default="", help="flag sets for `i2v bench` at the last (largest) size only")
    t = sub.add_parser("table")
    t.add_argument("--out", required=True)
    t.add_argument("results")
    args = ap.parse_args()
    {"make-model": make_model, "image": make_image, "diffusers": run_diffusers, "watch": watch, "psnr": psnr,
     "table": table, "run": run_bench}[args.command](args)


if __name__ == "__main__":
    main()
