#!/usr/bin/env python3
"""i2v vs diffusers, side by side on the same machine, model, inputs and thread count.

For each configuration it measures, in separate processes so nothing is shared:
  * the UNet forward pass (one denoising step with CFG: batch 2): `i2v bench` vs diffusers' I2VGenXLUNet;
  * the whole generation (load + encode + denoise + decode): `i2v generate` vs I2VGenXLPipeline, wall time and
    peak resident memory.
and prints a table with the ratio i2v / diffusers (below 1 means i2v is faster / smaller).

Configurations: `tiny` = the committed tiny-a fixture model; `mid` = a mid-size random-weight model built here
with diffusers (UNet 64-128-256-256, 2 layers per block) in a temporary folder.

--sweep instead compares i2v with itself: every scheduler and cache setting (`--schedulers`, `--caches`) as a
whole job on one loaded model (`i2v bench --jobs`: interleaved rounds, a warm-up first), with UNet evaluations per
job, seconds per job, the speed-up against ddim with the cache off, and each cached job's PSNR against the same
scheduler's uncached frames; printed as a Markdown table.

Usage: .venv-ref/bin/python Scripts/benchmark.py [--configs tiny,mid] [--threads N] [--runs R]
       .venv-ref/bin/python Scripts/benchmark.py --sweep [--configs mid] [--steps 20] [--runs R]
           [--schedulers ddim,dpm++2m,euler,euler-a] [--caches off,deep:2,deep:3,deep:5]
Needs a release build: swift build -c release
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "Scripts"))

MID = dict(
    variant=None,
    unet=dict(block_out_channels=(64, 128, 256, 256),
              down_block_types=("CrossAttnDownBlock3D",) * 3 + ("DownBlock3D",),
              up_block_types=("UpBlock3D",) + ("CrossAttnUpBlock3D",) * 3,
              layers_per_block=2, norm_num_groups=32, attention_head_dim=32, cross_attention_dim=256,
              num_attention_heads=None, sample_size=16),
    vae=dict(block_out_channels=(32, 64, 128, 128), down_block_types=("DownEncoderBlock2D",) * 4,
             up_block_types=("UpDecoderBlock2D",) * 4, layers_per_block=2, norm_num_groups=32,
             scaling_factor=0.18125, sample_size=128),
    text=dict(hidden_size=256, num_attention_heads=4, num_hidden_layers=6, intermediate_size=1024,
              hidden_act="gelu", projection_dim=256),
    vision=dict(hidden_size=256, num_attention_heads=4, num_hidden_layers=6, intermediate_size=1024,
                image_size=112, patch_size=14, projection_dim=256, hidden_act="gelu"),
)

RUNS = {
    "tiny": dict(model=os.path.join(REPO, "Tests/Fixtures/models/tiny-a"), width=32, height=32, frames=3, steps=3),
    "mid": dict(model=None, width=128, height=128, frames=8, steps=10),
}

UNET_DIFFUSERS = r"""
import json, sys, time, torch
from diffusers import I2VGenXLUNet
model, width, height, frames, threads, runs = sys.argv[1], *map(int, sys.argv[2:7])
torch.set_num_threads(threads)
unet = I2VGenXLUNet.from_pretrained(model, subfolder="unet", torch_dtype=torch.float32,
                                    variant="fp16" if "tiny-a" in model else None).eval()
vs = 2 ** (len(json.load(open(model + "/vae/config.json"))["block_out_channels"]) - 1)
g = torch.Generator().manual_seed(0)
shape = (2, 4, frames, height // vs, width // vs)
x, lat = torch.randn(shape, generator=g), torch.randn(shape, generator=g)
d = unet.config.cross_attention_dim
text, img = torch.randn(2, 77, d, generator=g), torch.randn(2, 1, d, generator=g)
fps = torch.tensor([8, 8])
times = []
with torch.no_grad():
    for i in range(1 + runs):
        t0 = time.perf_counter()
        unet(x, torch.tensor(981), encoder_hidden_states=text, fps=fps, image_latents=lat, image_embeddings=img)
        if i: times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"median_seconds": times[len(times) // 2]}))
"""

PIPE_DIFFUSERS = r"""
import sys, torch
from PIL import Image
from diffusers import I2VGenXLPipeline
model, image, width, height, frames, steps, threads = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:8])
torch.set_num_threads(threads)
pipe = I2VGenXLPipeline.from_pretrained(model, torch_dtype=torch.float32,
                                        variant="fp16" if "tiny-a" in model else None)
pipe(prompt="a squirrel eating a burger", image=Image.open(image).convert("RGB"), width=width, height=height,
     num_frames=frames, num_inference_steps=steps, generator=torch.manual_seed(42), output_type="np")
