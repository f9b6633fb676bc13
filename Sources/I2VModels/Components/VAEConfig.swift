import I2VCheckpoint

/// The fields of an `AutoencoderKL` `config.json` that shape the network. Missing fields take diffusers'
/// constructor defaults (diffusers 0.33), so a config that diffusers accepts builds the same network here.
public struct VAEConfig: Sendable, Equatable {
  public var inChannels: Int
  public var outChannels: Int
  public var latentChannels: Int
  public var blockOutChannels: [Int]
  public var layersPerBlock: Int
  public var normNumGroups: Int
  public var scalingFactor: Double
  public var useQuantConv: Bool
  public var usePostQuantConv: Bool
  public var midBlockAddAttention: Bool

  public init(inChannels: Int = 3, outChannels: Int = 3, latentChannels: Int = 4, blockOutChannels: [Int] = [64],
              layersPerBlock: Int = 1, normNumGroups: Int = 32, scalingFactor: Double = 0.18215,
              useQuantConv: Bool = true, usePostQuantConv: Bool = true, midBlockAddAttention: Bool = true)
  {
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.latentChannels = latentChannels
    self.blockOutChannels = blockOutChannels
    self.layersPerBlock = layersPerBlock
    self.normNumGroups = normNumGroups
    self.scalingFactor = scalingFactor
    self.useQuantConv = useQuantConv
    self.usePostQuantConv = usePostQuantConv
    self.midBlockAddAttention = midBlockAddAttention
  }

  /// Reads and validates a VAE `config.json`. Only the block types and activation this pipeline's VAE uses are
  /// accepted; anything else fails here rather than binding a different network silently.
  /// `shift_factor`, `latents_mean/std`, `force_upcast` and `sample_size` are not read: `I2VGenXLPipeline` ignores
  /// them (no shift, no upcast, no tiling).
  public init(_ c: JSONConfig) throws {
    let d = VAEConfig()
    self.init(
      inChannels: try c.int("in_channels", default: d.inChannels),
      outChannels: try c.int("out_channels", default: d.outChannels),
      latentChannels: try c.int("latent_channels", default: d.latentChannels),
      blockOutChannels: try c.ints("block_out_channels", default: d.blockOutChannels),
      layersPerBlock: try c.int("layers_per_block", default: d.layersPerBlock),
      normNumGroups: try c.int("norm_num_groups", default: d.normNumGroups),
      scalingFactor: try c.double("scaling_factor", default: d.scalingFactor),
      useQuantConv: try c.bool("use_quant_conv", default: d.useQuantConv),
      usePostQuantConv: try c.bool("use_post_quant_conv", default: d.usePostQuantConv),
      midBlockAddAttention: try c.bool("mid_block_add_attention", default: d.midBlockAddAttention))

    func fail(_ message: String) -> CheckpointError { CheckpointError(c.path, message) }
    let depth = blockOutChannels.count
    guard depth > 0, blockOutChannels.allSatisfy({ $0 > 0 }) else {
      throw fail("field 'block_out_channels' must be a non-empty list of positive integers")
    }
    let down = c.has("down_block_types") ? try c.strings("down_block_types") : ["DownEncoderBlock2D"]
    let up = c.has("up_block_types") ? try c.strings("up_block_types") : ["UpDecoderBlock2D"]
    if let bad = down.first(where: { $0 != "DownEncoderBlock2D" }) {
      throw fail("unsupported VAE down block type '\(bad)' (only DownEncoderBlock2D)")
    }
    if let bad = up.first(where: { $0 != "UpDecoderBlock2D" }) {
      throw fail("unsupported VAE up block type '\(bad)' (only UpDecoderBlock2D)")
    }
    guard down.count == depth, up.count == depth else {
      throw fail("down_block_types (\(down.count)) and up_block_types (\(up.count)) must have one entry per "
        + "block_out_channels entry (\(depth))")
    }
    let act = try c.string("act_fn", default: "silu")
    guard act == "silu" else { throw fail("unsupported VAE act_fn '\(act)' (only silu)") }
    guard inChannels > 0, outChannels > 0, latentChannels > 0, layersPerBlock > 0, normNumGroups > 0 else {
      throw fail("channel counts, layers_per_block and norm_num_groups must be positive")
    }
    guard scalingFactor.isFinite, scalingFactor != 0 else { throw fail("field 'scaling_factor' must be non-zero") }
  }

  /// Pixel size / latent size: each block but the last halves the resolution.
  public var scaleFactor: Int { 1 << (blockOutChannels.count - 1) }
}
