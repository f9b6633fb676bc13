import Foundation

/// Locates test fixtures relative to this file (the repository root is two folders up).
enum FixturePaths {
  static let repoRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func fixture(_ relative: String) -> URL {
    repoRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(relative)
  }

  /// The real CLIP tokenizer files (the committed copy of the real model's configs).
  static var tokenizerDirectory: URL? {
    let dir = fixture("real/configs/tokenizer")
    return FileManager.default.fileExists(atPath: dir.appendingPathComponent("vocab.json").path) ? dir : nil
  }

  /// The real model's `feature_extractor/preprocessor_config.json` (committed copy).
  static var preprocessorConfig: URL? {
    let file = fixture("real/configs/feature_extractor/preprocessor_config.json")
    return FileManager.default.fileExists(atPath: file.path) ? file : nil
  }
}
