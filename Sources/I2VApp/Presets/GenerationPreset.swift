import Foundation
import I2VCheckpoint
import I2VModels

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
  /// Optional in the file: `"prompt_syntax": "weighted"` and `"long_prompt": true` (defaults plain, false).
  public var promptSyntax: PromptSyntax = .plain
  public var longPrompt = false
  /// Optional: `"guidance_schedule": "cosine"` with `"guidance_end": 7` (default constant).
  public var guidanceSchedule: GuidanceSchedule.Shape = .constant
  public var guidanceEnd: Double?
  /// Optional: `"scheduler"`, any `--scheduler` name, e.g. `"dpm++2m"` or `"unipc"` (default ddim, the model's own).
  public var scheduler: SchedulerKind = .ddim
  /// Optional: `"cache": "deep:3"` (DeepCache feature reuse; default off).
  public var cache: FeatureCache = .off
  /// The file it was read from.
  public var path: String

  static let fields: Set<String> = ["description", "steps", "guidance", "frames", "fps", "width", "height",
                                     "prompt_syntax", "long_prompt", "guidance_schedule", "guidance_end", "scheduler",
                                     "cache"]

  /// Parses a preset file strictly: unknown fields and wrong types are errors naming the file and the field.
  public init(path: String) throws {
    self.path = path
    name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PresetError("\(path): cannot read preset file")
    }
    let parsed: Any
    do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
      let reason = (error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)"
      throw PresetError("\(path): not valid JSON (\(reason.prefix(200)))")
    }
    guard let object = parsed as? [String: Any] else {
      throw PresetError("\(path): not a JSON object (expected {\"steps\": 50, \"guidance\": 9.0, ...})")
    }
    for key in object.keys.sorted() where !Self.fields.contains(key) {
      throw PresetError("\(path): unknown field '\(key)' (allowed: \(Self.fields.sorted().joined(separator: ", ")))")
    }
    func number(_ key: String) throws -> NSNumber {
      guard let value = object[key], !(value is NSNull) else {
        throw PresetError("\(path): field '\(key)' is missing (a preset sets \(Self.required.joined(separator: ", ")))")
      }
      guard let n = value as? NSNumber, String(cString: n.objCType) != "c", n.doubleValue.isFinite else {
        throw PresetError("\(path): field '\(key)' must be a number, found \(value)")
      }
      return n
    }
    func int(_ key: String, min: Int, multipleOf step: Int = 1) throws -> Int {
      let n = try number(key)
      guard n.doubleValue.rounded() == n.doubleValue else { throw PresetError("\(path): field '\(key)' must be an integer, found \(n)") }
      guard n.intValue >= min else { throw PresetError("\(path): field '\(key)' must be at least \(min), found \(n)") }
      guard n.intValue % step == 0 else {
        throw PresetError("\(path): field '\(key)' must be a multiple of \(step), found \(n)")
      }
      return n.intValue
    }
    if let d = object["description"], !(d is String) {
      throw PresetError("\(path): field 'description' must be a string")
    }
    description = object["description"] as? String ?? ""
    steps = try int("steps", min: 1)
    guidance = try number("guidance").doubleValue
    guard guidance >= 0 else { throw PresetError("\(path): field 'guidance' must be at least 0, found \(guidance)") }
    frames = try int("frames", min: 1)
    fps = try int("fps", min: 1)
    width = try int("width", min: 8, multipleOf: 8)
    height = try int("height", min: 8, multipleOf: 8)
    if let v = object["prompt_syntax"], !(v is NSNull) {
      guard let text = v as? String, let syntax = PromptSyntax(rawValue: text) else {
        throw PresetError("\(path): field 'prompt_syntax' must be \"plain\" or \"weighted\", found \(v)")
      }
      promptSyntax = syntax
    }
    if let v = object["long_prompt"], !(v is NSNull) {
      guard let n = v as? NSNumber, String(cString: n.objCType) == "c" else {
        throw PresetError("\(path): field 'long_prompt' must be true or false, found \(v)")
      }
      longPrompt = n.boolValue
    }
    if let v = object["guidance_schedule"], !(v is NSNull) {
      guard let text = v as? String, let shape = GuidanceSchedule.Shape(rawValue: text) else {
        throw PresetError("\(path): field 'guidance_schedule' must be \"constant\", \"linear\" or \"cosine\", found \(v)")
      }
      guidanceSchedule = shape
    }
    if object["guidance_end"] != nil && !(object["guidance_end"] is NSNull) {
      let end = try number("guidance_end").doubleValue
      guard end >= 0 && end <= GenerationRequest.maxGuidance else {
        throw PresetError("\(path): field 'guidance_end' must be between 0 and \(Int(GenerationRequest.maxGuidance)), found \(end)")
      }
      guidanceEnd = end
    }
    if let v = object["scheduler"], !(v is NSNull) {
      guard let text = v as? String, let kind = SchedulerKind(rawValue: text) else {
        throw PresetError("\(path): field 'scheduler' must be one of \(SchedulerKind.names), found \(v)")
      }
      scheduler = kind
    }
    if let v = object["cache"], !(v is NSNull) {
      guard let text = v as? String else {
        throw PresetError("\(path): field 'cache' must be a string, \"off\" or \"deep:N\", found \(v)")
      }
      do { cache = try FeatureCache.parse(text) } catch { throw PresetError("\(path): field 'cache' ('\(text)'): \(error)") }
    }
    guard (guidanceSchedule == .constant) == (guidanceEnd == nil) else {
      throw PresetError("\(path): fields 'guidance_schedule' (linear or cosine) and 'guidance_end' go together")
    }
  }

  static let required = ["steps", "guidance", "frames", "fps", "width", "height"]

  /// Folders searched for `NAME.json`, first match wins: `$I2V_PRESET_DIR`, the user's `~/.config/i2v/presets`,
  /// then the project's `Presets/` found by walking up from the executable and from the current directory.
  public static func searchFolders() -> [String] { labeledSearchFolders().map(\.path) }

  /// Where a preset folder comes from, for `i2v presets`.
  public enum Origin: String, Sendable {
    case environment = "$I2V_PRESET_DIR"
    case user
    case builtIn = "built-in"
  }

  /// `searchFolders()` with where each comes from.
  public static func labeledSearchFolders() -> [(path: String, origin: Origin)] {
    var dirs: [(path: String, origin: Origin)] = []
    let env = ProcessInfo.processInfo.environment
    if let d = env["I2V_PRESET_DIR"], !d.isEmpty { dirs.append((d, .environment)) }
    let config = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (HomeFolder.path + "/.config")
    dirs.append((config + "/i2v/presets", .user))
    for start in [ProjectFiles.executableDirectory(), FileManager.default.currentDirectoryPath] {
      if let p = ProjectFiles.findUpwards("Presets/standard.json", from: start) {
        dirs.append(((p as NSString).deletingLastPathComponent, .builtIn))
      }
    }
    var seen = Set<String>()
    return dirs.filter { seen.insert($0.path).inserted }
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
