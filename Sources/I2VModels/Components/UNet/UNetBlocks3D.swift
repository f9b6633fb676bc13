import I2VCheckpoint
import I2VTensor

/// One layer of a 3-D UNet block: `resnets.i` → `temp_convs.i`, then for cross-attention blocks `attentions.i`
/// (spatial, attends to the context) → `temp_attentions.i` (over frames). Heads = C / head_dim everywhere.
public struct UNetLayer3D: @unchecked Sendable {
  public let resnet: ResnetBlock2D
  public let tempConv: TemporalConvLayer
  public let attention: Transformer2DModel?
  public let tempAttention: TransformerTemporalModel?

  public init(_ block: WeightScope, index i: Int, inChannels: Int, outChannels: Int, crossAttention: Bool,
              config c: UNetConfig) throws
  {
    let g = c.normNumGroups
    resnet = try ResnetBlock2D(block.scope("resnets").scope(i), inChannels: inChannels, outChannels: outChannels,
                               tembChannels: c.timeEmbedDim, groups: g)
    tempConv = try TemporalConvLayer(block.scope("temp_convs").scope(i), channels: outChannels, groups: g)
    if crossAttention {
      attention = try Transformer2DModel(block.scope("attentions").scope(i), channels: outChannels,
                                         heads: c.heads(outChannels), headDim: c.headDim,
                                         contextDim: c.crossAttentionDim, groups: g)
      tempAttention = try TransformerTemporalModel(block.scope("temp_attentions").scope(i), channels: outChannels,
                                                   heads: c.heads(outChannels), headDim: c.headDim, groups: g)
    } else {
      attention = nil
      tempAttention = nil
    }
  }

  public func callAsFunction(_ x: Tensor, emb: Tensor, context: Tensor, frames: Int) throws -> Tensor {
    var h = try resnet(x, emb: emb)
    h = try tempConv(h, frames: frames)
    if let attention, let tempAttention {
      h = try attention(h, context: context)
      h = try tempAttention(h, frames: frames)
    }
    return h
  }
}

/// `CrossAttnDownBlock3D` / `DownBlock3D`: `layers_per_block` layers, then (all but the last block) a stride-2
/// downsampler. Every layer output and the downsampled tensor are skip connections for the up path.
public struct UNetDownBlock3D: @unchecked Sendable {
  public let layers: [UNetLayer3D]
  public let downsampler: Downsample2D?

  public init(_ w: WeightScope, type: UNetConfig.DownBlockType, inChannels: Int, outChannels: Int,
              addDownsample: Bool, config c: UNetConfig) throws
  {
    layers = try (0..<c.layersPerBlock).map { i in
      try UNetLayer3D(w, index: i, inChannels: i == 0 ? inChannels : outChannels, outChannels: outChannels,
                      crossAttention: type == .crossAttnDownBlock3D, config: c)
    }
    downsampler = addDownsample ? try Downsample2D(w.scope("downsamplers.0"), channels: outChannels) : nil
  }

  /// Returns the block output and appends its skip tensors to `skips`. `layerCount` (DeepCache's shallow pass):
  /// run only the first `layerCount` layers and no downsampler.
  public func callAsFunction(_ x: Tensor, emb: Tensor, context: Tensor, frames: Int, skips: inout [Tensor],
                             layerCount: Int? = nil) throws -> Tensor
  {
    var h = x
    for layer in layers.prefix(layerCount ?? layers.count) {
      h = try layer(h, emb: emb, context: context, frames: frames)
      skips.append(h)
    }
    if layerCount == nil, let downsampler {
      h = try downsampler(h)
      skips.append(h)
    }
    return h
  }
}

/// `UNetMidBlock3DCrossAttn` (diffusers' fixed single layer): resnet → temp conv → spatial attention → temporal
/// attention → resnet → temp conv, all at the last block width. Keys `resnets.{0,1}`, `temp_convs.{0,1}`,
/// `attentions.0`, `temp_attentions.0`.
public struct UNetMidBlock3DCrossAttn: @unchecked Sendable {
  public let resnets: [ResnetBlock2D]
  public let tempConvs: [TemporalConvLayer]
  public let attention: Transformer2DModel
  public let tempAttention: TransformerTemporalModel

