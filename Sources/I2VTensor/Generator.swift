import CTorch

/// A seeded CPU random generator with PyTorch's stream: `randn` here equals
/// `torch.randn(shape, generator=torch.Generator("cpu").manual_seed(seed), dtype=...)`.
/// Draws happen on the CPU on every device (then move), so a seed means the same video on CPU and GPU.
public final class Generator: @unchecked Sendable {
  let handle: OpaquePointer
  public let seed: UInt64

  public init(seed: UInt64) throws {
    let api = try Shim.api()
    var out: OpaquePointer? = nil
    try Shim.check(api.pointee.generator_new(seed, &out), api)
    self.handle = out!
    self.seed = seed
  }

  deinit {
    if let api = try? Shim.api() { api.pointee.generator_free(handle) }
  }

  /// Standard normal samples drawn on the CPU (float32 draw, rounded to `dtype`), then moved to `device`.
  public func randn(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
    let dims = shape.map { Int64($0) }
    let t = try Tensor.make { api, out in
      dims.withUnsafeBufferPointer {
        api.pointee.randn(handle, $0.baseAddress, Int32(dims.count), dtype.rawValue, out)
      }
    }
    return try t.to(device: device)
  }
}
