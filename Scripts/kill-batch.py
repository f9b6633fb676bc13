#!/usr/bin/env python3
"""SIGKILL at random moments: nothing finished is lost, nothing half-written is left.

1. `i2v batch` over ITEMS images on the bundled tiny model is killed with SIGKILL at KILLS random moments
   (0.05 to 1.5 s after each start), resumed each time, then allowed to finish. Checked at the end: every item
   has its output and its sidecar; an output, once complete, is never rewritten by a later run (its bytes and
   inode are those first seen); every sidecar parses and records its output's SHA-256; no temporary file is left.
2. `i2v generate --overwrite` of an existing PNG-frame folder is killed at random moments: after each kill the
   folder holds either the old frames or the new ones, whole (the rename is atomic), never a mix.

Prints one line per check and `N passed, M failed`; exit status 1 on any failure.
Usage: python3 Scripts/kill-batch.py [--kills 50] [--items 8] [--seed 0] [--i2v .build/debug/i2v]
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(REPO, "Tests/Fixtures/models/tiny-a")
IMAGES = [os.path.join(REPO, "Tests/Fixtures/images", n) for n in
          ("square_48x48.png", "landscape_96x72.png", "wide_55x31.png", "wide_102x58.png")]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def folder_digest(path):
    return {n: sha256(os.path.join(path, n)) for n in sorted(os.listdir(path))}


def run_and_kill(cmd, delay, env):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        p.wait(timeout=delay)
        return False  # finished before the kill
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait()
        return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--items", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--i2v", default=os.path.join(REPO, ".build/debug/i2v"))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="i2v-kill-")
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"), I2V_THREADS="1")
    results = []

    def check(ok, what):
        results.append(ok)
        print(("ok    " if ok else "FAIL  ") + what, flush=True)

    # 1. batch
    inp, out = os.path.join(work, "in"), os.path.join(work, "out")
    os.makedirs(inp)
    for i in range(args.items):
        shutil.copy(IMAGES[i % len(IMAGES)], os.path.join(inp, f"img{i}.png"))
    cmd = [args.i2v, "batch", inp, "-o", out, "--model", MODEL, "--preset", "smoke", "--prompt", "a test",
           "--frames", "2", "--seed", "3"]
    first_seen = {}
    kills = 0
    started = time.time()
    while kills < args.kills:
        if run_and_kill(cmd, rng.uniform(0.05, 1.5), env):
            kills += 1
        else:
            shutil.rmtree(out)  # finished between kills: start over so that later kills hit work in progress
            first_seen.clear()
            continue
        for name in sorted(os.listdir(out)) if os.path.isdir(out) else []:
            path = os.path.join(out, name)
            if name.endswith(".mp4") and os.path.exists(path + ".json") and name not in first_seen:
                first_seen[name] = (sha256(path), os.stat(path).st_ino)
    final = subprocess.run(cmd, capture_output=True, text=True, env=env)
    check(final.returncode == 0, f"batch finishes after {kills} SIGKILLs ({time.time() - started:.0f} s)")
    names = sorted(os.listdir(out))
    videos = [f"img{i}.mp4" for i in range(args.items)]
    check(all(v in names and v + ".json" in names for v in videos), "every item has its output and its sidecar")
    hidden = [n for n in names if n.startswith(".")]
    check(not hidden, f"no temporary file is left ({hidden[:3]})")
    rewritten = [n for n, (h, ino) in first_seen.items()
                 if sha256(os.path.join(out, n)) != h or os.stat(os.path.join(out, n)).st_ino != ino]
    check(not rewritten, f"{len(first_seen)} outputs complete before a kill were never rewritten ({rewritten[:3]})")
    sidecars_ok = True
    for v in videos:
        try:
            record = json.load(open(os.path.join(out, v + ".json")))
            sidecars_ok &= record["output"]["sha256"] == sha256(os.path.join(out, v))
        except (OSError, ValueError, KeyError):
            sidecars_ok = False
    check(sidecars_ok, "every sidecar parses and holds its output's SHA-256")
    summary = json.load(open(os.path.join(out, "batch-summary.json")))
    check(summary["counts"]["failed"] == 0 and summary["counts"]["items"] == args.items,
          f"the last run's summary: {summary['counts']}")

    # 2. generate --overwrite of a frame folder
    frames = os.path.join(work, "frames") + "/"
    gen = [args.i2v, "generate", "--model", MODEL, "--image", IMAGES[1], "--prompt", "a test", "--preset", "smoke",
           "--frames", "3", "-o", frames, "--overwrite"]
    subprocess.run(gen + ["--seed", "1"], check=True, capture_output=True, env=env)
    old = folder_digest(frames)
    reference = os.path.join(work, "reference") + "/"
    subprocess.run(gen[:-3] + ["-o", reference, "--seed", "2"], check=True, capture_output=True, env=env)
    new = folder_digest(reference)
    mixed = 0
    for _ in range(max(10, args.kills // 5)):
        run_and_kill(gen + ["--seed", "2"], rng.uniform(0.05, 2.0), env)
        now = folder_digest(frames)
        if now != old and now != new:
            mixed += 1
        if now == new:  # the new frames landed: put the old ones back for the next try
            subprocess.run(gen + ["--seed", "1"], check=True, capture_output=True, env=env)
    check(mixed == 0, "a killed --overwrite leaves the old frames or the new ones, whole")
    hidden = [n for n in os.listdir(work) if n.startswith(".")]
    subprocess.run(gen + ["--seed", "1"], capture_output=True, env=env)
    hidden = [n for n in os.listdir(work) if n.startswith(".")]
    check(not hidden, f"the next generate removes what the killed ones left ({hidden[:3]})")

    shutil.rmtree(work, ignore_errors=True)
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
