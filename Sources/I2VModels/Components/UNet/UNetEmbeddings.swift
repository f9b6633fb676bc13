import Foundation
import I2VCheckpoint
import I2VTensor

/// diffusers' `Timesteps(dim, flip_sin_to_cos=True, downscale_freq_shift=0)`: `[cos(t·f) | sin(t·f)]` with
/// `f_j = exp(−ln(10⁴)·j / (dim/2))`. Always float32 (the callers cast to the model dtype, as diffusers does), and
/// built on the input's device so no value crosses to the host.
public struct SinusoidalProjection: Sendable {
  public let dim: Int

  public init(dim: Int) { self.dim = dim }

  /// `t`: (n,) integer or floating values → (n, dim) float32.
  public func callAsFunction(_ t: Tensor) throws -> Tensor {
    let half = dim / 2
    // Same op order as diffusers: −ln(10⁴)·arange (fp32), / half, exp.
    var freqs = try Tensor.arange(0, Double(half), dtype: .float32, device: t.device) * -Foundation.log(10000.0)
    freqs = try (freqs / Double(half)).exp()
    let args = try t.to(.float32).unsqueeze(1) * freqs.unsqueeze(0)
    // diffusers builds [sin | cos] and swaps the halves; emitting [cos | sin] gives the same values.
    let emb = try Tensor.cat([args.cos(), args.sin()], dim: -1)
    return dim % 2 == 1 ? try emb.pad([0, 1, 0, 0]) : emb
  }
}

/// Linear → SiLU → Linear, under configurable key names (`linear_1`/`linear_2` for `TimestepEmbedding`,
/// `0`/`2` for the `nn.Sequential` embeddings).
public struct SiLUMLP: @unchecked Sendable {
  public let first: Linear
  public let second: Linear

  public init(_ w: WeightScope, keys: (String, String) = ("0", "2"), inFeatures: Int, hidden: Int, outFeatures: Int)
    throws
  {
    first = try Linear(w.scope(keys.0), inFeatures: inFeatures, outFeatures: hidden)
    second = try Linear(w.scope(keys.1), inFeatures: hidden, outFeatures: outFeatures)
  }

  public func callAsFunction(_ x: Tensor) throws -> Tensor { try second(first(x).silu()) }
}

/// `image_latents_proj_in`: three 3×3 convolutions with SiLU between (4 → 4·C → 4·C → C, C = in_channels) applied
/// to every frame of the image-latent conditioning. The first input width is a literal 4 in diffusers.
public struct ImageLatentsProjIn: @unchecked Sendable {
  public let conv0: Conv2d
  public let conv2: Conv2d
  public let conv4: Conv2d

  public init(_ w: WeightScope, inChannels: Int) throws {
    conv0 = try Conv2d(w.scope("0"), inChannels: 4, outChannels: inChannels * 4, kernel: 3, padding: 1)
    conv2 = try Conv2d(w.scope("2"), inChannels: inChannels * 4, outChannels: inChannels * 4, kernel: 3, padding: 1)
    conv4 = try Conv2d(w.scope("4"), inChannels: inChannels * 4, outChannels: inChannels, kernel: 3, padding: 1)
  }

  public func callAsFunction(_ x: Tensor) throws -> Tensor {
    var h = try conv0(x).silu()
    h = try conv2(h).silu()
    return try conv4(h)
  }
}

/// `image_latents_context_embedding`: conv 3×3 (4 → 8·C), SiLU, AdaptiveAvgPool2d(32, 32), conv 3×3 stride 2
/// (8·C → 16·C), SiLU, conv 3×3 stride 2 (16·C → cross_attention_dim). The pooling makes the output 8×8 = 64 tokens
/// whatever the latent size (overlapping bins when it is not a multiple of 32).
public struct ImageLatentsContextEmbedding: @unchecked Sendable {
  public static let pooledSize = 32
  public let conv0: Conv2d
  public let conv3: Conv2d
  public let conv5: Conv2d

  public init(_ w: WeightScope, inChannels: Int, crossAttentionDim: Int) throws {
    conv0 = try Conv2d(w.scope("0"), inChannels: 4, outChannels: inChannels * 8, kernel: 3, padding: 1)
    conv3 = try Conv2d(w.scope("3"), inChannels: inChannels * 8, outChannels: inChannels * 16, kernel: 3, stride: 2,
                       padding: 1)
    conv5 = try Conv2d(w.scope("5"), inChannels: inChannels * 16, outChannels: crossAttentionDim, kernel: 3,
                       stride: 2, padding: 1)
  }

  /// (n, 4, h, w) → (n, 64, cross_attention_dim), tokens in row-major order over the 8×8 grid.
  public func callAsFunction(_ x: Tensor) throws -> Tensor {
    var h = try conv0(x).silu()
    h = try h.adaptiveAvgPool2d(height: Self.pooledSize, width: Self.pooledSize)
    h = try conv3(h).silu()
    h = try conv5(h)
    let (n, c, gh, gw) = (h.size(0), h.size(1), h.size(2), h.size(3))
    return try h.permute(0, 2, 3, 1).reshape(n, gh * gw, c)
  }
}
