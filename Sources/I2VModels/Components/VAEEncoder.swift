import I2VCheckpoint
import I2VTensor

/// diffusers' VAE `Encoder` (keys under `encoder.`): conv_in, one `DownEncoderBlock2D` per `block_out_channels`
/// entry (`layers_per_block` resnets, a downsampler on all but the last), the mid block, then
/// GN → SiLU → conv_out to 2·latent_channels moments (mean and log-variance).
struct VAEEncoder: @unchecked Sendable {
  /// `DownEncoderBlock2D`: resnets (the first changes the width), then an optional `downsamplers.0`.
  struct DownBlock: @unchecked Sendable {
    let resnets: [VAEResnetBlock]
    let downsampler: VAEDownsample?

    func callAsFunction(_ x: Tensor) throws -> Tensor {
      var h = x
      for resnet in resnets { h = try resnet(h) }
      if let downsampler { h = try downsampler(h) }
      return h
    }
  }

  let convIn: Conv2d
  let downBlocks: [DownBlock]
  let midBlock: VAEMidBlock
  let convNormOut: GroupNorm
  let convOut: Conv2d

  init(_ w: WeightScope, config c: VAEConfig) throws {
    let widths = c.blockOutChannels
    let groups = c.normNumGroups
    convIn = try Conv2d(w.scope("conv_in"), inChannels: c.inChannels, outChannels: widths[0], kernel: 3, padding: 1)
    var blocks: [DownBlock] = []
    var width = widths[0]
    for (i, out) in widths.enumerated() {
      let b = w.scope("down_blocks.\(i)")
      let resnets = try (0..<c.layersPerBlock).map { j in
        try VAEResnetBlock(b.scope("resnets.\(j)"), inChannels: j == 0 ? width : out, outChannels: out, groups: groups)
      }
      let isLast = i == widths.count - 1
      let down = isLast ? nil : try VAEDownsample(b.scope("downsamplers.0"), channels: out)
      blocks.append(DownBlock(resnets: resnets, downsampler: down))
      width = out
    }
    downBlocks = blocks
    midBlock = try VAEMidBlock(w.scope("mid_block"), channels: width, groups: groups,
                               addAttention: c.midBlockAddAttention)
    convNormOut = try GroupNorm(w.scope("conv_norm_out"), groups: groups, channels: width, eps: vaeNormEps)
    convOut = try Conv2d(w.scope("conv_out"), inChannels: width, outChannels: 2 * c.latentChannels, kernel: 3,
                         padding: 1)
  }

  /// (n, in_channels, H, W) → (n, 2·latent_channels, H/s, W/s) moments, before `quant_conv` (each halving
  /// rounds down).
  func callAsFunction(_ x: Tensor) throws -> Tensor {
    var h = try convIn(x)
    for block in downBlocks { h = try block(h) }
    h = try midBlock(h)
    return try convOut(convNormOut(h).silu())
  }
}
