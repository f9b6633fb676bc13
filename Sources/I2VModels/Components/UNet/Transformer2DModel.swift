import I2VCheckpoint
import I2VTensor

/// diffusers' spatial `Transformer2DModel` as the 3-D UNet blocks build it (`use_linear_projection=True`, one
/// layer): GN(eps 1e-6) → tokens (b, h·w, C) → Linear `proj_in` → `BasicTransformerBlock` (self-attention,
/// cross-attention to the context, GEGLU) → Linear `proj_out` → back to (b, C, h, w) + residual. Per frame.
public struct Transformer2DModel: @unchecked Sendable {
  public let norm: GroupNorm
  public let projIn: Linear
  public let block: BasicTransformerBlock
  public let projOut: Linear

  public init(_ w: WeightScope, channels: Int, heads: Int, headDim: Int, contextDim: Int, groups: Int) throws {
    let inner = heads * headDim
    norm = try GroupNorm(w.scope("norm"), groups: groups, channels: channels, eps: 1e-6)
    projIn = try Linear(w.scope("proj_in"), inFeatures: channels, outFeatures: inner)
    block = try BasicTransformerBlock(w.scope("transformer_blocks.0"), dim: inner, heads: heads, headDim: headDim,
                                      contextDim: contextDim)
    projOut = try Linear(w.scope("proj_out"), inFeatures: inner, outFeatures: channels)
  }

  /// x (b, C, h, w), context (b, L, contextDim) → (b, C, h, w).
  public func callAsFunction(_ x: Tensor, context: Tensor) throws -> Tensor {
    let (b, c, height, width) = (x.size(0), x.size(1), x.size(2), x.size(3))
    var t = try norm(x).permute(0, 2, 3, 1).reshape(b, height * width, c)
    t = try projIn(t)
    t = try block(t, context: context)
    t = try projOut(t)
    // Made contiguous before the residual, as diffusers does: otherwise the sum inherits channels-last strides
    // and the next GroupNorm takes libtorch's channels-last kernel (other rounding in reduced precision).
    return try t.reshape(b, height, width, c).permute(0, 3, 1, 2).contiguous() + x
  }
}
