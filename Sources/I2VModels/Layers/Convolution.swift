import I2VCheckpoint
import I2VTensor

/// `nn.Conv2d` with square kernels (keys `weight` [out, in, k, k], `bias`).
public struct Conv2d: @unchecked Sendable {
  public let weight: Tensor
  public let bias: Tensor?
  public let stride: Int
  public let padding: Int

  public init(_ w: WeightScope, inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
              bias: Bool = true) throws
  {
    let taken = try w.take("weight", shape: [outChannels, inChannels, kernel, kernel])
    weight = Runtime.channelsLast ? try taken.channelsLast() : taken
    self.bias = bias ? try w.take("bias", shape: [outChannels]) : nil
    self.stride = stride
    self.padding = padding
  }

  public func callAsFunction(_ x: Tensor) throws -> Tensor {
    try x.conv2d(weight, bias, stride: [stride, stride], padding: [padding, padding])
  }
}

/// `nn.Conv3d(C, C, (3,1,1), padding=(1,0,0))`: the 3-tap temporal filter of the video UNet.
public struct TemporalConv3d: @unchecked Sendable {
  public let weight: Tensor
  public let bias: Tensor

  public init(_ w: WeightScope, inChannels: Int, outChannels: Int) throws {
    let taken = try w.take("weight", shape: [outChannels, inChannels, 3, 1, 1])
    weight = Runtime.channelsLast ? try taken.channelsLast() : taken
    bias = try w.take("bias", shape: [outChannels])
  }

  public func callAsFunction(_ x: Tensor) throws -> Tensor {
    try x.conv3d(weight, bias, padding: [1, 0, 0])
  }
}
