#!/usr/bin/env python3
"""Resident memory of one `i2v batch` process over many items: reads VmRSS from /proc each time the batch reports
an item done, and checks that after the last item it is within --limit-mb (default 50) of after item 10, i.e.
that nothing grows per item (decoded images, tensors, hash caches, claims...).

Usage: python3 Scripts/batch-rss.py [--items 100] [--i2v .build/debug/i2v] [--model Tests/Fixtures/models/tiny-a]
Prints the RSS after items 1, 10, 25, 50, ... and the verdict; exit 1 when the growth is over the limit.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--i2v", default=os.path.join(REPO, ".build/debug/i2v"))
    ap.add_argument("--model", default=os.path.join(REPO, "Tests/Fixtures/models/tiny-a"))
    ap.add_argument("--limit-mb", type=float, default=50)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="i2v-rss-")
    try:
        src = os.path.join(REPO, "Tests/Fixtures/images")
        images = sorted(f for f in os.listdir(src) if f.endswith(".png"))
        os.makedirs(os.path.join(work, "in"))
        for i in range(args.items):  # different sizes and aspect ratios, so per-size state would show
            shutil.copy(os.path.join(src, images[i % len(images)]), os.path.join(work, "in", f"img{i:04d}.png"))
        cmd = [args.i2v, "batch", os.path.join(work, "in"), "-o", os.path.join(work, "out"), "--model", args.model,
               "--preset", os.path.join(REPO, "Presets/smoke.json"), "--prompt", "a cat turning its head",
               "--seed", "1", "--format", "gif"]
        p = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        done = 0
        samples = {}
        for line in p.stderr:
            if line.startswith("  done in"):
                done += 1
                samples[done] = rss_mb(p.pid)
                if done in (1, 10, 25, 50, 75) or done == args.items:
                    print(f"after item {done:4d}: {samples[done]:8.1f} MB", flush=True)
        status = p.wait()
        if status != 0 or done != args.items:
            print(f"batch failed: exit {status}, {done} of {args.items} items done", file=sys.stderr)
            return 1
        base = samples[min(10, args.items)]
        growth = samples[args.items] - base
        ok = growth <= args.limit_mb
        print(f"batch-rss: {args.items} items, RSS {base:.1f} MB after item 10, {samples[args.items]:.1f} MB after "
              f"item {args.items}: {growth:+.1f} MB ({'within' if ok else 'OVER'} {args.limit_mb:.0f} MB)")
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
