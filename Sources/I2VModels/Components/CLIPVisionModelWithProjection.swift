import Foundation
import I2VCheckpoint
import I2VTensor

/// `CLIPVisionConfig` fields the vision tower needs.
public struct CLIPVisionConfig: Sendable, Equatable {
  public var tower: CLIPTowerConfig
  public var imageSize: Int
  public var patchSize: Int
  public var numChannels: Int
  public var projectionDim: Int

  /// transformers' `CLIPVisionConfig()` defaults.
  static let defaults = CLIPTowerConfig(hiddenSize: 768, intermediateSize: 3072, layers: 12, heads: 12,
                                        activation: .quickGelu, layerNormEps: 1e-5)

  public init(tower: CLIPTowerConfig, imageSize: Int, patchSize: Int, numChannels: Int, projectionDim: Int) {
    self.tower = tower
    self.imageSize = imageSize
    self.patchSize = patchSize
    self.numChannels = numChannels
    self.projectionDim = projectionDim
  }

  public init(_ c: JSONConfig) throws {
    tower = try CLIPTowerConfig(c, defaults: Self.defaults)
    imageSize = try c.int("image_size", default: 224)
    patchSize = try c.int("patch_size", default: 32)
    numChannels = try c.int("num_channels", default: 3)
    projectionDim = try c.int("projection_dim", default: 512)
    guard imageSize > 0, patchSize > 0, numChannels > 0, projectionDim > 0 else {
      throw CheckpointError(c.path, "image_size / patch_size / num_channels / projection_dim must be positive")
    }
  }

  /// Patches per side; transformers uses floor division too (a stride-p conv drops the remainder).
  public var gridSize: Int { imageSize / patchSize }
  /// Class token + patches.
  public var positions: Int { gridSize * gridSize + 1 }
}

/// transformers' `CLIPVisionModelWithProjection`: patch conv (no bias) + class token + position embeddings,
/// `pre_layrnorm` (sic), pre-LN encoder layers without a mask, `post_layernorm` on the class token, then
/// `visual_projection` (no bias) → `image_embeds` (b, projection_dim), not normalised.
public struct CLIPVisionModelWithProjection: @unchecked Sendable {
  public let config: CLIPVisionConfig
  public let classEmbedding: Tensor
  public let patchEmbedding: Conv2d
  public let positionEmbedding: Embedding
  public let preLayerNorm: LayerNorm
  public let layers: [CLIPEncoderLayer]
  public let postLayerNorm: LayerNorm
  public let visualProjection: Linear

  /// Binds from the root of an image-encoder checkpoint (keys `vision_model.…`, `visual_projection.weight`).
  public init(_ w: WeightScope, config: CLIPVisionConfig) throws {
    let v = w.scope("vision_model")
    let dim = config.tower.hiddenSize
    let e = v.scope("embeddings")
    classEmbedding = try e.take("class_embedding", shape: [dim])
    patchEmbedding = try Conv2d(e.scope("patch_embedding"), inChannels: config.numChannels, outChannels: dim,
                                kernel: config.patchSize, stride: config.patchSize, bias: false)
    positionEmbedding = try Embedding(e.scope("position_embedding"), count: config.positions, dim: dim)
    preLayerNorm = try LayerNorm(v.scope("pre_layrnorm"), dim: dim, eps: config.tower.layerNormEps)
    layers = try CLIPEncoderLayer.stack(v.scope("encoder.layers"), config: config.tower)
    postLayerNorm = try LayerNorm(v.scope("post_layernorm"), dim: dim, eps: config.tower.layerNormEps)
    visualProjection = try Linear(w.scope("visual_projection"), inFeatures: dim, outFeatures: config.projectionDim,
                                  bias: false)
    self.config = config
  }

  /// Loads `image_encoder/`: config.json plus the weights best suited to `dtype`, bound strictly (a stray legacy
  /// `position_ids` buffer is the only tolerated extra tensor).
  public init(component: ComponentFolder, dtype: DType, device: Device) throws {
    let config = try CLIPVisionConfig(component.config())
    let binder = WeightBinder(weights: try component.weights(preferring: dtype), dtype: dtype, device: device,
                              ignoredSuffixes: ["vision_model.embeddings.position_ids"])
    try self.init(binder.root, config: config)
    try binder.finish()
  }

  public var dtype: DType { classEmbedding.dtype }
  public var device: Device { classEmbedding.device }

  /// `image_embeds` for normalised pixel values (b, num_channels, image_size, image_size), any float dtype (cast
  /// to the model dtype first, as transformers does). Returns (b, projection_dim) in the model dtype.
  public func imageEmbeds(pixelValues: Tensor) throws -> Tensor {
    let c = config
    // transformers raises on any other size (no position interpolation in this pipeline).
    guard pixelValues.rank == 4, pixelValues.size(1) == c.numChannels,
      pixelValues.size(2) == c.imageSize, pixelValues.size(3) == c.imageSize
    else {
      throw CLIPInputError(
        "image encoder input must be (batch, \(c.numChannels), \(c.imageSize), \(c.imageSize)), got \(pixelValues)")
    }
    var h = try embed(pixelValues.to(dtype, device: device))
    h = try preLayerNorm(h)
    for layer in layers {
      h = try layer(h)
    }
    let pooled = try postLayerNorm(h.narrow(1, start: 0, length: 1).squeeze(1))
    return try visualProjection(pooled)
  }

  /// `CLIPVisionEmbeddings`: [class ; patches] + position_embedding(arange(positions)).
  func embed(_ pixels: Tensor) throws -> Tensor {
    let b = pixels.size(0)
    let patches = try patchEmbedding(pixels).flatten(2).transpose(1, 2)  // (b, grid², dim), row-major patches
    let dim = config.tower.hiddenSize
    let cls = try classEmbedding.expand([b, 1, dim])
    return try Tensor.cat([cls, patches], dim: 1) + positionEmbedding.weight.unsqueeze(0)
  }
}
