import I2VCheckpoint
import I2VTensor

/// diffusers' `Downsample2D` in the UNet: Conv2d(C→C, 3×3, stride 2, symmetric padding 1) (key `conv`), so each
/// level is ceil(h/2) × ceil(w/2).
public struct Downsample2D: @unchecked Sendable {
  public let conv: Conv2d

  public init(_ w: WeightScope, channels: Int) throws {
    conv = try Conv2d(w.scope("conv"), inChannels: channels, outChannels: channels, kernel: 3, stride: 2, padding: 1)
  }

  public func callAsFunction(_ x: Tensor) throws -> Tensor { try conv(x) }
}

/// diffusers' `Upsample2D` in the UNet: nearest-neighbour ×2 — or to an explicit size when the up path forces it
/// to the skip tensor's size — then Conv2d(C→C, 3×3, padding 1) (key `conv`).
public struct Upsample2D: @unchecked Sendable {
  public let conv: Conv2d
  /// diffusers interpolates bfloat16 in float32 when PyTorch is older than 2.1 (no bf16 nearest kernel there).
  /// Nearest-neighbour only copies values, so this changes no bits; it keeps old libtorch builds working.
  public let interpolateBFloat16InFloat32: Bool

  public init(_ w: WeightScope, channels: Int) throws {
    conv = try Conv2d(w.scope("conv"), inChannels: channels, outChannels: channels, kernel: 3, padding: 1)
    interpolateBFloat16InFloat32 = Self.torchOlderThan(2, 1)
  }

  /// `size` nil → exactly ×2 (diffusers' `scale_factor=2`, same source indices as an explicit 2h × 2w).
  public func callAsFunction(_ x: Tensor, size: (height: Int, width: Int)? = nil) throws -> Tensor {
    let target = size ?? (x.size(2) * 2, x.size(3) * 2)
    var h = x
    let roundTrip = interpolateBFloat16InFloat32 && x.dtype == .bfloat16
    if roundTrip { h = try h.to(.float32) }
    h = try h.upsampleNearest2d(height: target.height, width: target.width)
    if roundTrip { h = try h.to(.bfloat16) }
    return try conv(h)
  }

  static func torchOlderThan(_ major: Int, _ minor: Int) -> Bool {
    guard let version = try? Runtime.torchVersion() else { return true }
    let parts = version.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
    guard parts.count == 2 else { return true }
    return (parts[0], parts[1]) < (major, minor)
  }
}
