import Foundation

/// Private, writable copies of the fixture models for tests that lock, break or mix them.
enum ModelCopies {
  /// Copies `Tests/Fixtures/models/NAME` into `dir/NAME`, links resolved (tiny-b's tokenizer links into tiny-a).
  static func copy(_ name: String, into dir: URL) throws -> URL {
    let source = URL(fileURLWithPath: CLI.fixture("models/\(name)"))
    let target = dir.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
    for entry in try FileManager.default.contentsOfDirectory(atPath: source.path) {
      try FileManager.default.copyItem(at: source.appendingPathComponent(entry).resolvingSymlinksInPath(),
                                       to: target.appendingPathComponent(entry))
    }
    return target
  }

  /// Replaces `component` of `model` with the one from another fixture model.
  static func swap(_ component: String, of model: URL, from other: String) throws {
    let dest = model.appendingPathComponent(component)
    try FileManager.default.removeItem(at: dest)
    try FileManager.default.copyItem(at: URL(fileURLWithPath: CLI.fixture("models/\(other)/\(component)")), to: dest)
  }

  /// Parses a JSON object (a sidecar, a `--json` result).
  static func json(_ data: Data) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw CocoaError(.fileReadCorruptFile)
    }
    return object
  }

  static func json(file path: String) throws -> [String: Any] {
    try json(try Data(contentsOf: URL(fileURLWithPath: path)))
  }
}
