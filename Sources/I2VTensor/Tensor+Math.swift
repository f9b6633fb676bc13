import CTorch

// Elementwise math with PyTorch broadcasting, reductions and scans.
extension Tensor {
  enum Unary: Int32 {
    case neg = 0, exp, log, sin, cos, sqrt, rsqrt, silu, gelu, geluTanh, sigmoid, tanh, abs, round, floor, ceil, erf,
      reciprocal, quickGelu
  }
  enum Binary: Int32 {
    case add = 0, sub, mul, div, pow, maximum, minimum, rsub, rdiv, eq, lt, gt
  }
  enum Reduction: Int32 { case sum = 0, mean, amax, amin }

  func unary(_ op: Unary) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.unary(op.rawValue, handle, out) }
  }

  func binary(_ op: Binary, _ other: Tensor) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.binary(op.rawValue, handle, other.handle, out) }
  }

  func binary(_ op: Binary, _ s: Double) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.binary_scalar(op.rawValue, handle, s, out) }
  }

  public func exp() throws -> Tensor { try unary(.exp) }
  public func log() throws -> Tensor { try unary(.log) }
  public func sin() throws -> Tensor { try unary(.sin) }
  public func cos() throws -> Tensor { try unary(.cos) }
  public func sqrt() throws -> Tensor { try unary(.sqrt) }
  public func rsqrt() throws -> Tensor { try unary(.rsqrt) }
  public func silu() throws -> Tensor { try unary(.silu) }
  /// Exact (erf) GELU, PyTorch's default.
  public func gelu() throws -> Tensor { try unary(.gelu) }
  public func geluTanh() throws -> Tensor { try unary(.geluTanh) }
  /// CLIP's `quick_gelu`: x·σ(1.702x).
  public func quickGelu() throws -> Tensor { try unary(.quickGelu) }
  public func sigmoid() throws -> Tensor { try unary(.sigmoid) }
  public func tanh() throws -> Tensor { try unary(.tanh) }
  public func abs() throws -> Tensor { try unary(.abs) }
  /// Round half to even, like `torch.round` and NumPy.
  public func round() throws -> Tensor { try unary(.round) }
  public func floor() throws -> Tensor { try unary(.floor) }
  public func ceil() throws -> Tensor { try unary(.ceil) }
  public func erf() throws -> Tensor { try unary(.erf) }
  public func reciprocal() throws -> Tensor { try unary(.reciprocal) }

  public func pow(_ e: Double) throws -> Tensor { try binary(.pow, e) }
  public func pow(_ e: Tensor) throws -> Tensor { try binary(.pow, e) }
  public func maximum(_ o: Tensor) throws -> Tensor { try binary(.maximum, o) }
  public func minimum(_ o: Tensor) throws -> Tensor { try binary(.minimum, o) }
  public func eq(_ o: Tensor) throws -> Tensor { try binary(.eq, o) }
  public func lt(_ o: Tensor) throws -> Tensor { try binary(.lt, o) }
  public func gt(_ o: Tensor) throws -> Tensor { try binary(.gt, o) }

  public func clamp(min lo: Double? = nil, max hi: Double? = nil) throws -> Tensor {
    try Tensor.make { api, out in
      api.pointee.clamp(handle, lo ?? 0, hi ?? 0, lo == nil ? 0 : 1, hi == nil ? 0 : 1, out)
    }
  }

  /// `torch.where(cond, a, b)`.
  public static func `where`(_ cond: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
    try make { api, out in api.pointee.where(cond.handle, a.handle, b.handle, out) }
  }

  func reduce(_ op: Reduction, _ dims: [Int], keepDim: Bool) throws -> Tensor {
    let d = dims.map { Int64($0) }
    return try Tensor.make { api, out in
      d.withUnsafeBufferPointer {
        api.pointee.reduce(op.rawValue, handle, $0.baseAddress, Int32(d.count), keepDim ? 1 : 0, out)
      }
    }
  }

  /// Sum over `dims` (all dimensions when empty).
  public func sum(_ dims: [Int] = [], keepDim: Bool = false) throws -> Tensor { try reduce(.sum, dims, keepDim: keepDim) }
  public func mean(_ dims: [Int] = [], keepDim: Bool = false) throws -> Tensor { try reduce(.mean, dims, keepDim: keepDim) }
  public func amax(_ dims: [Int] = [], keepDim: Bool = false) throws -> Tensor { try reduce(.amax, dims, keepDim: keepDim) }
  public func amin(_ dims: [Int] = [], keepDim: Bool = false) throws -> Tensor { try reduce(.amin, dims, keepDim: keepDim) }

  public func cumprod(_ dim: Int) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.cumprod(handle, Int64(dim), out) }
  }

  public func softmax(_ dim: Int) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.softmax(handle, Int64(dim), out) }
  }

  public func argmax(_ dim: Int, keepDim: Bool = false) throws -> Tensor {
    try Tensor.make { api, out in api.pointee.argmax(handle, Int64(dim), keepDim ? 1 : 0, out) }
  }

  /// Largest absolute elementwise difference, computed in float64 (for tests and parity reports).
  public func maxAbsDifference(_ other: Tensor) throws -> Double {
    guard shape == other.shape else { throw TorchError("shape mismatch: \(shape) vs \(other.shape)") }
    if count == 0 { return 0 }
    return try (to(.float64) - other.to(.float64, device: device)).abs().amax().item()
  }
}

// MARK: - Operators (all `throws`: write `try a + b * c`)

extension Tensor {
  public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(.add, b) }
  public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(.sub, b) }
  public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(.mul, b) }
  public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(.div, b) }

  public static func + (a: Tensor, s: Double) throws -> Tensor { try a.binary(.add, s) }
  public static func - (a: Tensor, s: Double) throws -> Tensor { try a.binary(.sub, s) }
  public static func * (a: Tensor, s: Double) throws -> Tensor { try a.binary(.mul, s) }
  public static func / (a: Tensor, s: Double) throws -> Tensor { try a.binary(.div, s) }

  /// `s + t` (addition commutes; same kernel as PyTorch's `__radd__`).
  public static func + (s: Double, a: Tensor) throws -> Tensor { try a.binary(.add, s) }
  /// `s - t`, PyTorch's `rsub`.
  public static func - (s: Double, a: Tensor) throws -> Tensor { try a.binary(.rsub, s) }
  public static func * (s: Double, a: Tensor) throws -> Tensor { try a.binary(.mul, s) }
  /// `s / t`, computed as PyTorch's `__rtruediv__` does: reciprocal(t)·s.
  public static func / (s: Double, a: Tensor) throws -> Tensor { try a.binary(.rdiv, s) }

  public static prefix func - (a: Tensor) throws -> Tensor { try a.unary(.neg) }
}
