import Foundation
import I2VApp

/// A job's settings as the API takes them: one JSON object whose fields are the batch manifest's (README,
/// "Batch and clusters"; `steps`, `guidance`, `seed`, ...) plus `format`, parsed exactly as `batch` parses a
/// manifest row and validated as `generate` validates its flags, so the messages are the CLI's. Fields that
/// name files on the server (image, output, audio, prompt_file, a preset path) are refused: the server chooses
/// every path.
public struct JobSettings: Sendable, Equatable {
  public var prompt: String
  public var format: String
  /// The fields as given (normalized names, text values): stored with the job and sent back for "use again".
  public var fields: [String: String]
  public var generation: GenerationSettings

  public static let formats = ["mp4", "webm", "gif"]
  /// Manifest fields a client may not set, and why.
  static let refused: [String: String] = [
    "image": "the image is the request's 'image' part",
    "output": "the server names its outputs",
    "audio": "it names a file on the server; sound tracks are not offered by the server",
    "prompt_file": "it names a file on the server; send the prompt in 'prompt'",
  ]

  /// From the JSON text of the request's `settings` part.
  public init(json: Data) throws {
    let parsed: Any
    do { parsed = try JSONSerialization.jsonObject(with: json) } catch {
      throw SettingsError("settings: not valid JSON; send an object such as {\"prompt\": \"a cat turning its head\", "
        + "\"preset\": \"standard\"}")
    }
    guard let object = parsed as? [String: Any] else {
      throw SettingsError("settings: not a JSON object; send an object such as {\"prompt\": \"a cat\"}")
    }
    var fields: [String: String] = [:]
    for key in object.keys.sorted() {
      let name = BatchManifest.normalize(column: key)
      guard name == "format" || BatchManifest.columns.contains(name) else {
        throw SettingsError("settings: unknown field '\(key)' (known: "
          + (Self.allowedFields).joined(separator: ", ") + ")")
      }
      if let why = Self.refused[name] { throw SettingsError("settings: field '\(key)' is not accepted: \(why)") }
      guard fields[name] == nil else { throw SettingsError("settings: field '\(name)' is given twice") }
      do {
        guard let text = try BatchManifest.text(ofJSON: object[key]!, key: name) else { continue }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !value.isEmpty { fields[name] = value }
      } catch let e as BatchManifestError {
        throw SettingsError("settings: \(e.description)")
      }
    }
    try self.init(fields: fields)
  }

  /// From fields already checked once (a stored job's), or from `init(json:)`.
  public init(fields: [String: String]) throws {
    guard let prompt = fields["prompt"], !prompt.isEmpty else {
      throw SettingsError("settings: 'prompt' is missing or empty; say what should happen in the video")
    }
    let format = fields["format"]?.lowercased() ?? "mp4"
    guard Self.formats.contains(format) else {
      throw SettingsError("settings: field 'format': '\(format)' is not a valid value (it takes "
        + Self.formats.joined(separator: ", ") + ")")
    }
    if let preset = fields["preset"], preset.contains("/") || preset.hasSuffix(".json") || preset.hasPrefix(".") {
      throw SettingsError("settings: field 'preset': '\(preset)' must be the name of a preset (GET /api/presets "
        + "lists them), not a path")
    }
    var g = GenerationSettings()
    var row = fields
    row["format"] = nil
    do {
      try BatchPlan.apply(BatchManifest.Row(line: 0, fields: row), to: &g, presetBase: ".")
    } catch let e as BatchPlanError {
      throw SettingsError("settings: \(e.description)")
    }
    try g.validate()
    self.prompt = prompt
    self.format = format
    self.fields = fields
    generation = g
  }

  /// The fields a client may send.
  public static var allowedFields: [String] {
    (BatchManifest.columns.filter { refused[$0] == nil } + ["format"]).sorted()
  }
}
