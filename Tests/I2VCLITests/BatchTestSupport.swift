import Foundation

/// A temporary input folder of fixture images (with optional `NAME.txt` prompts) and an output folder, and the
/// `i2v batch` command line that runs them on the bundled tiny model with the smoke preset.
struct BatchFolder {
  let root: URL
  let input: URL
  let output: URL

  /// `images`: file name in the input folder → fixture image (`nil` writes a corrupt file with that name).
  init(_ images: [(String, String?)], prompts: [String: String] = [:]) throws {
    root = try CLI.tempDir()
    input = root.appendingPathComponent("in")
    output = root.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
    for (name, fixture) in images {
      let dest = input.appendingPathComponent(name)
      if let fixture {
        try FileManager.default.copyItem(atPath: CLI.fixture("images/" + fixture), toPath: dest.path)
      } else {
        try Data("this is not an image".utf8).write(to: dest)
      }
    }
    for (name, prompt) in prompts { try write(prompt, to: name) }
  }

  /// Four images with prompt files: a (48x48), b (96x72), c (55x31), d (102x58).
  static func four() throws -> BatchFolder {
    try BatchFolder([("a.png", "square_48x48.png"), ("b.png", "landscape_96x72.png"), ("c.png", "wide_55x31.png"),
                     ("d.png", "wide_102x58.png")],
                    prompts: ["a.txt": "a cat", "b.txt": "a hill", "c.txt": "a boat", "d.txt": "a road"])
  }

  func write(_ text: String, to name: String) throws {
    try Data(text.utf8).write(to: input.appendingPathComponent(name))
  }

  /// `i2v batch` with the tiny model, the smoke preset and a fixed seed, plus `extra`.
  func arguments(_ extra: [String], input: String? = nil) -> [String] {
    ["batch", input ?? self.input.path, "-o", output.path, "--model", CLI.fixture("models/tiny-a"), "--preset", "smoke",
     "--seed", "1"] + extra
  }

  func run(_ extra: [String] = [], environment: [String: String] = [:]) throws -> CLI.Result {
    try CLI.run(arguments(extra), environment: environment)
  }

  /// The summary the run wrote, as JSON.
  func summary(_ name: String = "batch-summary.json") throws -> [String: Any] {
    let data = try Data(contentsOf: output.appendingPathComponent(name))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
  }

  func outputs() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []).sorted()
  }
}

/// Reading a summary: counts and items by status.
extension Dictionary where Key == String, Value == Any {
  func count(_ key: String) -> Int { (self["counts"] as? [String: Any])?[key] as? Int ?? -1 }

  var entries: [[String: Any]] { self["items"] as? [[String: Any]] ?? [] }

  /// The `image` file names of the items with this status, sorted.
  func images(_ status: String) -> [String] {
    entries.filter { $0["status"] as? String == status }
      .compactMap { ($0["image"] as? String).map { ($0 as NSString).lastPathComponent } }.sorted()
  }

  func entry(image name: String) -> [String: Any]? {
    entries.first { (($0["image"] as? String).map { ($0 as NSString).lastPathComponent }) == name }
  }
}

/// Parses `--json` output.
func jsonObject(_ text: String) -> [String: Any] {
  (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
}
