import CTorch

/// Element types i2v uses. Raw values are the shim's dtype codes.
public enum DType: Int32, CaseIterable, Sendable, CustomStringConvertible {
  case float32 = 0
  case float16 = 1
  case bfloat16 = 2
  case int64 = 3
  case uint8 = 4
  case float64 = 5
  case int32 = 6
  case bool = 7

  public var byteSize: Int {
    switch self {
    case .float32, .int32: return 4
    case .float16, .bfloat16: return 2
    case .int64, .float64: return 8
    case .uint8, .bool: return 1
    }
  }

  public var isFloatingPoint: Bool {
    switch self {
    case .float32, .float16, .bfloat16, .float64: return true
    default: return false
    }
  }

  public var description: String {
    switch self {
    case .float32: return "float32"
    case .float16: return "float16"
    case .bfloat16: return "bfloat16"
    case .int64: return "int64"
    case .uint8: return "uint8"
    case .float64: return "float64"
    case .int32: return "int32"
    case .bool: return "bool"
    }
  }

  /// Accepts the names users type (`float16`, `fp16`, `half`, ...).
  public init?(name: String) {
    switch name.lowercased() {
    case "float32", "fp32", "f32", "float": self = .float32
    case "float16", "fp16", "f16", "half": self = .float16
    case "bfloat16", "bf16": self = .bfloat16
    case "int64", "i64", "long": self = .int64
    case "uint8", "u8": self = .uint8
    case "float64", "fp64", "f64", "double": self = .float64
    case "int32", "i32", "int": self = .int32
    case "bool": self = .bool
    default: return nil
    }
  }
}

extension DType {
  /// What a float32 value becomes after `.to(self)` (round to nearest even, overflow to ±∞), as a float32: the
  /// value a 0-dim tensor cast to this type holds, computed on the host. float32, float64 and non-float types
  /// return it unchanged.
  public func rounded(_ x: Float) -> Float {
    let (mantissa, minExponent, largest): (Int, Int, Float)
    switch self {
    case .float16: (mantissa, minExponent, largest) = (10, -14, 65504)
    case .bfloat16: (mantissa, minExponent, largest) = (7, -126, Float(bitPattern: 0x7f7f_0000))
    default: return x
    }
    guard x.isFinite, x != 0 else { return x }
    // The spacing of the target format at x (fixed below its smallest normal exponent: its subnormals); scaling
    // by a power of two is exact, so only `rounded` rounds.
    let quantum = Float(sign: .plus, exponent: max(Int(x.exponent), minExponent) - mantissa, significand: 1)
    let r = (x / quantum).rounded(.toNearestOrEven) * quantum
    return abs(r) > largest ? (x < 0 ? -.infinity : .infinity) : r
  }
}
