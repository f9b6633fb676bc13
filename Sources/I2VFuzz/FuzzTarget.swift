import Foundation
import I2VApp
import I2VCheckpoint
import I2VMedia
import I2VModels
import I2VTensor

/// The parsers i2v runs on files from strangers, each as a function of arbitrary bytes. libFuzzer drives them
/// (`Scripts/fuzz.sh`, the `i2v-fuzz` executable built with `-sanitize=fuzzer`); the test suite replays the
/// committed corpora (`Tests/Fixtures/fuzz/TARGET/`) through the same functions. Errors thrown for bad input are
/// the expected outcome; a crash, a hang, a leak or a sanitizer report is a bug. Invariants that must hold for
/// any input are checked with `precondition`, so that a violation is a crash the fuzzer reports.
public enum FuzzTarget: String, CaseIterable, Sendable {
  /// A `.safetensors` file: header JSON, tensor table, offsets; every tensor's bytes are touched.
  case safetensors
  /// A component's `config.json` through every config parser (UNet, VAE, CLIP text and vision, DDIM schedule).
  case modelConfig = "model-config"
  /// A preset `.json`.
  case preset
  /// A batch manifest, read as CSV, TSV and JSON Lines, each row applied to the settings.
  case manifest
  /// A prompt through the CLIP tokenizer (both text cleanups) and the truncation report.
  case tokenizer
  /// A prompt read with `--prompt-syntax weighted` (A1111's brackets), then laid out in chunks, plain and
  /// weighted, with and without `--long-prompt`, with both text cleanups.
  case prompt
  /// A tokenizer folder's `vocab.json` and `merges.txt` (the input split at its first NUL byte).
  case tokenizerFiles = "tokenizer-files"
  /// An input image through the header probe and the decoders (format sniffed from the content).
  case image

  /// `exhaustive`: every configuration a target has (text cleanups, syntaxes, chunking) for each input, as the
  /// corpus replay needs (a regression input must meet its configuration). libFuzzer runs one per input instead,
  /// chosen by the input's first byte, which it mutates like any other: it reaches every combination, at a
  /// fraction of the cost per execution.
  public func run(_ data: Data, exhaustive: Bool = true) {
    switch self {
    case .safetensors: Self.safetensors(data)
    case .modelConfig: Self.modelConfig(data)
    case .preset: Self.preset(data)
    case .manifest: Self.manifest(data)
    case .tokenizer: Self.tokenizer(data, exhaustive: exhaustive)
    case .prompt: Self.prompt(data, exhaustive: exhaustive)
    case .tokenizerFiles: Self.tokenizerFiles(data)
    case .image: Self.image(data)
    }
  }

  // MARK: - Targets

  static func safetensors(_ data: Data) {
    let path = scratchFile("safetensors", data)
    guard let file = try? SafeTensorsFile(path: path) else { return }
    for entry in file.entries {
      file.withBytes(of: entry) { bytes in
        precondition(bytes.count == entry.byteCount, "entry \(entry.name): view of \(bytes.count) bytes")
        if let first = bytes.first, let last = bytes.last { blackHole(first ^ last) }
      }
    }
  }

  static func modelConfig(_ data: Data) {
    guard let config = try? JSONConfig(data: data, path: "config.json") else { return }
    _ = try? UNetConfig(config)
    _ = try? VAEConfig(config)
    _ = try? CLIPTextConfig(config)
    _ = try? CLIPVisionConfig(config)
    _ = try? DDIMScheduler(config: config)
  }

  static func preset(_ data: Data) {
    _ = try? GenerationPreset(path: scratchFile("json", data))
  }

  static func manifest(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    var rows: [BatchManifest.Row] = []
    if let r = try? BatchManifest.parseCSV(text, path: "jobs.csv") { rows += r }
    if let r = try? BatchManifest.parseCSV(text, path: "jobs.tsv", separator: "\t") { rows += r }
    if let r = try? BatchManifest.parseJSONLines(text, path: "jobs.jsonl") { rows += r }
    for row in rows {
      var settings = GenerationSettings()
      if (try? BatchPlan.apply(row, to: &settings, presetBase: ".")) != nil { _ = try? settings.validate() }
    }
  }

  /// The real model's tokenizer files (Tests/Fixtures/real/configs/tokenizer), found from the working folder.
  static let realTokenizer: CLIPTokenizer = {
    let relative = "Tests/Fixtures/real/configs/tokenizer"
    guard let dir = ProjectFiles.findUpwards(relative, from: FileManager.default.currentDirectoryPath)
      ?? ProjectFiles.findUpwards(relative, from: ProjectFiles.executableDirectory()),
      let tokenizer = try? CLIPTokenizer(directory: URL(fileURLWithPath: dir))
    else { fatalError("the tokenizer target needs \(relative): run it inside the repository") }
    return tokenizer
  }()

