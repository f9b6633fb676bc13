import Foundation

/// Locates test fixtures relative to this file (the repository root is two folders up).
enum FixturePaths {
  static let repoRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func fixture(_ relative: String) -> URL {
    repoRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relative)
  }

  /// The real CLIP tokenizer files: a tiny fixture model's copy if present, else the spec's copy
  /// (`../shared/spec/real-configs/tokenizer` beside the repository).
  static var tokenizerDirectory: URL? {
    let fm = FileManager.default
    let models = fixture("models")
    if let names = try? fm.contentsOfDirectory(atPath: models.path) {
      for name in names.sorted() {
        let dir = models.appendingPathComponent(name).appendingPathComponent("tokenizer")
        if fm.fileExists(atPath: dir.appendingPathComponent("vocab.json").path) { return dir }
      }
    }
    let spec = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/spec/real-configs/tokenizer")
    return fm.fileExists(atPath: spec.appendingPathComponent("vocab.json").path) ? spec : nil
  }

  /// The real model's `feature_extractor/preprocessor_config.json` (the spec's copy).
  static var preprocessorConfig: URL? {
    let file = repoRoot.deletingLastPathComponent()
      .appendingPathComponent("shared/spec/real-configs/feature_extractor/preprocessor_config.json")
    return FileManager.default.fileExists(atPath: file.path) ? file : nil
  }
}
