#!/usr/bin/env python3
"""Reference values for the tensor-layer tests (Tests/I2VTensorTests), computed by PyTorch.

Writes Tests/Fixtures/ops/ops.safetensors: for each case, inputs `<case>.in0`, `<case>.in1`, ... and the
expected output `<case>.out` (or `.out0`, `.out1`, ... for several). The Swift tests repeat each case's
parameters next to its name; inputs are random so the tests compare real numbers, not zeros.
Run with the reference venv: .venv-ref/bin/python Scripts/make_op_fixtures.py
"""
import math
import os
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(1234)
out = {}


def case(name, inputs, outputs):
    for i, t in enumerate(inputs):
        out[f"{name}.in{i}"] = t.contiguous().clone()
    if isinstance(outputs, (list, tuple)):
        for i, t in enumerate(outputs):
            out[f"{name}.out{i}"] = t.contiguous()
    else:
        out[f"{name}.out"] = outputs.contiguous()


r = torch.randn
x = r(2, 3, 8); w = r(5, 8); b = r(5)
case("linear", [x, w, b], F.linear(x, w, b))
case("linear_nobias", [x, w], F.linear(x, w))
a = r(2, 3, 4); m = r(4, 5)
case("matmul", [a, m], a @ m)
x = r(2, 3, 9, 7); w = r(4, 3, 3, 3); b = r(4)
case("conv2d_s2p1", [x, w, b], F.conv2d(x, w, b, stride=2, padding=1))
case("conv2d_p0_nobias", [x, w], F.conv2d(x, w, None, stride=1, padding=0))
x = r(2, 4, 5, 3, 3); w = r(4, 4, 3, 1, 1); b = r(4)
case("conv3d_temporal", [x, w, b], F.conv3d(x, w, b, padding=(1, 0, 0)))
x = r(2, 6, 3, 4, 5); w = r(6); b = r(6)
case("group_norm_5d", [x, w, b], F.group_norm(x, 3, w, b, eps=1e-6))
x = r(3, 8, 4, 4); w = r(8); b = r(8)
case("group_norm_4d", [x, w, b], F.group_norm(x, 4, w, b, eps=1e-5))
x = r(2, 5, 8); w = r(8); b = r(8)
case("layer_norm", [x, w, b], F.layer_norm(x, (8,), w, b, eps=1e-5))
x = r(4, 9) * 3
case("silu", [x], F.silu(x))
case("gelu", [x], F.gelu(x))
case("quick_gelu", [x], x * torch.sigmoid(1.702 * x))
case("softmax", [x], torch.softmax(x, dim=-1))
case("exp_sin_cos", [x], [torch.exp(x), torch.sin(x), torch.cos(x)])
case("sqrt_abs", [x], torch.sqrt(torch.abs(x)))
case("sigmoid_tanh_erf", [x], [torch.sigmoid(x), torch.tanh(x), torch.erf(x)])
halves = torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 3.7, -3.7], dtype=torch.float32)
case("round_half_even", [halves], torch.round(halves))
case("clamp", [x], torch.clamp(x, -1.0, 0.5))
a = r(2, 1, 4); c = r(3, 1)
case("broadcast_binary", [a, c], [a + c, a - c, a * c, a / c])
case("scalar_binary", [a], [1 - a, 2.0 / a, a * 0.5 + 0.25, a ** 2])
xs = [r(2, 3), r(2, 5)]
case("cat_dim1", xs, torch.cat(xs, dim=1))
x = r(2, 3, 4, 5)
case("permute", [x], x.permute(0, 2, 1, 3).contiguous())
case("transpose", [x], x.transpose(1, 3).contiguous())
case("repeat_interleave", [x], torch.repeat_interleave(x, 3, dim=0))
case("repeat", [x], x.repeat(2, 1, 1, 1))
case("chunk", [x], list(x.chunk(2, dim=2)))
x = r(1, 2, 3, 5)
case("upsample_x2", [x], F.interpolate(x, scale_factor=2.0, mode="nearest"))
case("upsample_size", [x], F.interpolate(x, size=(7, 11), mode="nearest"))
x = r(1, 2, 11, 20)
case("adaptive_pool_overlap", [x], F.adaptive_avg_pool2d(x, (4, 4)))
x = r(1, 3, 22, 40)
case("adaptive_pool_8", [x], F.adaptive_avg_pool2d(x, (8, 8)))
x = r(1, 2, 4, 4)
case("pad_right_bottom", [x], F.pad(x, (0, 1, 0, 1)))
q = r(2, 3, 7, 8); k = r(2, 3, 5, 8); v = r(2, 3, 5, 8)
case("sdpa", [q, k, v], F.scaled_dot_product_attention(q, k, v))
q = r(1, 2, 6, 4); k = r(1, 2, 6, 4); v = r(1, 2, 6, 4)
case("sdpa_causal", [q, k, v], F.scaled_dot_product_attention(q, k, v, is_causal=True))
weight = r(10, 4); ids = torch.tensor([[3, 0, 9, 3]], dtype=torch.int64)
case("embedding", [weight, ids], F.embedding(ids, weight))
alphas = 1.0 - torch.linspace(0.0001, 0.02, 1000, dtype=torch.float32)
case("cumprod", [alphas], torch.cumprod(alphas, dim=0))
x = r(3, 4, 5)
case("reductions", [x], [x.sum(dim=(1, 2)), x.mean(dim=-1, keepdim=True), x.amax(dim=0), x.amin()])
case("arange", [], [torch.arange(0, 160, dtype=torch.float32), torch.arange(3, 10, 2, dtype=torch.int64)])
# Sinusoidal timestep embedding exactly as diffusers computes it (embeddings.get_timestep_embedding).
t = torch.tensor([981, 16], dtype=torch.int64)
exponent = -math.log(10000) * torch.arange(0, 160, dtype=torch.float32)
exponent = exponent / 160
freqs = torch.exp(exponent)
arg = t[:, None].float() * freqs[None, :]
emb = torch.cat([torch.cos(arg), torch.sin(arg)], dim=-1)
case("timestep_embedding", [t], emb)
x = r(2, 3, 4)
case("to_bf16_fp16", [x], [x.to(torch.bfloat16), x.to(torch.float16)])

