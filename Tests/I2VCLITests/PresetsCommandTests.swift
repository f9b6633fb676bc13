import Foundation
import Testing

/// `i2v presets`: listing, showing, user preset folders, and malformed files named with their field.
@Suite struct PresetsCommandTests {
  let home: URL

  init() throws { home = try CLI.tempDir() }

  /// Runs i2v with a private config folder (no user presets unless a test writes some).
  func run(_ args: [String], env: [String: String] = [:]) throws -> CLI.Result {
    try CLI.run(args, environment: ["XDG_CONFIG_HOME": home.path, "XDG_CACHE_HOME": home.path + "/cache",
                                    "I2V_PRESET_DIR": ""].merging(env) { $1 })
  }

  func userPreset(_ name: String, _ text: String) throws -> String {
    let dir = home.appendingPathComponent("i2v/presets")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent(name).path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  static let fast = #"""
    {"description": "Fast drafts", "steps": 20, "guidance": 8.5, "frames": 8, "fps": 8, "width": 256, "height": 256}
    """#

  @Test func listsBuiltInsWithValuesAndPurpose() throws {
    let r = try run(["presets"])
    #expect(r.status == 0, "\(r.stderr)")
    for name in ["creative", "high_motion", "preview", "smoke", "standard"] { #expect(r.stdout.contains(name)) }
    let standard = r.stdout.split(separator: "\n").first { $0.hasPrefix("standard ") }.map(String.init) ?? ""
    #expect(standard.contains(" 50 ") && standard.contains("9.0") && standard.contains("512x512") && standard.contains("built-in"),
            "\(standard)")
    #expect(r.stdout.contains("Strong, clearly visible motion"))
  }

  @Test func showsOnePreset() throws {
    let r = try run(["presets", "show", "high_motion"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("steps     60") && r.stdout.contains("guidance  11.0") && r.stdout.contains("Presets/high_motion.json"),
            "\(r.stdout)")
    let j = try run(["presets", "show", "smoke", "--json"])
    let o = try ModelCopies.json(Data(j.stdout.utf8))
    #expect(o["steps"] as? Int == 2 && o["width"] as? Int == 32 && o["origin"] as? String == "built-in")
    #expect((o["warnings"] as? [String])?.contains { $0.contains("fine for a preview") } == true)
  }

  @Test func userPresetsAreListedAndUsed() throws {
    _ = try userPreset("fast.json", Self.fast)
    _ = try userPreset("standard.json", Self.fast)  // overrides the built-in
    let envDir = try CLI.tempDir()
    try Data(Self.fast.utf8).write(to: envDir.appendingPathComponent("env.json"))
    let r = try run(["presets", "--json"], env: ["I2V_PRESET_DIR": envDir.path])
    #expect(r.status == 0, "\(r.stderr)")
    let presets = (try ModelCopies.json(Data(r.stdout.utf8))["presets"] as? [[String: Any]]) ?? []
    let byName = Dictionary(uniqueKeysWithValues: presets.map { ($0["name"] as? String ?? "", $0) })
    #expect(byName["fast"]?["origin"] as? String == "user" && byName["fast"]?["steps"] as? Int == 20)
    #expect(byName["env"]?["origin"] as? String == "$I2V_PRESET_DIR")
    #expect(byName["standard"]?["origin"] as? String == "user")
    #expect((byName["standard"]?["overrides"] as? [String])?.first?.hasSuffix("Presets/standard.json") == true)
    let table = try run(["presets"])
    #expect(table.stdout.contains("overrides 1 other"), "\(table.stdout)")
    // generate resolves the user preset by name: the run gets past the preset and stops at the missing image.
    let g = try run(["generate", "--model", CLI.fixture("models/tiny-a"), "--preset", "fast", "--image", "/nonexistent.png",
                     "--prompt", "x", "-o", home.appendingPathComponent("o.mp4").path])
    #expect(g.status != 0 && g.stderr.contains("/nonexistent.png") && !g.stderr.contains("preset"), "\(g.stderr)")
  }

  @Test func malformedPresetNamesFileAndField() throws {
    let bad = try userPreset("broken.json", #"""
      {"steps": "many", "guidance": 9, "frames": 8, "fps": 8, "width": 256, "height": 256}
      """#)
    let expected = "\(bad): field 'steps' must be a number"
    let list = try run(["presets"])
    #expect(list.status != 0)
    #expect(list.stderr.contains(expected), "\(list.stderr)")
    #expect(list.stdout.contains("standard"), "the good presets are still listed")
    let show = try run(["presets", "show", "broken"])
    #expect(show.status != 0 && show.stderr.contains(expected), "\(show.stderr)")
    let generate = try run(["generate", "--model", CLI.fixture("models/tiny-a"), "--preset", bad, "--image",
                            CLI.fixture("images/square_48x48.png"), "--prompt", "x",
                            "-o", home.appendingPathComponent("o.mp4").path])
    #expect(generate.status != 0 && generate.stderr.contains(expected), "\(generate.stderr)")
  }

  @Test func unknownPresetListsTheKnownOnes() throws {
    let r = try run(["presets", "show", "turbo"])
    #expect(r.status != 0 && r.stderr.contains("unknown preset 'turbo'") && r.stderr.contains("high_motion"), "\(r.stderr)")
  }

  @Test func helpHasExamples() throws {
    let r = try run(["presets", "--help"])
    #expect(r.status == 0 && r.stdout.contains("Examples:") && r.stdout.contains("~/.config/i2v/presets"))
  }
}
