import Foundation
import I2VFuzz
import Testing

/// Every committed fuzz input (seeds, and each input that once found a bug) replayed through its target: bad
/// input must end in an error, never a crash or a violated invariant. `Scripts/fuzz.sh` runs the fuzzers.
@Suite struct FuzzCorpusTests {
  static let corpus: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
      url.deleteLastPathComponent()
    }
    return url.appendingPathComponent("Tests/Fixtures/fuzz")
  }()

  static func inputs(_ target: FuzzTarget) -> [URL] {
    let dir = corpus.appendingPathComponent(target.rawValue)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.sorted().map { dir.appendingPathComponent($0) }
  }

  @Test(arguments: FuzzTarget.allCases)
  func corpusReplays(_ target: FuzzTarget) throws {
    let files = Self.inputs(target)
    #expect(files.count >= 3, "seed corpus of \(target.rawValue) is missing")
    for file in files {
      target.run(try Data(contentsOf: file))
    }
  }
}
