import Foundation
import I2VModels
import Testing

@testable import I2VApp

/// Preset files are parsed strictly (errors name the file and the field) and catalogued across folders.
@Suite struct PresetFileTests {
  let dir: URL

  init() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-presets-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  }

  func file(_ name: String, _ text: String, in folder: URL? = nil) throws -> String {
    let url = (folder ?? dir).appendingPathComponent(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    return url.path
  }

  static let good = #"{"description": "d", "steps": 25, "guidance": 8.5, "frames": 8, "fps": 8, "width": 256, "height": 192}"#

  @Test func validFile() throws {
    let p = try GenerationPreset(path: try file("fast.json", Self.good))
    #expect(p.name == "fast" && p.steps == 25 && p.guidance == 8.5 && p.width == 256 && p.height == 192)
  }

  /// The prompt options are optional: plain and off unless the file says.
  @Test func promptOptions() throws {
    let p = try GenerationPreset(path: try file("fast.json", Self.good))
    #expect(p.promptSyntax == .plain && !p.longPrompt)
    let q = try GenerationPreset(path: try file("long.json", String(Self.good.dropLast())
      + #", "prompt_syntax": "weighted", "long_prompt": true}"#))
    #expect(q.promptSyntax == .weighted && q.longPrompt)
  }

  @Test(arguments: [
    (#"{"steps": 25, "guidance": 8.5, "frames": 8, "fps": 8, "width": 256}"#, "field 'height' is missing"),
    (#"{"steps": "25", "guidance": 8.5, "frames": 8, "fps": 8, "width": 256, "height": 256}"#, "field 'steps' must be a number"),
    (#"{"steps": 2.5, "guidance": 8.5, "frames": 8, "fps": 8, "width": 256, "height": 256}"#, "field 'steps' must be an integer"),
    (#"{"steps": 25, "guidance": -1, "frames": 8, "fps": 8, "width": 256, "height": 256}"#, "field 'guidance' must be at least 0"),
    (#"{"steps": 25, "guidance": true, "frames": 8, "fps": 8, "width": 256, "height": 256}"#, "field 'guidance' must be a number"),
    (#"{"steps": 25, "guidance": 9, "frames": 0, "fps": 8, "width": 256, "height": 256}"#, "field 'frames' must be at least 1"),
    (#"{"steps": 25, "guidance": 9, "frames": 8, "fps": 8, "width": 100, "height": 256}"#, "field 'width' must be a multiple of 8"),
    (#"{"steps": 25, "guidance": 9, "frames": 8, "fps": 8, "width": 256, "height": 256, "seed": 4}"#, "unknown field 'seed'"),
    (#"{"description": 5, "steps": 25, "guidance": 9, "frames": 8, "fps": 8, "width": 256, "height": 256}"#,
     "field 'description' must be a string"),
    (#"{"steps": 25, "guidance": 9, "frames": 8, "fps": 8, "width": 256, "height": 256, "prompt_syntax": "fancy"}"#,
     "field 'prompt_syntax' must be \"plain\" or \"weighted\""),
    (#"{"steps": 25, "guidance": 9, "frames": 8, "fps": 8, "width": 256, "height": 256, "long_prompt": 1}"#,
     "field 'long_prompt' must be true or false"),
    (#"{"steps": 25,"#, "not valid JSON"),
    (#"[1, 2]"#, "not a JSON object"),
  ] as [(String, String)])
  func malformedFileNamesFileAndField(text: String, message: String) throws {
    let path = try file("bad.json", text)
    do {
      _ = try GenerationPreset(path: path)
      Issue.record("accepted: \(text)")
    } catch let e as PresetError {
      #expect(e.description.hasPrefix(path + ": ") && e.description.contains(message), "\(e.description)")
    }
  }

  @Test func catalogShadowsAndReportsBrokenFiles() throws {
    let user = dir.appendingPathComponent("user"), builtIn = dir.appendingPathComponent("builtin")
    _ = try file("standard.json", Self.good, in: user)
    _ = try file("standard.json", Self.good.replacingOccurrences(of: "25", with: "50"), in: builtIn)
    _ = try file("preview.json", Self.good, in: builtIn)
    _ = try file("broken.json", #"{"steps": 1}"#, in: user)
    _ = try file("broken.json", Self.good, in: builtIn)
    let catalog = PresetCatalog(folders: [(user.path, .user), (builtIn.path, .builtIn)])
    #expect(catalog.entries.map(\.preset.name) == ["preview", "standard"], "a broken file still claims its name")
    let standard = catalog.entries.first { $0.preset.name == "standard" }!
    #expect(standard.origin == .user && standard.preset.steps == 25)
    #expect(standard.overrides == [builtIn.appendingPathComponent("standard.json").path])
    #expect(catalog.errors.count == 1 && catalog.errors[0].description.contains("broken.json: field 'guidance' is missing"))
  }
}
