import I2VCheckpoint
import I2VTensor

/// diffusers' `ResnetBlock2D` as the video UNet uses it ("default" time-embedding norm, SiLU, output scale 1):
/// `conv2(SiLU(GN2(conv1(SiLU(GN1(x))) + time_emb_proj(SiLU(emb))))) + shortcut(x)`, with a 1×1 `conv_shortcut`
/// exactly when the width changes. Works per frame on (N·F, C, h, w); `emb` is per frame too (N·F, temb).
public struct ResnetBlock2D: @unchecked Sendable {
  public let norm1: GroupNorm
  public let conv1: Conv2d
  public let timeEmbProj: Linear
  public let norm2: GroupNorm
  public let conv2: Conv2d
  public let convShortcut: Conv2d?

  public init(_ w: WeightScope, inChannels: Int, outChannels: Int, tembChannels: Int, groups: Int, eps: Double = 1e-5)
    throws
  {
    norm1 = try GroupNorm(w.scope("norm1"), groups: groups, channels: inChannels, eps: eps)
    conv1 = try Conv2d(w.scope("conv1"), inChannels: inChannels, outChannels: outChannels, kernel: 3, padding: 1)
    timeEmbProj = try Linear(w.scope("time_emb_proj"), inFeatures: tembChannels, outFeatures: outChannels)
    norm2 = try GroupNorm(w.scope("norm2"), groups: groups, channels: outChannels, eps: eps)
    conv2 = try Conv2d(w.scope("conv2"), inChannels: outChannels, outChannels: outChannels, kernel: 3, padding: 1)
    convShortcut = inChannels != outChannels
      ? try Conv2d(w.scope("conv_shortcut"), inChannels: inChannels, outChannels: outChannels, kernel: 1) : nil
  }

  public func callAsFunction(_ x: Tensor, emb: Tensor) throws -> Tensor {
    var h = try conv1(norm1(x).silu())
    let t = try timeEmbProj(emb.silu())
    h = try h + t.reshape(t.size(0), t.size(1), 1, 1)
    h = try conv2(norm2(h).silu())
    // diffusers divides by output_scale_factor (1.0), an exact no-op.
    // diffusers feeds the shortcut `x.contiguous()` (free when already contiguous; keeps kernel choice identical).
    return try (convShortcut.map { try $0(x.contiguous()) } ?? x) + h
  }
}
