import I2VCheckpoint
import I2VTensor

/// `nn.Linear`: y = x·Wᵀ + b, weight [out, in] (checkpoint keys `weight`, `bias`).
public struct Linear: @unchecked Sendable {
  public let weight: Tensor
  public let bias: Tensor?

  public init(_ w: WeightScope, inFeatures: Int, outFeatures: Int, bias: Bool = true) throws {
    weight = try w.take("weight", shape: [outFeatures, inFeatures])
    self.bias = bias ? try w.take("bias", shape: [outFeatures]) : nil
  }

  public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.linear(weight, bias) }
}

/// `nn.Embedding` (key `weight`).
public struct Embedding: @unchecked Sendable {
  public let weight: Tensor

  public init(_ w: WeightScope, count: Int, dim: Int) throws {
    weight = try w.take("weight", shape: [count, dim])
  }

  public func callAsFunction(_ ids: Tensor) throws -> Tensor { try weight.embedding(ids) }
}