  public init(_ w: WeightScope, channels: Int, config c: UNetConfig) throws {
    let g = c.normNumGroups
    resnets = try (0..<2).map {
      try ResnetBlock2D(w.scope("resnets").scope($0), inChannels: channels, outChannels: channels,
                        tembChannels: c.timeEmbedDim, groups: g)
    }
    tempConvs = try (0..<2).map { try TemporalConvLayer(w.scope("temp_convs").scope($0), channels: channels, groups: g) }
    attention = try Transformer2DModel(w.scope("attentions.0"), channels: channels, heads: c.heads(channels),
                                       headDim: c.headDim, contextDim: c.crossAttentionDim, groups: g)
    tempAttention = try TransformerTemporalModel(w.scope("temp_attentions.0"), channels: channels,
                                                 heads: c.heads(channels), headDim: c.headDim, groups: g)
  }

  public func callAsFunction(_ x: Tensor, emb: Tensor, context: Tensor, frames: Int) throws -> Tensor {
    var h = try resnets[0](x, emb: emb)
    h = try tempConvs[0](h, frames: frames)
    h = try attention(h, context: context)
    h = try tempAttention(h, frames: frames)
    h = try resnets[1](h, emb: emb)
    return try tempConvs[1](h, frames: frames)
  }
}

/// `UpBlock3D` / `CrossAttnUpBlock3D`: `layers_per_block + 1` layers, each first concatenating `[current, skip]`
/// (skips consumed from the end), then (all but the last block) a nearest upsampler.
public struct UNetUpBlock3D: @unchecked Sendable {
  public let layers: [UNetLayer3D]
  public let upsampler: Upsample2D?

  /// `inChannels`: width of the deepest skip this block consumes (diffusers' `in_channels`); `prevOutChannels`:
  /// width of the incoming tensor.
  public init(_ w: WeightScope, type: UNetConfig.UpBlockType, inChannels: Int, outChannels: Int,
              prevOutChannels: Int, addUpsample: Bool, config c: UNetConfig) throws
  {
    let count = c.layersPerBlock + 1
    layers = try (0..<count).map { i in
      let skipChannels = i == count - 1 ? inChannels : outChannels
      let current = i == 0 ? prevOutChannels : outChannels
      return try UNetLayer3D(w, index: i, inChannels: current + skipChannels, outChannels: outChannels,
                             crossAttention: type == .crossAttnUpBlock3D, config: c)
    }
    upsampler = addUpsample ? try Upsample2D(w.scope("upsamplers.0"), channels: outChannels) : nil
  }

  /// Consumes `layers.count` tensors from the end of `skips`. `upsampleSize` forces the interpolation size.
  /// DeepCache: `entering` is the layer the block starts at (the earlier layers and their skips are skipped; `x`
  /// is then what enters that layer), and `keep` receives what enters layer `keepAt` (before its skip is joined).
  public func callAsFunction(_ x: Tensor, skips: inout [Tensor], emb: Tensor, context: Tensor, frames: Int,
                             upsampleSize: (height: Int, width: Int)?, entering: Int = 0, keepAt: Int? = nil,
                             keep: (Tensor) -> Void = { _ in }) throws -> Tensor
  {
    var h = x
    for (i, layer) in layers.enumerated() where i >= entering {
      if i == keepAt { keep(h) }
      guard !skips.isEmpty else { throw TorchError("UNet up path ran out of skip connections") }
      // No local keeps the skip: it is freed as soon as the concatenation is consumed.
      h = try Tensor.cat([h, skips.removeLast()], dim: 1)
      h = try layer(h, emb: emb, context: context, frames: frames)
    }
    if let upsampler { h = try upsampler(h, size: upsampleSize) }
    return h
  }
}
