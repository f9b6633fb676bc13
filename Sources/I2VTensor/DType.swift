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
