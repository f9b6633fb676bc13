import I2VCheckpoint
import I2VTensor

// The VAE's building blocks: diffusers' ResnetBlock2D without time embedding, the single-head mid-block
// attention, Downsample2D(padding=0) and Upsample2D(nearest + conv). All GroupNorms here use eps 1e-6.

let vaeNormEps = 1e-6

/// `ResnetBlock2D(temb_channels=None)`: GN → SiLU → conv3×3 → GN → SiLU → conv3×3, plus the input (through a 1×1
/// `conv_shortcut` when the channel count changes). Dropout is inactive and `output_scale_factor` is 1.
struct VAEResnetBlock: @unchecked Sendable {
  let norm1: GroupNorm
  let conv1: Conv2d
  let norm2: GroupNorm
  let conv2: Conv2d
  let convShortcut: Conv2d?

  init(_ w: WeightScope, inChannels: Int, outChannels: Int, groups: Int) throws {
    norm1 = try GroupNorm(w.scope("norm1"), groups: groups, channels: inChannels, eps: vaeNormEps)
    conv1 = try Conv2d(w.scope("conv1"), inChannels: inChannels, outChannels: outChannels, kernel: 3, padding: 1)
    norm2 = try GroupNorm(w.scope("norm2"), groups: groups, channels: outChannels, eps: vaeNormEps)
    conv2 = try Conv2d(w.scope("conv2"), inChannels: outChannels, outChannels: outChannels, kernel: 3, padding: 1)
    convShortcut = inChannels == outChannels
      ? nil : try Conv2d(w.scope("conv_shortcut"), inChannels: inChannels, outChannels: outChannels, kernel: 1)
  }

  func callAsFunction(_ x: Tensor) throws -> Tensor {
    var h = try conv1(norm1(x).silu())
    h = try conv2(norm2(h).silu())
    let skip = try convShortcut.map { try $0(x) } ?? x
    return try skip + h
  }
}

/// The mid-block `Attention(C, heads=1, dim_head=C, bias=True, norm_num_groups, residual_connection=True)` on
/// (b, C, h, w): group_norm, flatten to (b, h·w, C), one-head SDPA with scale 1/√C, `to_out.0`, back to
/// (b, C, h, w), plus the input.
struct VAEAttentionBlock: @unchecked Sendable {
  let groupNorm: GroupNorm
  let attention: Attention

  init(_ w: WeightScope, channels: Int, groups: Int) throws {
    groupNorm = try GroupNorm(w.scope("group_norm"), groups: groups, channels: channels, eps: vaeNormEps)
    attention = try Attention(w, queryDim: channels, heads: 1, headDim: channels, qkvBias: true)
  }

  func callAsFunction(_ x: Tensor) throws -> Tensor {
    let (b, c, h, w) = (x.size(0), x.size(1), x.size(2), x.size(3))
    // GroupNorm on (b, C, h, w) equals diffusers' GroupNorm on the (b, C, h·w) view: same groups, same elements.
    let tokens = try groupNorm(x).reshape(b, c, h * w).transpose(1, 2)
    let o = try attention(tokens)
    return try o.transpose(1, 2).reshape(b, c, h, w) + x
  }
}

/// `Downsample2D(use_conv=True, padding=0)`: zero-pad right and bottom by one pixel, then a stride-2 3×3 conv
/// without padding (odd sizes round down: 5 → 2).
struct VAEDownsample: @unchecked Sendable {
  let conv: Conv2d

  init(_ w: WeightScope, channels: Int) throws {
    conv = try Conv2d(w.scope("conv"), inChannels: channels, outChannels: channels, kernel: 3, stride: 2, padding: 0)
  }

  func callAsFunction(_ x: Tensor) throws -> Tensor { try conv(x.pad([0, 1, 0, 1])) }
}

/// `Upsample2D(use_conv=True)`: nearest-neighbour ×2, then a 3×3 conv with padding 1.
struct VAEUpsample: @unchecked Sendable {
  let conv: Conv2d

  init(_ w: WeightScope, channels: Int) throws {
    conv = try Conv2d(w.scope("conv"), inChannels: channels, outChannels: channels, kernel: 3, padding: 1)
  }

  func callAsFunction(_ x: Tensor) throws -> Tensor {
    try conv(x.upsampleNearest2d(height: x.size(2) * 2, width: x.size(3) * 2))
  }
}

/// `UNetMidBlock2D(num_layers=1, temb_channels=None)`: resnet → attention (unless `mid_block_add_attention` is
/// false) → resnet, all at the deepest width.
struct VAEMidBlock: @unchecked Sendable {
  let resnet0: VAEResnetBlock
  let attention: VAEAttentionBlock?
  let resnet1: VAEResnetBlock

  init(_ w: WeightScope, channels: Int, groups: Int, addAttention: Bool) throws {
    resnet0 = try VAEResnetBlock(w.scope("resnets.0"), inChannels: channels, outChannels: channels, groups: groups)
    attention = addAttention ? try VAEAttentionBlock(w.scope("attentions.0"), channels: channels, groups: groups) : nil
    resnet1 = try VAEResnetBlock(w.scope("resnets.1"), inChannels: channels, outChannels: channels, groups: groups)
  }

  func callAsFunction(_ x: Tensor) throws -> Tensor {
    var h = try resnet0(x)
    if let attention { h = try attention(h) }
    return try resnet1(h)
  }
}
