import Foundation
import I2VTensor

/// Optional per-block timing of UNet evaluations (`i2v bench --blocks`): each top-level block waits for the
/// device before and after it runs, so the figures are the block's own time. Off by default: the waits cost
/// throughput and are exactly what the denoising loop avoids. Names follow the checkpoint keys
/// (`conv_in`, `transformer_in`, `down_blocks.0`, …, `mid_block`, `up_blocks.3`, `conv_out`).
public final class UNetBlockTimer: @unchecked Sendable {
  public private(set) var seconds: [String: [Double]] = [:]
  public private(set) var order: [String] = []
  let device: Device

  public init(device: Device) { self.device = device }

  func measure<T>(_ name: String, _ body: () throws -> T) throws -> T {
    try Runtime.synchronize(device)
    let start = Date()
    let result = try body()
    try Runtime.synchronize(device)
    if seconds[name] == nil { order.append(name) }
    seconds[name, default: []].append(Date().timeIntervalSince(start))
    return result
  }

  public func reset() { seconds = [:] }

  /// Median seconds per block, in evaluation order.
  public var medians: [(name: String, seconds: Double)] {
    order.map { name in
      let s = seconds[name, default: [0]].sorted()
      return (name, s[s.count / 2])
    }
  }
}
