import CTorch

/// Where a tensor lives: the CPU or one CUDA device.
public struct Device: Equatable, Hashable, Sendable, CustomStringConvertible {
  public enum Kind: Int32, Sendable { case cpu = 0, cuda = 1 }
  public let kind: Kind
  /// nil = the current device of that kind.
  public let index: Int?

  public static let cpu = Device(kind: .cpu, index: nil)
  public static func cuda(_ index: Int? = nil) -> Device { Device(kind: .cuda, index: index) }

  public init(kind: Kind, index: Int?) {
    self.kind = kind
    self.index = kind == .cpu ? nil : index
  }

  /// Parses `cpu`, `cuda` or `cuda:N`.
  public init?(parsing text: String) {
    let t = text.lowercased()
    if t == "cpu" { self = .cpu; return }
    if t == "cuda" || t == "gpu" { self = .cuda(); return }
    if t.hasPrefix("cuda:"), let n = Int(t.dropFirst(5)), n >= 0 { self = .cuda(n); return }
    return nil
  }

  public var description: String {
    switch kind {
    case .cpu: return "cpu"
    case .cuda: return index.map { "cuda:\($0)" } ?? "cuda"
    }
  }

  var c: i2v_device { i2v_device(type: kind.rawValue, index: Int32(index ?? -1)) }

  init(_ d: i2v_device) {
    self.init(kind: Kind(rawValue: d.type) ?? .cpu, index: d.index >= 0 ? Int(d.index) : nil)
  }
}
