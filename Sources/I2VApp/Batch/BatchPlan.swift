import Foundation
import I2VCheckpoint
import I2VMedia
import I2VModels

/// One job of a batch, before it runs.
public struct BatchItem {
  /// Position in the full, sorted item list (what sharding splits on).
  public var position: Int
  public var image: String
  /// Where the job came from, for messages: the image's file name, or `jobs.csv line 4`.
  public var origin: String
  public var output: String
  public var prompt: String?
  public var options: GenerationSettings
  /// A problem found while planning (a bad manifest value, no prompt): the item fails without running.
  public var problem: String?

  /// `cat.mp4`, or `cat/` for a folder of PNG frames.
  public var outputName: String {
    (BatchOutputs.trimmed(output) as NSString).lastPathComponent + (output.hasSuffix("/") ? "/" : "")
  }
  /// For progress lines: `cat.png`, or `cat.png (jobs.csv line 4)`.
  public var label: String {
    let name = (image as NSString).lastPathComponent
    return name == origin ? name : "\(name) (\(origin))"
  }
}

/// Turns a folder of images or a manifest into the full list of batch items: paths, prompts, per-row
/// settings and output names. Errors that concern the whole batch (no images, an unreadable manifest, two items
/// writing the same file) are thrown; problems of one item are recorded on it so the others still run.
public struct BatchPlan {
  public enum OutputFormat: String, CaseIterable, Sendable {
    case mp4, webm, gif, png

    /// `cat` → `cat.mp4`, or the folder `cat/` for PNG frames.
    public func output(base: String) -> String { self == .png ? base + "/" : base + "." + rawValue }
  }

  public var inputDir: String?
  public var manifest: String?
  public var outputDir: String
  public var format: OutputFormat
  public var defaultPrompt: String?
  public var options: GenerationSettings

  public init(inputDir: String?, manifest: String?, outputDir: String, format: OutputFormat, defaultPrompt: String?,
              options: GenerationSettings)
  {
    self.inputDir = inputDir
    self.manifest = manifest
    self.outputDir = outputDir
    self.format = format
    self.defaultPrompt = defaultPrompt
    self.options = options
  }

  public func items() throws -> [BatchItem] {
    let items = try manifest.map(manifestItems) ?? folderItems()
    try checkDistinctOutputs(items)
    return items
  }

  /// Every image in the input folder, in natural order (img2 before img10).
  public func folderItems() throws -> [BatchItem] {
    guard let inputDir else { throw BatchPlanError("give an input folder (i2v batch DIR -o OUT) or --manifest FILE") }
    let images = try FrameFiles.list(folder: inputDir)
    guard !images.isEmpty else {
      throw BatchPlanError("\(inputDir): no images (looked for "
        + FrameFiles.frameExtensions.sorted().map { "." + $0 }.joined(separator: ", ") + ")")
    }
    return images.enumerated().map { position, image in
      let name = (image as NSString).lastPathComponent
      var item = BatchItem(position: position, image: image, origin: name,
                           output: outputPath(base: (name as NSString).deletingPathExtension), options: options)
      resolvePrompt(&item, rowPrompt: nil)
      return item
    }
  }

  /// One item per manifest row, in file order; relative image paths are relative to the input folder if one
  /// is given, else to the manifest's folder.
  public func manifestItems(_ path: String) throws -> [BatchItem] {
    let manifest = try BatchManifest(path: path)
    let manifestDir = (path as NSString).deletingLastPathComponent
    let imageBase = inputDir ?? (manifestDir.isEmpty ? "." : manifestDir)
    let file = (path as NSString).lastPathComponent
    return manifest.rows.enumerated().map { position, row in
      let image = Self.resolve(row.image, against: imageBase)
      var item = BatchItem(position: position, image: image, origin: "\(file) line \(row.line)", output: "",
                           options: options)
      do {
        item.output = try rowOutput(row, image: image)
        try Self.apply(row, to: &item.options, presetBase: manifestDir.isEmpty ? "." : manifestDir,
                       mediaBase: imageBase)
        try item.options.validate()
      } catch let e as SettingsError {
        item.problem = e.message
      } catch {
        item.problem = "\(error)"
      }
      if item.output.isEmpty {
        item.output = outputPath(base: ((image as NSString).lastPathComponent as NSString).deletingPathExtension)
      }
      // A prompt file without a prompt: its first line is the item's prompt (the first clip's).
      let prompt = row.fields["prompt"] ?? item.options.clipPrompts?.first
      if item.problem == nil { resolvePrompt(&item, rowPrompt: prompt) }
      return item
    }
  }

