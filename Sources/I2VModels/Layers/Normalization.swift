import I2VCheckpoint
import I2VTensor

/// `nn.GroupNorm` (affine). On 5-D input (N, C, F, H, W) the statistics span all frames, as in PyTorch.
public struct GroupNorm: @unchecked Sendable {
  public let weight: Tensor
  public let bias: Tensor
  public let groups: Int
  public let eps: Double

  public init(_ w: WeightScope, groups: Int, channels: Int, eps: Double) throws {
    guard groups > 0, channels % groups == 0 else {
      throw CheckpointError(w.key(""), "GroupNorm: \(channels) channels cannot be split into \(groups) groups")
    }
    weight = try w.take("weight", shape: [channels])
    bias = try w.take("bias", shape: [channels])
    self.groups = groups
    self.eps = eps
  }

  public func callAsFunction(_ x: Tensor) throws -> Tensor {
    try x.groupNorm(groups: groups, weight: weight, bias: bias, eps: eps)
  }
}

/// `nn.LayerNorm` over the last dimension (affine).
public struct LayerNorm: @unchecked Sendable {
  public let weight: Tensor
  public let bias: Tensor
  public let dim: Int
  public let eps: Double

  public init(_ w: WeightScope, dim: Int, eps: Double) throws {
    weight = try w.take("weight", shape: [dim])
    bias = try w.take("bias", shape: [dim])
    self.dim = dim
    self.eps = eps
  }

  public func callAsFunction(_ x: Tensor) throws -> Tensor {
    try x.layerNorm([dim], weight: weight, bias: bias, eps: eps)
  }
}
