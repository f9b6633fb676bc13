import Foundation
import I2VCheckpoint
import Testing

@testable import I2VModels

/// Cross-component checks from configs alone: the fixture models are clean; swapped or re-saved components
/// are caught.
@Suite struct ComponentConsistencyTests {
  /// A private copy of a fixture model (links resolved: tiny-b's tokenizer is a link into tiny-a).
  func copy(_ name: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-mix-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let source = FixturePaths.fixture("models/\(name)").resolvingSymlinksInPath()
    for c in try FileManager.default.contentsOfDirectory(atPath: source.path) {
      try FileManager.default.copyItem(at: source.appendingPathComponent(c).resolvingSymlinksInPath(),
                                       to: dir.appendingPathComponent(c))
    }
    return dir
  }

  func replace(_ component: String, in model: URL, from other: String) throws {
    try FileManager.default.removeItem(at: model.appendingPathComponent(component))
    try FileManager.default.copyItem(at: FixturePaths.fixture("models/\(other)/\(component)"),
                                     to: model.appendingPathComponent(component))
  }

  @Test func fixtureModelsAreClean() throws {
    for name in ["tiny-a", "tiny-b"] {
      let r = ComponentConsistency.check(try ModelFolder(path: FixturePaths.fixture("models/\(name)").path))
      #expect(r.isClean, "\(name): \(r)")
    }
  }

  @Test func swappedUNetConflicts() throws {
    let m = try copy("tiny-b")
    try replace("unet", in: m, from: "tiny-a")
    let r = ComponentConsistency.check(try ModelFolder(path: m.path))
    #expect(r.conflicts.contains { $0.contains("text_encoder hidden_size is 6 but unet cross_attention_dim is 12") },
            "\(r.conflicts)")
    #expect(r.conflicts.contains { $0.contains("image_encoder projection_dim") })
  }

  @Test func swappedImageEncoderConflictsWithPreprocessor() throws {
    let m = try copy("tiny-b")
    try replace("image_encoder", in: m, from: "tiny-a")
    let r = ComponentConsistency.check(try ModelFolder(path: m.path))
    #expect(r.conflicts.contains { $0.contains("feature_extractor crop size is 28 but image_encoder image_size is 32") },
            "\(r.conflicts)")
  }

  @Test func disagreeingReleasesAreMixingSigns() throws {
    let m = try copy("tiny-b")
    let vaeConfig = m.appendingPathComponent("vae/config.json")
    let resaved = #""_diffusers_version": "0.21.4", "_name_or_path": "stabilityai/sd-vae-ft-mse""#
    let text = try String(contentsOf: vaeConfig, encoding: .utf8)
      .replacingOccurrences(of: #""_diffusers_version": "0.33.1""#, with: resaved)
    try text.write(to: vaeConfig, atomically: true, encoding: .utf8)
    let r = ComponentConsistency.check(try ModelFolder(path: m.path))
    #expect(r.conflicts.isEmpty)
    #expect(r.mixingSigns.contains { $0.contains("_diffusers_version differs") && $0.contains("vae 0.21.4") }, "\(r)")
    #expect(r.mixingSigns.contains { $0.contains("_name_or_path differs") } == false, "one origin alone is no disagreement")

    let unetConfig = m.appendingPathComponent("unet/config.json")
    let unet = try String(contentsOf: unetConfig, encoding: .utf8)
      .replacingOccurrences(of: #""_diffusers_version""#, with: #""_name_or_path": "ali-vilab/i2vgen-xl/unet", "_diffusers_version""#)
    try unet.write(to: unetConfig, atomically: true, encoding: .utf8)
    let again = ComponentConsistency.check(try ModelFolder(path: m.path))
    #expect(again.mixingSigns.contains { $0.contains("_name_or_path differs") && $0.contains("unet 'ali-vilab/i2vgen-xl'") },
            "\(again)")
  }
}
