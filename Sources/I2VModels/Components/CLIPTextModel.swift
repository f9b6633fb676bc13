import Foundation
import I2VCheckpoint
import I2VTensor

/// `CLIPTextConfig` fields the text tower needs.
public struct CLIPTextConfig: Sendable, Equatable {
  public var tower: CLIPTowerConfig
  public var vocabSize: Int
  public var maxPositionEmbeddings: Int

  /// transformers' `CLIPTextConfig()` defaults.
  static let defaults = CLIPTowerConfig(hiddenSize: 512, intermediateSize: 2048, layers: 12, heads: 8,
                                        activation: .quickGelu, layerNormEps: 1e-5)

  public init(tower: CLIPTowerConfig, vocabSize: Int, maxPositionEmbeddings: Int) {
    self.tower = tower
    self.vocabSize = vocabSize
    self.maxPositionEmbeddings = maxPositionEmbeddings
  }

  public init(_ c: JSONConfig) throws {
    tower = try CLIPTowerConfig(c, defaults: Self.defaults)
    vocabSize = try c.int("vocab_size", default: 49408)
    maxPositionEmbeddings = try c.int("max_position_embeddings", default: 77)
    guard vocabSize > 0, maxPositionEmbeddings > 0 else {
      throw CheckpointError(c.path, "vocab_size / max_position_embeddings must be positive")
    }
  }
}

/// transformers' `CLIPTextModel` (v4 key layout, `text_model.` prefix) as the I2VGen-XL pipeline uses it:
/// token + position embeddings, pre-LN encoder layers under an additive causal mask, `final_layer_norm`.
/// No padding mask: the pipeline passes none (pad tokens are ordinary tokens attended to causally).
public struct CLIPTextModel: @unchecked Sendable {
  public let config: CLIPTextConfig
  public let tokenEmbedding: Embedding
  public let positionEmbedding: Embedding
  public let layers: [CLIPEncoderLayer]
  public let finalLayerNorm: LayerNorm

  /// Binds from the root of a text-encoder checkpoint (keys `text_model.…`).
  public init(_ w: WeightScope, config: CLIPTextConfig) throws {
    let t = w.scope("text_model")
    let dim = config.tower.hiddenSize
    tokenEmbedding = try Embedding(t.scope("embeddings.token_embedding"), count: config.vocabSize, dim: dim)
    positionEmbedding = try Embedding(t.scope("embeddings.position_embedding"), count: config.maxPositionEmbeddings,
                                      dim: dim)
    layers = try CLIPEncoderLayer.stack(t.scope("encoder.layers"), config: config.tower)
    finalLayerNorm = try LayerNorm(t.scope("final_layer_norm"), dim: dim, eps: config.tower.layerNormEps)
    self.config = config
  }

  /// Loads `text_encoder/`: config.json plus the weights best suited to `dtype`, bound strictly (a stray legacy
  /// `position_ids` buffer is the only tolerated extra tensor).
  public init(component: ComponentFolder, dtype: DType, device: Device) throws {
    let config = try CLIPTextConfig(component.config())
    let binder = WeightBinder(weights: try component.weights(preferring: dtype), dtype: dtype, device: device,
                              ignoredSuffixes: ["text_model.embeddings.position_ids"])
    try self.init(binder.root, config: config)
    try binder.finish()
  }

  public var dtype: DType { tokenEmbedding.weight.dtype }
  public var device: Device { tokenEmbedding.weight.device }

  /// The prompt embeddings of `encode_prompt` for token ids (b, L), L ≤ max_position_embeddings:
  /// `final_layer_norm(hidden_states[-(clipSkip + 1)])`, i.e. after `layers - clipSkip` layers (the pipeline's
  /// default clip_skip 1 = penultimate layer). `clipSkip` nil = `last_hidden_state` (same as 0). Layers past the
  /// one used are not run. Returns (b, L, hidden) in the model dtype.
  public func encode(ids: Tensor, clipSkip: Int? = 1) throws -> Tensor {
    let skip = clipSkip ?? 0
    guard (0...layers.count).contains(skip) else {
      throw CLIPInputError("clip_skip \(skip) is out of range for a text encoder with \(layers.count) layers")
    }
    var h = try embed(ids)
    let mask = try causalMask(batch: h.size(0), length: h.size(1))
    for layer in layers.prefix(layers.count - skip) {
      h = try layer(h, mask: mask)
    }
    return try finalLayerNorm(h)
  }

  /// `CLIPTextEmbeddings`: token_embedding(ids) + position_embedding(arange(L)).
  func embed(_ ids: Tensor) throws -> Tensor {
    guard ids.rank == 2, !ids.dtype.isFloatingPoint, ids.dtype != .bool else {
      throw CLIPInputError("text encoder input must be integer token ids of shape (batch, length), got \(ids)")
    }
    let length = ids.size(1)
    guard length >= 1, length <= config.maxPositionEmbeddings else {
      throw CLIPInputError(
        "sequence length \(length) is out of range (max_position_embeddings \(config.maxPositionEmbeddings))")
    }
    let tokens = try tokenEmbedding(ids.to(.int64, device: device))
    let positions = try positionEmbedding.weight.narrow(0, start: 0, length: length).unsqueeze(0)
    return try tokens + positions
  }

  /// transformers' `_create_4d_causal_attention_mask`: 0 on and below the diagonal, `finfo(dtype).min` above,
  /// expanded to (b, 1, L, L). Passed as an additive SDPA mask (not `is_causal`) because that is what
  /// transformers 4.57 does, which also decides the fused kernel PyTorch picks on CUDA.
  func causalMask(batch: Int, length: Int) throws -> Tensor {
    let rows = try Tensor.arange(0, Double(length), dtype: .int64, device: device).reshape(length, 1)
    let cols = try Tensor.arange(0, Double(length), dtype: .int64, device: device).reshape(1, length)
    let blocked = try Tensor.full([length, length], Self.maskFill(dtype), dtype: dtype, device: device)
    let open = try Tensor.zeros([length, length], dtype: dtype, device: device)
    let mask = try Tensor.where(cols.gt(rows), blocked, open)
    return try mask.reshape(1, 1, length, length).expand([batch, 1, length, length])
  }

  /// `torch.finfo(dtype).min` (float32's min would round to -inf in bfloat16).
  static func maskFill(_ dtype: DType) -> Double {
    switch dtype {
    case .float16: return -65504
    case .bfloat16: return -3.3895313892515355e38
    case .float64: return -Double.greatestFiniteMagnitude
    default: return -Double(Float.greatestFiniteMagnitude)
    }
  }
}
