import I2VCheckpoint
import I2VTensor

/// diffusers' `Attention` with `AttnProcessor2_0` on (batch, tokens, channels) input: q/k/v projections, heads
/// split as view(b, L, heads, d).transpose(1, 2), scaled-dot-product attention, merge, `to_out.0`.
/// Keys: `to_q`, `to_k`, `to_v` (bias optional), `to_out.0` (bias).
public struct Attention: @unchecked Sendable {
  public let toQ: Linear
  public let toK: Linear
  public let toV: Linear
  public let toOut: Linear
  public let heads: Int
  public let headDim: Int

  /// `contextDim` nil = self-attention (keys/values project from the query width).
  public init(_ w: WeightScope, queryDim: Int, contextDim: Int? = nil, heads: Int, headDim: Int, qkvBias: Bool = false,
              outDim: Int? = nil) throws
  {
    let inner = heads * headDim
    toQ = try Linear(w.scope("to_q"), inFeatures: queryDim, outFeatures: inner, bias: qkvBias)
    toK = try Linear(w.scope("to_k"), inFeatures: contextDim ?? queryDim, outFeatures: inner, bias: qkvBias)
    toV = try Linear(w.scope("to_v"), inFeatures: contextDim ?? queryDim, outFeatures: inner, bias: qkvBias)
    toOut = try Linear(w.scope("to_out.0"), inFeatures: inner, outFeatures: outDim ?? queryDim)
    self.heads = heads
    self.headDim = headDim
  }

  public func callAsFunction(_ x: Tensor, context: Tensor? = nil) throws -> Tensor {
    let c = context ?? x
    let b = x.size(0)
    let q = try splitHeads(toQ(x), b)
    let k = try splitHeads(toK(c), b)
    let v = try splitHeads(toV(c), b)
    let o = try Tensor.attention(q, k, v)
    return try toOut(o.transpose(1, 2).reshape(b, -1, heads * headDim))
  }

  func splitHeads(_ t: Tensor, _ b: Int) throws -> Tensor {
    try t.reshape(b, -1, heads, headDim).transpose(1, 2)
  }
}

/// diffusers' `FeedForward`: `net.0` is the activation projection (GEGLU or GELU), `net.2` the output Linear.
public struct FeedForward: @unchecked Sendable {
  public enum Activation: Sendable { case geglu, gelu }
  public let proj: Linear
  public let out: Linear
  public let activation: Activation

  public init(_ w: WeightScope, dim: Int, inner: Int, activation: Activation, outDim: Int? = nil) throws {
    let projOut = activation == .geglu ? inner * 2 : inner
    proj = try Linear(w.scope("net.0.proj"), inFeatures: dim, outFeatures: projOut)
    out = try Linear(w.scope("net.2"), inFeatures: inner, outFeatures: outDim ?? dim)
    self.activation = activation
  }

  public func callAsFunction(_ x: Tensor) throws -> Tensor {
    try out(activated(x))
  }

  /// `net.0`. Its own function so that the projection (twice the inner width for GEGLU, the block's largest
  /// tensor) is released before `net.2` runs.
  func activated(_ x: Tensor) throws -> Tensor {
    switch activation {
    case .gelu: return try proj(x).gelu()
    case .geglu: return try proj(x).geglu()  // first half the value, second half the gate: a · GELU(g)
    }
  }
}

/// diffusers' `BasicTransformerBlock` (layer_norm): self-attention, then cross-attention (or a second
/// self-attention when `contextDim` is nil), then a GEGLU feed-forward, each pre-normed with a residual.
public struct BasicTransformerBlock: @unchecked Sendable {
  public let norm1: LayerNorm
  public let attn1: Attention
  public let norm2: LayerNorm
  public let attn2: Attention
  public let norm3: LayerNorm
  public let ff: FeedForward

  public init(_ w: WeightScope, dim: Int, heads: Int, headDim: Int, contextDim: Int?) throws {
    norm1 = try LayerNorm(w.scope("norm1"), dim: dim, eps: 1e-5)
    attn1 = try Attention(w.scope("attn1"), queryDim: dim, heads: heads, headDim: headDim)
    norm2 = try LayerNorm(w.scope("norm2"), dim: dim, eps: 1e-5)
    attn2 = try Attention(w.scope("attn2"), queryDim: dim, contextDim: contextDim, heads: heads, headDim: headDim)
    norm3 = try LayerNorm(w.scope("norm3"), dim: dim, eps: 1e-5)
    ff = try FeedForward(w.scope("ff"), dim: dim, inner: dim * 4, activation: .geglu)
  }

  /// (rows, tokens, dim) → same; large inputs run in slices of rows (`ActivationBudget`).
  public func callAsFunction(_ x: Tensor, context: Tensor? = nil) throws -> Tensor {
    let perRow = x.size(1) * ActivationBudget.blockElementsPerToken(dim: x.size(-1)) * x.dtype.byteSize
    return try ActivationBudget.sliced(x, context: context, bytesPerRow: perRow) { try forward($0, context: $1) }
  }

  func forward(_ x: Tensor, context: Tensor?) throws -> Tensor {
    var h = try attn1(norm1(x)) + x
    h = try attn2(norm2(h), context: context) + h
    return try ff(norm3(h)) + h
  }
}
