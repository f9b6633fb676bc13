#!/usr/bin/env python3
"""Reference cases for the multistep schedulers (issue 16): each diffusers 0.33.1 scheduler made with
`from_config` from the real model's scheduler config, as I2VGenXLPipeline would hold it after a swap, run for a
few steps on small random tensors exactly as the pipeline calls it (init_noise_sigma, scale_model_input, step).
Writes Tests/Fixtures/schedulers/NAME-STEPS.safetensors: timesteps, sigmas, initial sample, each step's model
output, scaled input and result. Run with the reference environment (torch CPU, diffusers 0.33.1)."""
import json, pathlib, torch
from safetensors.torch import save_file
from diffusers import DPMSolverMultistepScheduler, EulerDiscreteScheduler

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONFIG = json.loads((ROOT / "Tests/Fixtures/real/configs/scheduler/scheduler_config.json").read_text())
OUT = ROOT / "Tests/Fixtures/schedulers"
SCHEDULERS = {"dpm++2m": (DPMSolverMultistepScheduler, {}), "euler": (EulerDiscreteScheduler, {})}
SHAPE = (2, 4, 3, 5)  # (batch·frames, channels, h, w), as the pipeline's step sees it

def case(name, steps):
    cls, extra = SCHEDULERS[name]
    s = cls.from_config(CONFIG, **extra)
    s.set_timesteps(steps)
    g = torch.Generator().manual_seed(steps)
    x = torch.randn(SHAPE, generator=g) * s.init_noise_sigma
    out = {"timesteps": s.timesteps.to(torch.float64), "sigmas": s.sigmas.clone(), "initial": x.clone()}
    for i, t in enumerate(s.timesteps):
        scaled = s.scale_model_input(x, t)
        v = torch.randn(SHAPE, generator=g)
        x = s.step(v, t, x).prev_sample
        out[f"scaled_{i}"], out[f"model_output_{i}"], out[f"sample_{i}"] = scaled.clone(), v, x.clone()
    save_file({k: v.contiguous() for k, v in out.items()}, str(OUT / f"{name}-{steps}.safetensors"))

OUT.mkdir(parents=True, exist_ok=True)
for name in SCHEDULERS:
    for steps in (1, 4, 16):
        case(name, steps)
