import I2VCheckpoint

/// `unet/config.json` of an `I2VGenXLUNet`, plus the sizes diffusers derives from it. Every layer size of the
/// UNet comes from here; the constants diffusers hard-codes (8 heads in `transformer_in`, 2 in the image temporal
/// encoder, the 4-channel image-latent input, the 32×32 pooling) live next to the layers that use them.
public struct UNetConfig: Sendable, Equatable {
  public enum DownBlockType: String, Sendable { case crossAttnDownBlock3D = "CrossAttnDownBlock3D", downBlock3D = "DownBlock3D" }
  public enum UpBlockType: String, Sendable { case upBlock3D = "UpBlock3D", crossAttnUpBlock3D = "CrossAttnUpBlock3D" }

  public var inChannels: Int
  public var outChannels: Int
  public var blockOutChannels: [Int]
  public var layersPerBlock: Int
  public var normNumGroups: Int
  public var crossAttentionDim: Int
  /// The per-head width everywhere (diffusers' naming inversion: the config's `attention_head_dim` is what the
  /// blocks receive as "num_attention_heads" and then use as the head size; `num_attention_heads` is ignored).
  public var headDim: Int
  public var downBlockTypes: [DownBlockType]
  public var upBlockTypes: [UpBlockType]

  public init(inChannels: Int = 4, outChannels: Int = 4, blockOutChannels: [Int] = [320, 640, 1280, 1280],
              layersPerBlock: Int = 2, normNumGroups: Int = 32, crossAttentionDim: Int = 1024, headDim: Int = 64,
              downBlockTypes: [DownBlockType] = [.crossAttnDownBlock3D, .crossAttnDownBlock3D, .crossAttnDownBlock3D,
                                                 .downBlock3D],
              upBlockTypes: [UpBlockType] = [.upBlock3D, .crossAttnUpBlock3D, .crossAttnUpBlock3D, .crossAttnUpBlock3D])
  {
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.blockOutChannels = blockOutChannels
    self.layersPerBlock = layersPerBlock
    self.normNumGroups = normNumGroups
    self.crossAttentionDim = crossAttentionDim
    self.headDim = headDim
    self.downBlockTypes = downBlockTypes
    self.upBlockTypes = upBlockTypes
  }

  /// Reads the config with diffusers' defaults for absent fields and checks that the architecture is buildable.
  public init(_ c: JSONConfig) throws {
    let d = UNetConfig()
    if c.has("attention_head_dim"), c.values["attention_head_dim"] is [Any] {
      // diffusers also passes the value to `transformer_in` as a head size, which only works for a single int.
      throw CheckpointError(c.path, "field 'attention_head_dim' must be a single integer for I2VGenXLUNet")
    }
    self.init(
      inChannels: try c.int("in_channels", default: d.inChannels),
      outChannels: try c.int("out_channels", default: d.outChannels),
      blockOutChannels: try c.ints("block_out_channels", default: d.blockOutChannels),
      layersPerBlock: try c.int("layers_per_block", default: d.layersPerBlock),
      normNumGroups: try c.int("norm_num_groups", default: d.normNumGroups),
      crossAttentionDim: try c.int("cross_attention_dim", default: d.crossAttentionDim),
      headDim: try c.int("attention_head_dim", default: d.headDim),
      downBlockTypes: try Self.parse(c, "down_block_types", d.downBlockTypes.map(\.rawValue)),
      upBlockTypes: try Self.parse(c, "up_block_types", d.upBlockTypes.map(\.rawValue)))
    try validate(path: c.path)
  }

  static func parse<T: RawRepresentable>(_ c: JSONConfig, _ key: String, _ fallback: [String]) throws -> [T]
  where T.RawValue == String {
    try (c.has(key) ? c.strings(key) : fallback).map { name in
      guard let t = T(rawValue: name) else {
        throw CheckpointError(c.path, "field '\(key)': block type '\(name)' is not supported by I2VGenXLUNet")
      }
      return t
    }
  }

  public func validate(path: String) throws {
    func check(_ ok: Bool, _ message: String) throws { if !ok { throw CheckpointError(path, message) } }
    try check(!blockOutChannels.isEmpty, "block_out_channels is empty")
    try check(downBlockTypes.count == blockOutChannels.count && upBlockTypes.count == blockOutChannels.count,
              "down_block_types, up_block_types and block_out_channels must have the same length")
    // Groups first: a 0 would make the remainder below trap (found by fuzzing the config parser).
    try check(normNumGroups > 0 && blockOutChannels.allSatisfy { $0 > 0 && $0 % normNumGroups == 0 },
              "every block_out_channels entry must be a positive multiple of norm_num_groups (\(normNumGroups))")
    try check(blockOutChannels.allSatisfy { $0 >= headDim } && headDim > 0,
              "attention_head_dim (\(headDim)) must be positive and at most every block width")
    try check(layersPerBlock > 0 && inChannels > 0 && outChannels > 0 && crossAttentionDim > 0,
              "layers_per_block, in_channels, out_channels and cross_attention_dim must be positive")
  }

  /// Width of the time / fps embedding MLPs (diffusers: 4 × the first block width).
  public var timeEmbedDim: Int { blockOutChannels[0] * 4 }
  /// Number of up blocks with an upsampler (all but the last); sample sizes that are not multiples of
  /// 2^upsamplers make the up path force its interpolation sizes.
  public var upsamplerCount: Int { blockOutChannels.count - 1 }
  /// Attention heads at width `channels` (spatial and temporal transformers of the blocks).
  public func heads(_ channels: Int) -> Int { channels / headDim }
}
