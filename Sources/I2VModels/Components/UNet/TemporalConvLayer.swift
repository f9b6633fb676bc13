import I2VCheckpoint
import I2VTensor

/// diffusers' `TemporalConvLayer` (`temp_convs.i`): four GN → SiLU → Conv3d(3,1,1) units over the frame axis with
/// one residual around all four. The GroupNorms (eps 1e-5) see (N, C, F, h, w), so their statistics span every
/// frame of a sample. Keys `conv1.{0,2}`, `conv{2,3,4}.{0,3}` (the gaps are SiLU / inactive dropout).
public struct TemporalConvLayer: @unchecked Sendable {
  public let norms: [GroupNorm]
  public let convs: [TemporalConv3d]

  public init(_ w: WeightScope, channels: Int, groups: Int) throws {
    var norms: [GroupNorm] = []
    var convs: [TemporalConv3d] = []
    for unit in 1...4 {
      let s = w.scope("conv\(unit)")
      norms.append(try GroupNorm(s.scope("0"), groups: groups, channels: channels, eps: 1e-5))
      convs.append(try TemporalConv3d(s.scope(unit == 1 ? "2" : "3"), inChannels: channels, outChannels: channels))
    }
    self.norms = norms
    self.convs = convs
  }

  /// (N·F, C, h, w) → same shape.
  public func callAsFunction(_ x: Tensor, frames: Int) throws -> Tensor {
    let (nf, c, height, width) = (x.size(0), x.size(1), x.size(2), x.size(3))
    let identity = try x.reshape(nf / frames, frames, c, height, width).permute(0, 2, 1, 3, 4)
    var h = identity
    for (norm, conv) in zip(norms, convs) { h = try conv(norm(h).silu()) }
    h = try identity + h
    return try h.permute(0, 2, 1, 3, 4).reshape(nf, c, height, width)
  }
}