# The CPU generator's stream (torch.Generator on CPU): float32 and float16, long and short draws.
for seed, shape in [(42, (1, 4, 16, 8, 8)), (0, (5,)), (7, (3, 7)), (123, (2, 4, 3, 5, 6))]:
    name = "randn_%d_%s" % (seed, "x".join(map(str, shape)))
    g = torch.Generator("cpu").manual_seed(seed)
    f32 = torch.randn(shape, generator=g, dtype=torch.float32)
    g = torch.Generator("cpu").manual_seed(seed)
    f16 = torch.randn(shape, generator=g, dtype=torch.float16)
    g = torch.Generator("cpu").manual_seed(seed)
    bf16 = torch.randn(shape, generator=g, dtype=torch.bfloat16)
    case(name, [], [f32, f16, bf16])
# Two consecutive draws from one generator (VAE sample, then the initial noise), in float32 and float16 with
# sizes that are not multiples of 16 (the reduced-precision tail rule changes how much of the stream is used).
for dt, tag in [(torch.float32, "f32"), (torch.float16, "f16")]:
    g = torch.Generator("cpu").manual_seed(99)
    case("randn_pair_" + tag, [], [torch.randn((3, 7), generator=g, dtype=dt), torch.randn((2, 9), generator=g, dtype=dt)])
g = torch.Generator("cpu").manual_seed(2024)
d1 = torch.randn((1, 4, 4, 4), generator=g)
d2 = torch.randn((1, 4, 2, 4, 4), generator=g)
case("randn_two_draws", [], [d1, d2])

dest = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "ops", "ops.safetensors")
save_file(out, dest, metadata={"torch": torch.__version__})
print(f"wrote {len(out)} tensors to {os.path.normpath(dest)} (torch {torch.__version__})")
