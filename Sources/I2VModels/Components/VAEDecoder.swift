import I2VCheckpoint
import I2VTensor

/// diffusers' VAE `Decoder` (keys under `decoder.`, norm_type "group"): conv_in from latent_channels to the
/// deepest width, the mid block, one `UpDecoderBlock2D` per `block_out_channels` entry in reverse
/// (`layers_per_block + 1` resnets, an upsampler on all but the last), then GN → SiLU → conv_out.
struct VAEDecoder: @unchecked Sendable {
  /// `UpDecoderBlock2D`: resnets (the first changes the width), then an optional `upsamplers.0`.
  struct UpBlock: @unchecked Sendable {
    let resnets: [VAEResnetBlock]
    let upsampler: VAEUpsample?

    func callAsFunction(_ x: Tensor) throws -> Tensor {
      var h = x
      for resnet in resnets { h = try resnet(h) }
      if let upsampler { h = try upsampler(h) }
      return h
    }
  }

  let convIn: Conv2d
  let midBlock: VAEMidBlock
  let upBlocks: [UpBlock]
  let convNormOut: GroupNorm
  let convOut: Conv2d

  init(_ w: WeightScope, config c: VAEConfig) throws {
    let widths = Array(c.blockOutChannels.reversed())
    let groups = c.normNumGroups
    var width = widths[0]
    convIn = try Conv2d(w.scope("conv_in"), inChannels: c.latentChannels, outChannels: width, kernel: 3, padding: 1)
    midBlock = try VAEMidBlock(w.scope("mid_block"), channels: width, groups: groups,
                               addAttention: c.midBlockAddAttention)
    var blocks: [UpBlock] = []
    for (i, out) in widths.enumerated() {
      let b = w.scope("up_blocks.\(i)")
      let resnets = try (0...c.layersPerBlock).map { j in
        try VAEResnetBlock(b.scope("resnets.\(j)"), inChannels: j == 0 ? width : out, outChannels: out, groups: groups)
      }
      let isLast = i == widths.count - 1
      let up = isLast ? nil : try VAEUpsample(b.scope("upsamplers.0"), channels: out)
      blocks.append(UpBlock(resnets: resnets, upsampler: up))
      width = out
    }
    upBlocks = blocks
    convNormOut = try GroupNorm(w.scope("conv_norm_out"), groups: groups, channels: width, eps: vaeNormEps)
    convOut = try Conv2d(w.scope("conv_out"), inChannels: width, outChannels: c.outChannels, kernel: 3, padding: 1)
  }

  /// (n, latent_channels, h, w) (after `post_quant_conv`) → (n, out_channels, h·s, w·s).
  func callAsFunction(_ z: Tensor) throws -> Tensor {
    var h = try convIn(z)
    h = try midBlock(h)
    for block in upBlocks { h = try block(h) }
    return try convOut(convNormOut(h).silu())
  }
}