  /// The configurations of `options` to run for `data` (see `run`): all, or the one its first byte picks.
  static func chosen<T>(_ options: [T], _ data: Data, exhaustive: Bool) -> [T] {
    exhaustive ? options : [options[Int(data.first ?? 0) % options.count]]
  }

  static func tokenizer(_ data: Data, exhaustive: Bool) {
    defer { realTokenizer.clearCache() }  // a cache growing across inputs reads as a leak to libFuzzer
    let prompt = String(decoding: data, as: UTF8.self)
    let scalars = prompt.unicodeScalars.count
    for cleanup in chosen(TextCleanup.allCases, data, exhaustive: exhaustive) {
      let t = realTokenizer.encode(prompt, cleanup: cleanup)
      precondition(t.ids.count == realTokenizer.maxLength, "ids: \(t.ids.count)")
      for token in t.tokens {
        precondition(token.source.lowerBound >= 0 && token.source.upperBound <= scalars && !token.source.isEmpty,
                     "token source \(token.source) outside the prompt's \(scalars) scalars")
      }
      blackHole(t.droppedText.count + t.droppedWords.count + (t.cutWord?.word.count ?? 0))
    }
  }

  static func prompt(_ data: Data, exhaustive: Bool) {
    defer { realTokenizer.clearCache() }
    let prompt = String(decoding: data, as: UTF8.self)
    let scalars = prompt.unicodeScalars.count
    do {
      let segments = try WeightedPromptParser.parse(prompt)
      for s in segments {
        precondition(s.origins.count == s.text.unicodeScalars.count, "segment origins do not match its text")
        precondition(s.origins.allSatisfy { $0 >= 0 && $0 < scalars }, "segment origin outside the prompt")
        precondition(s.weight.isFinite, "weight \(s.weight)")
      }
    } catch let e as PromptSyntaxError {
      precondition((1...(prompt.count + 1)).contains(e.column), "column \(e.column) of a \(prompt.count)-character prompt")
      blackHole(e.description.count)
    } catch {
      preconditionFailure("the parser threw \(error)")
    }
    let layouts = PromptSyntax.allCases.flatMap { syntax in
      [false, true].flatMap { long in TextCleanup.allCases.map { (syntax, long, $0) } }
    }
    for (syntax, long, cleanup) in chosen(layouts, data, exhaustive: exhaustive) {
      guard let l = try? PromptLayout(prompt, syntax: syntax, longPrompt: long, tokenizer: realTokenizer,
                                      cleanup: cleanup) else {
        precondition(syntax == .weighted, "plain syntax cannot fail")
        continue
      }
      precondition(!l.chunks.isEmpty && (long || l.chunks.count == 1), "\(l.chunks.count) chunks")
      for chunk in l.chunks {
        precondition(chunk.ids.count == realTokenizer.maxLength && chunk.weights.count == chunk.ids.count,
                     "chunk of \(chunk.ids.count) ids")
        precondition(chunk.tokens.count <= realTokenizer.maxContentTokens, "chunk of \(chunk.tokens.count) tokens")
      }
      precondition(l.chunks.map(\.tokens.count).reduce(0, +) + l.droppedTokens.count == l.count, "tokens lost")
      for t in l.tokens {
        precondition(t.source.lowerBound >= 0 && t.source.upperBound <= scalars, "token source \(t.source)")
      }
      blackHole(l.droppedText.count)
    }
  }

  static func tokenizerFiles(_ data: Data) {
    let split = data.firstIndex(of: 0) ?? data.endIndex
    let vocab = data[data.startIndex..<split]
    let merges = split < data.endIndex ? data[data.index(after: split)...] : Data()
    guard let tokenizer = try? CLIPTokenizer(vocabularyJSON: Data(vocab), merges: Data(merges)) else { return }
    blackHole(tokenizer.encode("a photo of a cat, café 東京 🙂").ids.count)
  }

  static func image(_ data: Data) {
    let path = scratchFile("img", data)
    // The header probe (batch triage) must agree with the decode whenever both succeed.
    let header = try? ImageLoader.probe(path: path)
    guard let image = try? ImageLoader.load(path: path) else { return }
    precondition(image.pixels.count == image.width * image.height * 3, "pixel buffer does not match the size")
    if let h = header ?? nil {
      precondition(h.width == image.width && h.height == image.height,
                   "probe says \(h.width)x\(h.height), decode gives \(image.width)x\(image.height)")
    }
  }

  // MARK: - Helpers

  /// One file per process and kind, rewritten for each input (the parsers read paths).
  static func scratchFile(_ kind: String, _ data: Data) -> String {
    let path = NSTemporaryDirectory() + "/i2v-fuzz-\(getpid())-\(kind)"
    FileManager.default.createFile(atPath: path, contents: data)
    return path
  }

  @inline(never) static func blackHole<T>(_ value: T) { _ = value }
}