  /// Plain concatenation: NSString's path joining would drop the trailing `/` of a PNG-frame folder.
  public func outputPath(base: String) -> String { outputDir + "/" + format.output(base: base) }

  /// A row's `output` is a name inside the output folder; without an extension the batch's format is added.
  public func rowOutput(_ row: BatchManifest.Row, image: String) throws -> String {
    guard let name = row.fields["output"] else {
      return outputPath(base: ((image as NSString).lastPathComponent as NSString).deletingPathExtension)
    }
    guard !name.contains("/"), name != ".", name != ".." else {
      throw BatchPlanError("field 'output': '\(name)' must be a plain file name; outputs go into the -o folder")
    }
    return (name as NSString).pathExtension.isEmpty ? outputPath(base: name) : outputDir + "/" + name
  }

  /// The prompt: the manifest row's, else the text of `NAME.txt` next to the image, else `--prompt`.
  public func resolvePrompt(_ item: inout BatchItem, rowPrompt: String?) {
    if let rowPrompt {
      item.prompt = rowPrompt
      return
    }
    let sidecar = (item.image as NSString).deletingPathExtension + ".txt"
    if FileManager.default.fileExists(atPath: sidecar) {
      guard let data = FileManager.default.contents(atPath: sidecar), let text = String(data: data, encoding: .utf8)
      else {
        item.problem = "\(sidecar): cannot read the prompt file (it must be UTF-8 text)"
        return
      }
      let prompt = text.trimmingCharacters(in: .whitespacesAndNewlines)
      guard !prompt.isEmpty else {
        item.problem = "\(sidecar): the prompt file is empty; write the prompt into it"
        return
      }
      item.prompt = prompt
      return
    }
    guard let defaultPrompt else {
      let how = manifest == nil ? "" : "give it a 'prompt' in the manifest, "
      item.problem = "no prompt; \(how)write it into \((sidecar as NSString).lastPathComponent) next to "
        + "the image, or pass --prompt for images without their own"
      return
    }
    item.prompt = defaultPrompt
  }

  /// Sets a row's values on the options, parsed exactly like the matching command-line flags.
  /// Relative `audio` paths are relative to `mediaBase` (where the row's image is looked for); a `prompt_file` is
  /// relative to the manifest's folder.
  public static func apply(_ row: BatchManifest.Row, to o: inout GenerationSettings, presetBase: String,
                           mediaBase: String = ".") throws {
    func parse<T: ManifestValue>(_ key: String, _ text: String) throws -> T {
      guard let value = T(manifestText: text) else {
        let takes = T.self == Bool.self ? "true or false"
          : "what --\(key.replacingOccurrences(of: "_", with: "-")) takes"
        throw BatchPlanError("field '\(key)': '\(text)' is not a valid value (it takes \(takes))")
      }
      return value
    }
    for (key, text) in row.fields.sorted(by: { $0.key < $1.key }) {
      switch key {
      case "image", "prompt", "output": break
      case "negative_prompt": o.negativePrompt = text
      case "preset":
        let isPath = text.contains("/") || text.hasSuffix(".json")
        o.preset = isPath ? resolve(text, against: presetBase) : text
      case "seed": o.seed = try parse(key, text)
      case "steps": o.steps = try parse(key, text)
      case "guidance": o.guidance = try parse(key, text)
      case "frames": o.frames = try parse(key, text)
      case "fps": o.fps = try parse(key, text)
      case "conditioning_fps": o.conditioningFps = try parse(key, text)
      case "width": o.width = try parse(key, text)
      case "height": o.height = try parse(key, text)
      case "decode_chunk_size": o.decodeChunkSize = try parse(key, text)
      case "crf": o.crf = try parse(key, text)
      case "text_cleanup": o.textCleanup = try parse(key, text)
      case "prompt_syntax": o.promptSyntax = try parse(key, text)
      case "long_prompt": o.longPrompt = try parse(key, text)
      case "guidance_schedule": o.guidanceSchedule = try parse(key, text)
      case "guidance_end": o.guidanceEnd = try parse(key, text)
      case "scheduler": o.scheduler = try parse(key, text)
      case "cache":
        do { o.cache = try FeatureCache.parse(text) } catch { throw BatchPlanError("field 'cache' ('\(text)'): \(error)") }
      case "interpolate": o.interpolate = try parse(key, text)
      case "audio": o.audio = resolve(text, against: mediaBase)
      case "fit_to_audio": o.fitToAudio = try parse(key, text)
      case "clips":
        if text == "auto" { o.clipsFromAudio = true } else { o.clips = try parse(key, text) }
      case "join_blend": o.joinBlend = try parse(key, text)
      case "prompt_file": o.clipPrompts = try PromptFile.read(resolve(text, against: presetBase))
      default: throw BatchPlanError("field '\(key)' is not supported")  // BatchManifest.columns and this switch agree
      }
    }
  }

