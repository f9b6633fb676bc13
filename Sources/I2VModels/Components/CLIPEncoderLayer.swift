import Foundation
import I2VCheckpoint
import I2VTensor

/// The transformer sizes shared by both CLIP towers (`CLIPTextConfig` / `CLIPVisionConfig` fields). Defaults are
/// transformers' class defaults, so a hand-trimmed config.json means what it means to transformers.
public struct CLIPTowerConfig: Sendable, Equatable {
  public var hiddenSize: Int
  public var intermediateSize: Int
  public var layers: Int
  public var heads: Int
  public var activation: CLIPActivation
  public var layerNormEps: Double

  public var headDim: Int { hiddenSize / heads }

  public init(hiddenSize: Int, intermediateSize: Int, layers: Int, heads: Int, activation: CLIPActivation,
              layerNormEps: Double)
  {
    self.hiddenSize = hiddenSize
    self.intermediateSize = intermediateSize
    self.layers = layers
    self.heads = heads
    self.activation = activation
    self.layerNormEps = layerNormEps
  }

  /// Reads the tower fields; `defaults` carries the class defaults (they differ between text and vision).
  init(_ c: JSONConfig, defaults d: CLIPTowerConfig) throws {
    hiddenSize = try c.int("hidden_size", default: d.hiddenSize)
    intermediateSize = try c.int("intermediate_size", default: d.intermediateSize)
    layers = try c.int("num_hidden_layers", default: d.layers)
    heads = try c.int("num_attention_heads", default: d.heads)
    let act = try c.string("hidden_act", default: d.activation.rawValue)
    guard let a = CLIPActivation(rawValue: act) else {
      let known = CLIPActivation.allCases.map(\.rawValue).joined(separator: ", ")
      throw CheckpointError(c.path, "field 'hidden_act' is '\(act)'; supported: \(known)")
    }
    activation = a
    layerNormEps = try c.double("layer_norm_eps", default: d.layerNormEps)
    // transformers raises on the same conditions (CLIPAttention.__init__).
    guard hiddenSize > 0, heads > 0, hiddenSize % heads == 0 else {
      throw CheckpointError(c.path, "hidden_size \(hiddenSize) is not divisible by num_attention_heads \(heads)")
    }
    guard layers >= 0, intermediateSize > 0 else {
      throw CheckpointError(c.path, "num_hidden_layers / intermediate_size out of range")
    }
  }
}

/// `config.hidden_act` values of transformers' ACT2FN that CLIP checkpoints use.
public enum CLIPActivation: String, Sendable, CaseIterable {
  /// Exact erf GELU (`nn.functional.gelu`) — the real I2VGen-XL towers.
  case gelu
  /// `x · sigmoid(1.702 x)` — the CLIP default.
  case quickGelu = "quick_gelu"
  /// `F.gelu(approximate="tanh")`.
  case geluPytorchTanh = "gelu_pytorch_tanh"

  func apply(_ x: Tensor) throws -> Tensor {
    switch self {
    case .gelu: return try x.gelu()
    case .quickGelu: return try x.quickGelu()
    case .geluPytorchTanh: return try x.geluTanh()
    }
  }
}

/// Bad input to a CLIP tower (wrong rank, length or image size) — the cases where transformers raises too.
public struct CLIPInputError: Error, CustomStringConvertible, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// transformers' `CLIPAttention`: q/k/v/out projections (all with bias), heads split as
/// view(b, L, heads, d).transpose(1, 2), SDPA with scale `head_dim ** -0.5`, optional additive mask.
public struct CLIPAttention: @unchecked Sendable {
  public let qProj: Linear
  public let kProj: Linear
  public let vProj: Linear
  public let outProj: Linear
  public let heads: Int
  public let headDim: Int
  /// Python's `head_dim ** -0.5` is C `pow`, which may differ from 1/√d in the last bit.
  public let scale: Double

  public init(_ w: WeightScope, dim: Int, heads: Int) throws {
    qProj = try Linear(w.scope("q_proj"), inFeatures: dim, outFeatures: dim)
    kProj = try Linear(w.scope("k_proj"), inFeatures: dim, outFeatures: dim)
    vProj = try Linear(w.scope("v_proj"), inFeatures: dim, outFeatures: dim)
    outProj = try Linear(w.scope("out_proj"), inFeatures: dim, outFeatures: dim)
    self.heads = heads
    headDim = dim / heads
    scale = Foundation.pow(Double(dim / heads), -0.5)
  }

  public func callAsFunction(_ x: Tensor, mask: Tensor? = nil) throws -> Tensor {
    let b = x.size(0), length = x.size(1)
    let q = try qProj(x).reshape(b, length, heads, headDim).transpose(1, 2)
    let k = try kProj(x).reshape(b, length, heads, headDim).transpose(1, 2)
    let v = try vProj(x).reshape(b, length, heads, headDim).transpose(1, 2)
    let o = try Tensor.attention(q, k, v, mask: mask, scale: scale)
    return try outProj(o.transpose(1, 2).reshape(b, length, heads * headDim))
  }
}

/// transformers' `CLIPEncoderLayer` (pre-LN): x + attn(LN1(x)), then h + fc2(act(fc1(LN2(h)))).
/// Keys: `self_attn.{q,k,v,out}_proj`, `layer_norm1`, `mlp.fc1`, `mlp.fc2`, `layer_norm2`.
public struct CLIPEncoderLayer: @unchecked Sendable {
  public let layerNorm1: LayerNorm
  public let selfAttn: CLIPAttention
  public let layerNorm2: LayerNorm
  public let fc1: Linear
  public let fc2: Linear
  public let activation: CLIPActivation

  public init(_ w: WeightScope, config c: CLIPTowerConfig) throws {
    layerNorm1 = try LayerNorm(w.scope("layer_norm1"), dim: c.hiddenSize, eps: c.layerNormEps)
    selfAttn = try CLIPAttention(w.scope("self_attn"), dim: c.hiddenSize, heads: c.heads)
    layerNorm2 = try LayerNorm(w.scope("layer_norm2"), dim: c.hiddenSize, eps: c.layerNormEps)
    fc1 = try Linear(w.scope("mlp.fc1"), inFeatures: c.hiddenSize, outFeatures: c.intermediateSize)
    fc2 = try Linear(w.scope("mlp.fc2"), inFeatures: c.intermediateSize, outFeatures: c.hiddenSize)
    activation = c.activation
  }

  public func callAsFunction(_ x: Tensor, mask: Tensor? = nil) throws -> Tensor {
    let h = try x + selfAttn(layerNorm1(x), mask: mask)
    return try h + fc2(activation.apply(fc1(layerNorm2(h))))
  }

  /// Binds `count` layers under `w` (`<prefix>.layers.N`).
  static func stack(_ w: WeightScope, config c: CLIPTowerConfig) throws -> [CLIPEncoderLayer] {
    try (0..<c.layers).map { try CLIPEncoderLayer(w.scope($0), config: c) }
  }
}
