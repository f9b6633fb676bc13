import Foundation
import I2VTensor

/// Hands a component's tensors to the modules that own them, strictly: every module asks for its parameters by
/// checkpoint key and expected shape; a missing key, a shape mismatch or (at `finish()`) a key nobody asked for is
/// an error naming the file, the key and both shapes. Weights are converted to the run's dtype and moved to its
/// device one tensor at a time, so at most one copy of the weights is ever resident.
public final class WeightBinder: @unchecked Sendable {
  public let weights: WeightFiles
  public let dtype: DType
  public let device: Device
  /// Keys present in files but deliberately unused (e.g. legacy buffers such as `position_ids`).
  public let ignoredSuffixes: [String]
  /// Validation only: names and shapes are checked exactly as usual, but `take` returns a stride-0 view of one
  /// zero instead of reading the data (checks a full-size architecture against a header in no memory).
  public let dryRun: Bool
  private var consumed: Set<String> = []

  public init(weights: WeightFiles, dtype: DType, device: Device, ignoredSuffixes: [String] = [],
              dryRun: Bool = false)
  {
    self.weights = weights
    self.dtype = dtype
    self.device = device
    self.ignoredSuffixes = ignoredSuffixes
    self.dryRun = dryRun
  }

  /// A view of this binder under a key prefix (`binder.scope("down_blocks.0")`).
  public func scope(_ prefix: String) -> WeightScope { WeightScope(binder: self, prefix: prefix) }

  public var root: WeightScope { WeightScope(binder: self, prefix: "") }

  /// Loads `key`, which must have exactly `shape`. Floating tensors are converted to the binder's dtype.
  public func take(_ key: String, shape: [Int], keepDType: Bool = false) throws -> Tensor {
    guard let (file, entry) = weights.entry(key) else {
      throw CheckpointError(weights.displayPath, "missing tensor '\(key)' (the model expects shape \(shape))")
    }
    guard entry.shape == shape else {
      throw CheckpointError(
        file.path, "tensor '\(key)' has shape \(entry.shape) in the file, but the model expects \(shape); "
          + "the weights do not match this config.json")
    }
    guard !consumed.contains(key) else { throw CheckpointError(file.path, "tensor '\(key)' was bound twice") }
    consumed.insert(key)
    if dryRun {
      let stored = entry.storage.dtype ?? dtype
      let type = keepDType || !stored.isFloatingPoint ? stored : dtype
      return try Tensor.zeros([], dtype: type, device: device).expand(entry.shape)
    }
    return try file.tensor(entry, dtype: keepDType ? nil : dtype, device: device)
  }

  /// Whether the checkpoint has `key` (for optional parameters such as biases or shortcut convolutions).
  public func has(_ key: String) -> Bool { weights.entry(key) != nil }

  /// Fails if the files hold tensors no module asked for.
  public func finish() throws {
    let unexpected = weights.names.filter { name in
      !consumed.contains(name) && !ignoredSuffixes.contains { name.hasSuffix($0) }
    }
    guard unexpected.isEmpty else {
      let shown = unexpected.prefix(10).map { "'\($0)' \(weights.entry($0)!.entry.shape)" }.joined(separator: ", ")
      let more = unexpected.count > 10 ? " and \(unexpected.count - 10) more" : ""
      throw CheckpointError(
        weights.displayPath,
        "\(unexpected.count) unexpected tensor(s) that the model does not use: \(shown)\(more); "
          + "the weights do not match this config.json")
    }
  }
}

/// A key prefix within a `WeightBinder`.
public struct WeightScope: @unchecked Sendable {
  public let binder: WeightBinder
  public let prefix: String

  public func key(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

  public func scope(_ name: String) -> WeightScope { WeightScope(binder: binder, prefix: key(name)) }
  public func scope(_ index: Int) -> WeightScope { scope(String(index)) }

  public func take(_ name: String, shape: [Int], keepDType: Bool = false) throws -> Tensor {
    try binder.take(key(name), shape: shape, keepDType: keepDType)
  }

  public func has(_ name: String) -> Bool { binder.has(key(name)) }

  public var dtype: DType { binder.dtype }
  public var device: Device { binder.device }
}
