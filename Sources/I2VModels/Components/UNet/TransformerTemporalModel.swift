import I2VCheckpoint
import I2VTensor

/// diffusers' `TransformerTemporalModel` (`temp_attentions.i` and `transformer_in`): attention along the frame axis
/// of every pixel. GN(eps 1e-6) over (N, C, F, h, w) — statistics shared by all frames — then sequences
/// (N·h·w, F, C), Linear `proj_in` to heads·head_dim, one `BasicTransformerBlock` with two self-attentions
/// (`double_self_attention`: no context, `attn2` keys/values are inner×inner; no positional embedding), Linear
/// `proj_out`, back to (N·F, C, h, w) + residual.
public struct TransformerTemporalModel: @unchecked Sendable {
  public let norm: GroupNorm
  public let projIn: Linear
  public let block: BasicTransformerBlock
  public let projOut: Linear

  public init(_ w: WeightScope, channels: Int, heads: Int, headDim: Int, groups: Int) throws {
    let inner = heads * headDim
    norm = try GroupNorm(w.scope("norm"), groups: groups, channels: channels, eps: 1e-6)
    projIn = try Linear(w.scope("proj_in"), inFeatures: channels, outFeatures: inner)
    block = try BasicTransformerBlock(w.scope("transformer_blocks.0"), dim: inner, heads: heads, headDim: headDim,
                                      contextDim: nil)
    projOut = try Linear(w.scope("proj_out"), inFeatures: inner, outFeatures: channels)
  }

  /// (N·F, C, h, w) → same shape.
  public func callAsFunction(_ x: Tensor, frames: Int) throws -> Tensor {
    let (nf, c, height, width) = (x.size(0), x.size(1), x.size(2), x.size(3))
    let n = nf / frames
    var t = try norm(x.reshape(n, frames, c, height, width).permute(0, 2, 1, 3, 4))
    t = try t.permute(0, 3, 4, 2, 1).reshape(n * height * width, frames, c)
    t = try projIn(t)
    t = try block(t)
    t = try projOut(t)
    t = try t.reshape(n, height, width, frames, c).permute(0, 3, 4, 1, 2).reshape(nf, c, height, width)
    return try t + x
  }
}
