import I2VCheckpoint
import I2VTensor

/// `I2VGenXLTransformerTemporalEncoder` (`image_latents_temporal_encoder`): one pre-norm self-attention over the
/// frame axis, then a feed-forward with **no** norm before it (diffusers applies `self.ff` to the raw residual
/// stream). Width C = in_channels, 2 heads of size C, q/k/v without bias, FF = Linear(C→4C) · GELU(erf) · Linear.
public struct TemporalEncoder: @unchecked Sendable {
  public static let heads = 2
  public let norm1: LayerNorm
  public let attn1: Attention
  public let ff: FeedForward

  public init(_ w: WeightScope, dim: Int) throws {
    norm1 = try LayerNorm(w.scope("norm1"), dim: dim, eps: 1e-5)
    attn1 = try Attention(w.scope("attn1"), queryDim: dim, heads: Self.heads, headDim: dim)
    ff = try FeedForward(w.scope("ff"), dim: dim, inner: dim * 4, activation: .gelu)
  }

  /// (sequences, frames, C) → same shape.
  public func callAsFunction(_ x: Tensor) throws -> Tensor {
    let h = try attn1(norm1(x)) + x
    return try ff(h) + h
  }
}