  public static func resolve(_ path: String, against base: String) -> String {
    if path.hasPrefix("/") { return path }
    if path.hasPrefix("~/") { return HomeFolder.path + String(path.dropFirst(1)) }
    return base == "." ? path : (base as NSString).appendingPathComponent(path)
  }

  /// Two items writing the same file would overwrite each other's work (e.g. cat.png and cat.jpg both → cat.mp4).
  public func checkDistinctOutputs(_ items: [BatchItem]) throws {
    var owner: [String: BatchItem] = [:]
    for item in items {
      for path in [BatchOutputs.trimmed(item.output), BatchOutputs.sidecarPath(for: item.output)] {
        if let first = owner[path] {
          throw BatchPlanError("\(first.origin) and \(item.origin) would both write \(path); rename one of the "
            + "images, or give each row its own 'output' name in a manifest")
        }
        owner[path] = item
      }
    }
  }
}

public struct BatchPlanError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// A value a manifest field can hold, parsed as the matching flag parses it.
protocol ManifestValue { init?(manifestText: String) }
extension Int: ManifestValue { init?(manifestText t: String) { self.init(t.trimmingCharacters(in: .whitespaces)) } }
extension UInt64: ManifestValue { init?(manifestText t: String) { self.init(t.trimmingCharacters(in: .whitespaces)) } }
extension GuidanceSetting: ManifestValue { init?(manifestText t: String) { self.init(text: t) } }
extension Double: ManifestValue { init?(manifestText t: String) { self.init(t.trimmingCharacters(in: .whitespaces)) } }
extension GuidanceSchedule.Shape: ManifestValue {
  init?(manifestText t: String) { self.init(rawValue: t.trimmingCharacters(in: .whitespaces).lowercased()) }
}
extension SchedulerKind: ManifestValue {
  init?(manifestText t: String) { self.init(rawValue: t.trimmingCharacters(in: .whitespaces).lowercased()) }
}
extension TextCleanup: ManifestValue {
  init?(manifestText t: String) { self.init(rawValue: t.trimmingCharacters(in: .whitespaces).lowercased()) }
}
extension PromptSyntax: ManifestValue {
  init?(manifestText t: String) { self.init(rawValue: t.trimmingCharacters(in: .whitespaces).lowercased()) }
}
/// A flag's on/off as a manifest cell: true/false, yes/no, 1/0 (JSON Lines booleans arrive as true/false).
extension Bool: ManifestValue {
  init?(manifestText t: String) {
    switch t.trimmingCharacters(in: .whitespaces).lowercased() {
    case "true", "yes", "1": self = true
    case "false", "no", "0": self = false
    default: return nil
    }
  }
}
