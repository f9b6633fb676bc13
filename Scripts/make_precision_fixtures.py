#!/usr/bin/env python3
"""diffusers' frames for one tiny-b case run in bfloat16 and float16 on CPU (Tests/I2VCLITests/
ReducedPrecisionTests compare i2v's reduced-precision runs with these, not with the float32 reference), with the
model's own DDIM scheduler and with each multistep scheduler swapped in (`from_config`, as
Scripts/make_scheduler_fixtures.py does).

Writes Tests/Fixtures/reference-precision/tiny-b/a_default-<dtype>.safetensors (DDIM) and
a_default-<dtype>-<scheduler>.safetensors with frames_float, frames_uint8.
Usage: .venv-ref/bin/python Scripts/make_precision_fixtures.py [ddim|dpm++2m|euler|euler-a|unipc ...]
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file
from diffusers import (DPMSolverMultistepScheduler, EulerAncestralDiscreteScheduler, EulerDiscreteScheduler,
                       I2VGenXLPipeline, UniPCMultistepScheduler)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(REPO, "Tests/Fixtures")
SCHEDULERS = {"ddim": None, "dpm++2m": DPMSolverMultistepScheduler, "euler": EulerDiscreteScheduler,
              "euler-a": EulerAncestralDiscreteScheduler, "unipc": UniPCMultistepScheduler}


def main():
    torch.set_num_threads(1)
    meta = json.load(open(os.path.join(FIX, "reference/tiny-b/a_default.json")))
    out_dir = os.path.join(FIX, "reference-precision/tiny-b")
    os.makedirs(out_dir, exist_ok=True)
    image = Image.open(os.path.join(FIX, "images", meta["image"])).convert("RGB")
    for scheduler in sys.argv[1:] or SCHEDULERS:
        for dtype in (torch.bfloat16, torch.float16):
            pipe = I2VGenXLPipeline.from_pretrained(os.path.join(FIX, "models/tiny-b"), torch_dtype=dtype)
            pipe.set_progress_bar_config(disable=True)
            if SCHEDULERS[scheduler] is not None:
                pipe.scheduler = SCHEDULERS[scheduler].from_config(pipe.scheduler.config)
            frames = pipe(prompt=meta["prompt"], image=image, height=meta["height"], width=meta["width"],
                          num_frames=meta["num_frames"], num_inference_steps=meta["num_inference_steps"],
                          guidance_scale=meta["guidance_scale"], target_fps=meta["target_fps"],
                          generator=torch.manual_seed(meta["seed"]), output_type="np").frames[0]
            f = torch.from_numpy(np.ascontiguousarray(frames, dtype=np.float32))
            u8 = torch.from_numpy(np.ascontiguousarray((frames * 255).round().astype(np.uint8)))
            name = str(dtype).split(".")[-1]
            suffix = "" if scheduler == "ddim" else "-" + scheduler
            save_file({"frames_float": f, "frames_uint8": u8},
                      os.path.join(out_dir, f"a_default-{name}{suffix}.safetensors"),
                      metadata={"torch": torch.__version__, "dtype": name, "scheduler": scheduler})
            print("wrote", name, scheduler, tuple(f.shape))


if __name__ == "__main__":
    main()
