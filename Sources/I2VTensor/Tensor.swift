import CTorch

/// A libtorch tensor held through the shim. The handle is released as soon as the last Swift reference goes away,
/// so intermediate activations are freed deterministically (no garbage collector, no autorelease pool).
public final class Tensor: @unchecked Sendable {
  let handle: OpaquePointer
  public let shape: [Int]
  public let dtype: DType
  public let device: Device

  /// Takes ownership of a handle returned by the shim.
  init(owning handle: OpaquePointer) throws {
    let api = try Shim.api()
    var dims = [Int64](repeating: 0, count: Int(I2V_MAX_DIMS))
    var ndim: Int32 = 0
    var code: Int32 = 0
    var dev = i2v_device(type: 0, index: -1)
    let status = dims.withUnsafeMutableBufferPointer {
      api.pointee.tensor_info(handle, $0.baseAddress, &ndim, &code, &dev)
    }
    if status != 0 {
      api.pointee.tensor_free(handle)
      try Shim.check(status, api)
    }
    self.handle = handle
    self.shape = dims.prefix(Int(ndim)).map { Int($0) }
    guard let dtype = DType(rawValue: code) else {
      api.pointee.tensor_free(handle)
      throw TorchError("shim returned unknown dtype code \(code)")
    }
    self.dtype = dtype
    self.device = Device(dev)
  }

  deinit {
    if let api = try? Shim.api() { api.pointee.tensor_free(handle) }
  }

  public var rank: Int { shape.count }
  public var count: Int { shape.reduce(1, *) }

  /// Size of dimension `d` (negative counts from the end).
  public func size(_ d: Int) -> Int { shape[d < 0 ? d + shape.count : d] }

  /// Runs a shim call that produces one tensor.
  @inline(__always)
  static func make(_ body: (UnsafePointer<i2v_torch_api>, UnsafeMutablePointer<OpaquePointer?>) -> i2v_status)
    throws -> Tensor
  {
    let api = try Shim.api()
    var out: OpaquePointer? = nil
    try Shim.check(body(api, &out), api)
    guard let out else { throw TorchError("shim returned no tensor") }
    return try Tensor(owning: out)
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String { "Tensor(\(shape), \(dtype), \(device))" }
}

// MARK: - Host data

/// Swift element types that map 1:1 onto a tensor dtype.
public protocol TensorScalar {
  static var dtype: DType { get }
}
extension Float: TensorScalar { public static var dtype: DType { .float32 } }
extension Double: TensorScalar { public static var dtype: DType { .float64 } }
extension Int64: TensorScalar { public static var dtype: DType { .int64 } }
extension Int32: TensorScalar { public static var dtype: DType { .int32 } }
extension UInt8: TensorScalar { public static var dtype: DType { .uint8 } }
extension Bool: TensorScalar { public static var dtype: DType { .bool } }
#if !(os(macOS) && arch(x86_64))
  extension Float16: TensorScalar { public static var dtype: DType { .float16 } }
#endif

extension Tensor {
  /// A new CPU tensor holding a copy of `values`.
  public convenience init<T: TensorScalar>(_ values: [T], shape: [Int]) throws {
    let expected = shape.reduce(1, *)
    guard shape.allSatisfy({ $0 >= 0 }), expected == values.count else {
      throw TorchError("\(values.count) values do not fill shape \(shape)")
    }
    // The copy must happen inside withUnsafeBytes: the pointer is invalid once the closure returns (the array
    // may be freed right then, and the copy would read freed memory).
    try self.init(owning: values.withUnsafeBytes { try Tensor.handle(copying: $0, dtype: T.dtype, shape: shape) })
  }

  /// A new CPU tensor from raw little-endian bytes of `dtype` (copied).
  public convenience init(bytes: UnsafeRawBufferPointer, dtype: DType, shape: [Int]) throws {
    try self.init(owning: Tensor.handle(copying: bytes, dtype: dtype, shape: shape))
  }

  /// A shim tensor holding a copy of `bytes`.
  private static func handle(copying bytes: UnsafeRawBufferPointer, dtype: DType, shape: [Int]) throws -> OpaquePointer {
    let api = try Shim.api()
    var out: OpaquePointer? = nil
    let dims = shape.map { Int64($0) }
    let status = dims.withUnsafeBufferPointer {
      api.pointee.tensor_from_data(bytes.baseAddress, bytes.count, dtype.rawValue, $0.baseAddress, Int32(dims.count), &out)
    }
    try Shim.check(status, api)
    return out!
  }

