import Foundation

/// A named set of generation defaults (`Presets/*.json`); command-line flags override its values.
public struct GenerationPreset: Sendable, Equatable {
  public var name: String
  public var description: String
  public var steps: Int
  public var guidance: Double
  public var frames: Int
  public var fps: Int
  public var width: Int
  public var height: Int
  /// The file it was read from.
  public var path: String

  static let fields: Set<String> = ["description", "steps", "guidance", "frames", "fps", "width", "height"]

  /// Parses a preset file strictly: unknown fields and wrong types are errors naming the file and the field.
  public init(path: String) throws {
    self.path = path
    name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PresetError("\(path): cannot read preset file")
    }
    guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw PresetError("\(path): not a JSON object (expected {\"steps\": 50, \"guidance\": 9.0, ...})")
    }
    for key in object.keys where !Self.fields.contains(key) {
      throw PresetError("\(path): unknown field '\(key)' (allowed: \(Self.fields.sorted().joined(separator: ", ")))")
    }
    func int(_ key: String, min: Int) throws -> Int {
      guard let n = object[key] as? NSNumber, String(cString: n.objCType) != "c", n.doubleValue.rounded() == n.doubleValue
      else { throw PresetError("\(path): field '\(key)' must be an integer") }
      guard n.intValue >= min else { throw PresetError("\(path): field '\(key)' must be at least \(min)") }
      return n.intValue
    }
    description = object["description"] as? String ?? ""
    steps = try int("steps", min: 1)
    guard let g = object["guidance"] as? NSNumber, String(cString: g.objCType) != "c", g.doubleValue >= 0 else {
      throw PresetError("\(path): field 'guidance' must be a number >= 0")
    }
    guidance = g.doubleValue
    frames = try int("frames", min: 1)
    fps = try int("fps", min: 1)
    width = try int("width", min: 8)
    height = try int("height", min: 8)
  }

  /// Folders searched for `NAME.json`, first match wins: `$I2V_PRESET_DIR`, the user's `~/.config/i2v/presets`,
  /// then the project's `Presets/` found by walking up from the executable and from the current directory.
  public static func searchFolders() -> [String] {
    var dirs: [String] = []
    let env = ProcessInfo.processInfo.environment
    if let d = env["I2V_PRESET_DIR"], !d.isEmpty { dirs.append(d) }
    let config = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.config")
    dirs.append(config + "/i2v/presets")
    for start in [ProjectFiles.executableDirectory(), FileManager.default.currentDirectoryPath] {
      if let p = ProjectFiles.findUpwards("Presets/standard.json", from: start) {
        dirs.append((p as NSString).deletingLastPathComponent)
      }
    }
    var seen = Set<String>()
    return dirs.filter { seen.insert($0).inserted }
  }

  /// A preset by name (`standard`) or by path (`my/fast.json`).
  public static func load(_ nameOrPath: String) throws -> GenerationPreset {
    if nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") {
      guard FileManager.default.fileExists(atPath: nameOrPath) else { throw PresetError("\(nameOrPath): preset file not found") }
      return try GenerationPreset(path: nameOrPath)
    }
    for dir in searchFolders() {
      let p = (dir as NSString).appendingPathComponent(nameOrPath + ".json")
      if FileManager.default.fileExists(atPath: p) { return try GenerationPreset(path: p) }
    }
    let known = all().map(\.name)
    throw PresetError(
      "unknown preset '\(nameOrPath)'" + (known.isEmpty ? " (no preset folder found; set I2V_PRESET_DIR)"
        : "; available: \(known.joined(separator: ", "))"))
  }

  /// Every preset visible, each name once (earlier folders shadow later ones).
  public static func all() -> [GenerationPreset] {
    var byName: [String: GenerationPreset] = [:]
    for dir in searchFolders().reversed() {
      let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
      for f in files where f.hasSuffix(".json") {
        if let p = try? GenerationPreset(path: (dir as NSString).appendingPathComponent(f)) { byName[p.name] = p }
      }
    }
    return byName.values.sorted { $0.name < $1.name }
  }
}

public struct PresetError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Locating the project's own files (presets, the bundled model) from a built or installed binary.
public enum ProjectFiles {
  public static func executableDirectory() -> String {
    URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
  }

  /// The first `start/…/relative` that exists, walking up to the root.
  public static func findUpwards(_ relative: String, from start: String) -> String? {
    var dir = URL(fileURLWithPath: start)
    while true {
      let candidate = dir.appendingPathComponent(relative).path
      if FileManager.default.fileExists(atPath: candidate) { return candidate }
      let parent = dir.deletingLastPathComponent()
      if parent.path == dir.path { return nil }
      dir = parent
    }
  }
}