"""


def measured(cmd, env=None):
    """Runs cmd in a fresh wrapper process; returns (wall seconds, peak RSS in MB, stdout)."""
    wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); w = time.perf_counter() - t; "
               "sys.stderr.write(r.stderr if r.returncode else ''); "
               "print(w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, r.returncode); "
               "print(r.stdout)")
    out = subprocess.run([sys.executable, "-c", wrapper] + cmd, capture_output=True, text=True, env=env)
    first, rest = out.stdout.split("\n", 1)
    wall, rss, code = first.split()
    if code != "0":
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return float(wall), float(rss), rest


def build_mid(folder):
    if os.path.exists(os.path.join(folder, "model_index.json")):
        return folder
    import make_fixtures as mf
    pipe = mf.build_pipeline("mid", MID)
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder


def model_for(name):
    cfg = dict(RUNS[name])
    if cfg["model"] is None:
        cfg["model"] = build_mid(os.path.join(tempfile.gettempdir(), "i2v-bench-mid"))
    return cfg


def sweep(args, i2v, env):
    """Every scheduler x cache setting as a whole job, side by side (`i2v bench --jobs`), as a Markdown table."""
    for name in args.configs.split(","):
        cfg = model_for(name)
        steps = args.steps or cfg["steps"]
        cmd = [i2v, "bench", "--jobs", "--model", cfg["model"], "--width", str(cfg["width"]), "--height",
               str(cfg["height"]), "--frames", str(cfg["frames"]), "--steps", str(steps), "--schedulers",
               args.schedulers, "--caches", args.caches, "--runs", str(args.runs), "--threads", str(args.threads)]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stderr}")
        r = json.loads(out.stdout)
        print(f"{name}: {r['width']}x{r['height']}, {r['frames']} frames, guidance {r['guidance']}, {r['dtype']} on "
              f"{r['device']}, {r['threads']} threads, median of {r['rounds']} interleaved round(s); "
              f"baseline {r['baseline']}")
        print("| scheduler | steps | cache | UNet evaluations (whole + shallow) | job (s) | denoise (s) | "
              "speed-up | PSNR vs uncached (dB) |")
        print("|---|---|---|---|---|---|---|---|")
        for j in r["jobs"]:
            e = j["unet_evaluations"]
            psnr = j.get("psnr_vs_uncached_db")
            print(f"| {j['scheduler']} | {j['steps']} | {j['cache']} | {e['full']} + {e['shallow']} | "
                  f"{j['seconds']:.2f} | {j['denoise_seconds']:.2f} | {j['speedup']:.2f}x | "
                  f"{'-' if psnr is None else f'{psnr:.1f}'} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--configs", default="tiny,mid")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--shim", help="libi2vtorch.so to run i2v with (e.g. one built against this venv's torch, "
                    "so both sides use the same libtorch); default: the one next to the i2v binary")
    ap.add_argument("--sweep", action="store_true", help="i2v's schedulers x cache settings, side by side")
    ap.add_argument("--schedulers", default="ddim,dpm++2m,euler,euler-a", help="--sweep: NAME[:STEPS],...")
    ap.add_argument("--caches", default="off,deep:2,deep:3,deep:5", help="--sweep: off|deep:N,...")
    ap.add_argument("--steps", type=int, help="--sweep: steps per job (default: the config's)")
    args = ap.parse_args()
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=REPO, capture_output=True,
                              text=True).stdout.strip()
    i2v = os.path.join(bin_path, "i2v")
    if not os.path.exists(i2v):
        raise SystemExit("build first: swift build -c release")
    env = dict(os.environ, I2V_THREADS=str(args.threads))
    if args.shim:
        env["I2V_TORCH_SHIM"] = os.path.abspath(args.shim)
    if args.sweep:
        return sweep(args, i2v, env)
    info = subprocess.run([i2v, "info"], env=env, capture_output=True, text=True).stdout
    torch_line = next((l for l in info.splitlines() if l.startswith("libtorch")), "libtorch ?")
    image = os.path.join(REPO, "Tests/Fixtures/images/landscape_96x72.png")
    rows = []
    for name in args.configs.split(","):
        cfg = model_for(name)
        geo = [str(cfg[k]) for k in ("width", "height", "frames")]
        # UNet forward
        _, _, out = measured([sys.executable, "-c", UNET_DIFFUSERS, cfg["model"], *geo, str(args.threads),
                              str(args.runs)])
        d_unet = json.loads(out)["median_seconds"]
        _, _, out = measured([i2v, "bench", "--model", cfg["model"], "--width", geo[0], "--height", geo[1],
                              "--frames", geo[2], "--runs", str(args.runs), "--threads", str(args.threads)], env)
        o_unet = json.loads(out)["median_seconds"]
        rows.append((name, "UNet forward (s)", d_unet, o_unet))
        # whole generation
        d_wall, d_rss, _ = measured([sys.executable, "-c", PIPE_DIFFUSERS, cfg["model"], image, *geo,
                                     str(cfg["steps"]), str(args.threads)])
        with tempfile.TemporaryDirectory() as tmp:
            o_wall, o_rss, _ = measured([i2v, "generate", "--model", cfg["model"], "--image", image, "--prompt",
                                         "a squirrel eating a burger", "--width", geo[0], "--height", geo[1],
                                         "--frames", geo[2], "--steps", str(cfg["steps"]), "--seed", "42",
                                         "-o", os.path.join(tmp, "o.mp4"), "--quiet"], env)
        rows.append((name, f"generate wall (s), {cfg['steps']} steps", d_wall, o_wall))
        rows.append((name, "generate peak RSS (MB)", d_rss, o_rss))
    import torch
    print(f"threads: {args.threads}, runs: {args.runs}; diffusers on torch {torch.__version__}; i2v on "
          + " ".join(torch_line.split()[1:2]))
    print(f"{'config':<6} {'measure':<32} {'diffusers':>10} {'i2v':>10} {'i2v/diffusers':>14}")
    for name, what, d, o in rows:
        print(f"{name:<6} {what:<32} {d:>10.3f} {o:>10.3f} {o / d:>14.2f}")


if __name__ == "__main__":
    main()