  /// Copies the tensor to the host as `T`. The dtype must match (convert with `to(_:)` first).
  public func toArray<T: TensorScalar>(_ type: T.Type = T.self) throws -> [T] {
    guard dtype == T.dtype else { throw TorchError("toArray(\(T.self)) on a \(dtype) tensor; convert first") }
    let api = try Shim.api()
    let n = count
    var status: i2v_status = 0
    let result = [T](unsafeUninitializedCapacity: n) { buf, initialized in
      status = api.pointee.tensor_to_data(handle, UnsafeMutableRawPointer(buf.baseAddress), n * dtype.byteSize)
      initialized = status == 0 ? n : 0
    }
    try Shim.check(status, api)
    return result
  }

  /// The values as Float, whatever the floating or integer dtype.
  public func floats() throws -> [Float] {
    try (dtype == .float32 ? self : to(.float32)).toArray(Float.self)
  }

  /// The single value of a one-element tensor, as Double.
  public func item() throws -> Double {
    guard count == 1 else { throw TorchError("item() on a tensor with \(count) elements") }
    return try Double(to(.float64).toArray(Double.self)[0])
  }

  /// Raw bytes of the tensor (host copy, contiguous).
  public func bytes() throws -> [UInt8] {
    let api = try Shim.api()
    let n = count * dtype.byteSize
    var status: i2v_status = 0
    let result = [UInt8](unsafeUninitializedCapacity: n) { buf, initialized in
      status = api.pointee.tensor_to_data(handle, UnsafeMutableRawPointer(buf.baseAddress), n)
      initialized = status == 0 ? n : 0
    }
    try Shim.check(status, api)
    return result
  }
}

// MARK: - Factories and conversion

extension Tensor {
  public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32, device: Device = .cpu) throws
    -> Tensor
  {
    let dims = shape.map { Int64($0) }
    return try make { api, out in
      dims.withUnsafeBufferPointer {
        api.pointee.tensor_full($0.baseAddress, Int32(dims.count), value, dtype.rawValue, device.c, out)
      }
    }
  }

  /// Uninitialised storage (for outputs filled piece by piece).
  public static func empty(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
    let dims = shape.map { Int64($0) }
    return try make { api, out in
      dims.withUnsafeBufferPointer {
        api.pointee.empty($0.baseAddress, Int32(dims.count), dtype.rawValue, device.c, out)
      }
    }
  }

  public static func zeros(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
    try full(shape, 0, dtype: dtype, device: device)
  }

  public static func ones(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
    try full(shape, 1, dtype: dtype, device: device)
  }

  /// `torch.arange(start, end, step)`.
  public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType = .float32,
                            device: Device = .cpu) throws -> Tensor
  {
    try make { api, out in api.pointee.tensor_arange(start, end, step, dtype.rawValue, device.c, out) }
  }

  /// A 0-dim tensor.
  public static func scalar(_ value: Double, dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
    try full([], value, dtype: dtype, device: device)
  }

  public func to(_ dtype: DType, device: Device? = nil) throws -> Tensor {
    if dtype == self.dtype && (device == nil || device == self.device) { return self }
    let target = device ?? self.device
    return try Tensor.make { api, out in api.pointee.tensor_to(handle, dtype.rawValue, target.c, out) }
  }

  public func to(device: Device) throws -> Tensor {
    if device == self.device { return self }
    return try Tensor.make { api, out in api.pointee.tensor_to(handle, dtype.rawValue, device.c, out) }
  }

  public func contiguous() throws -> Tensor {
    try Tensor.make { api, out in api.pointee.tensor_contiguous(handle, out) }
  }

  public func clone() throws -> Tensor {
    try Tensor.make { api, out in api.pointee.tensor_clone(handle, out) }
  }

  /// In-place copy of `source` into this tensor (broadcast, converting dtype/device).
  public func copy(from source: Tensor) throws {
    let api = try Shim.api()
    try Shim.check(api.pointee.tensor_copy_(handle, source.handle), api)
  }
}
