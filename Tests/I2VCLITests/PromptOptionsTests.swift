import Foundation
import I2VCheckpoint
import I2VTensor
import Testing

/// `--long-prompt` and `--prompt-syntax weighted` through the real executable on the tiny fixture models:
/// against diffusers' frames for embeddings computed the A1111 way (Scripts/make_prompt_fixtures.py), the
/// default path unchanged bit for bit, malformed syntax refused before any weights load, the sidecar.
@Suite struct PromptOptionsTests {
  static let cases: [String] = ["tiny-a", "tiny-b"].flatMap { config in
    ((try? FileManager.default.contentsOfDirectory(atPath: CLI.fixture("reference-prompts/\(config)"))) ?? [])
      .filter { $0.hasSuffix(".json") }.sorted().map { "\(config)/\($0.dropLast(5))" }
  }

  struct Run {
    let result: CLI.Result
    let frames: SafeTensorsFile?
    let sidecar: [String: Any]
  }

  /// `generate` with a reference case's settings (`meta`), plus `extra`; frames saved as tensors.
  func generate(_ meta: JSONConfig, _ extra: [String], in dir: URL, name: String = "out") throws -> Run {
    let config = try meta.string("config")
    let out = dir.appendingPathComponent("\(name).mp4").path
    var args = [
      "generate", "--model", CLI.fixture("models/\(config)"), "--image", CLI.fixture("images/" + (try meta.string("image"))),
      "--prompt", try meta.string("prompt"), "--steps", String(try meta.int("num_inference_steps")),
      "--guidance", String(try meta.double("guidance_scale")), "--frames", String(try meta.int("num_frames")),
      "--fps", String(try meta.int("target_fps")), "--width", String(try meta.int("width")),
      "--height", String(try meta.int("height")), "--seed", String(try meta.int("seed")), "--device", "cpu",
      "--dtype", "float32", "-o", out, "--save-tensors", dir.appendingPathComponent("\(name).safetensors").path,
    ]
    if meta.has("negative_prompt") { args += ["--negative-prompt", try meta.string("negative_prompt")] }
    let r = try CLI.run(args + extra)
    guard r.status == 0 else { return Run(result: r, frames: nil, sidecar: [:]) }
    let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json")))
    return Run(result: r, frames: try SafeTensorsFile(path: dir.appendingPathComponent("\(name).safetensors").path),
               sidecar: sidecar as? [String: Any] ?? [:])
  }

  func meta(_ name: String) throws -> JSONConfig { try JSONConfig(path: CLI.fixture("\(name).json")) }

  @Test func everyReferenceIsCovered() { #expect(Self.cases.count >= 5) }

  @Test(arguments: cases)
  func framesMatchDiffusers(_ name: String) throws {
    try Runtime.setThreads(1)
    let m = try meta("reference-prompts/\(name)")
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let syntax = try m.string("prompt_syntax")
    let long = try m.bool("long_prompt", default: false)
    let run = try generate(m, ["--prompt-syntax", syntax] + (long ? ["--long-prompt"] : []), in: dir)
    #expect(run.result.status == 0, "\(name): \(run.result.stderr)")
    guard let ours = run.frames else { return }
    let reference = try SafeTensorsFile(path: CLI.fixture("reference-prompts/\(name).safetensors"))
    let floatError = try ours.tensor("frames_float").maxAbsDifference(reference.tensor("frames_float"))
    let byteError = try ours.tensor("frames_uint8").maxAbsDifference(reference.tensor("frames_uint8"))
    #expect(floatError <= 1e-3, "\(name): float frames differ by \(floatError)")
    #expect(byteError <= 1, "\(name): uint8 frames differ by \(byteError)")
    print("prompt options \(name): frames max abs error \(floatError) (uint8 \(byteError))")
    // The sidecar says how the prompt was read.
    let p = run.sidecar["parameters"] as? [String: Any] ?? [:]
    #expect(p["prompt_syntax"] as? String == syntax)
    #expect(p["long_prompt"] as? Bool == long)
    #expect(p["prompt_chunks"] as? Int == (try m.int("chunks")))
    let parsed = p["parsed_prompt"] as? [[String: Any]]
    #expect((parsed != nil) == (syntax == "weighted"))
    if let parsed { #expect(parsed.contains { ($0["weight"] as? Double ?? 1) != 1 }) }
  }

  /// The prompt past 75 tokens reaches the model only with --long-prompt: the video changes, and the run
  /// without it names the flag in its note about the dropped words.
  @Test func longPromptChangesTheVideo() throws {
    try Runtime.setThreads(1)
    let m = try meta("reference-prompts/tiny-a/a_long_plain")
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let cut = try generate(m, ["--progress"], in: dir, name: "cut")  // notes show with progress output
    let long = try generate(m, ["--long-prompt", "--progress"], in: dir, name: "long")
    #expect(cut.result.status == 0 && long.result.status == 0, "\(cut.result.stderr)\n\(long.result.stderr)")
    #expect(cut.result.stderr.contains("Dropped: \"crimson cloak") && cut.result.stderr.contains("--long-prompt reads all of it"),
            "\(cut.result.stderr)")
    #expect(long.result.stderr.contains("long prompt: prompt 116 tokens in 2 chunks, negative prompt 4 tokens in 1 chunk (+1 empty chunk to match)"), "\(long.result.stderr)")
    #expect(!long.result.stderr.contains("Dropped"))
    let a = try #require(cut.frames), b = try #require(long.frames)
    let difference = try a.tensor("frames_float").maxAbsDifference(b.tensor("frames_float"))
    #expect(difference > 0.02, "the long prompt's frames differ from the truncated ones by only \(difference)")
    print("--long-prompt vs truncated: frames differ by up to \(difference)")
    #expect((cut.sidecar["parameters"] as? [String: Any])?["prompt_chunks"] as? Int == 1)
  }

  /// A prompt that fits in one chunk and has no weights gives today's frames, bit for bit, whatever the options.
  @Test func shortUnweightedPromptIsUnchanged() throws {
    try Runtime.setThreads(1)
    let m = try meta("reference/tiny-a/a_default")
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let plain = try generate(m, [], in: dir, name: "plain")
    let base = try #require(plain.frames).tensor("frames_float")
    for (n, extra) in [["--long-prompt"], ["--prompt-syntax", "weighted"], ["--prompt-syntax", "weighted", "--long-prompt"]]
      .enumerated()
    {
      let run = try generate(m, extra, in: dir, name: "run\(n)")
      #expect(run.result.status == 0, "\(extra): \(run.result.stderr)")
      let frames = try #require(run.frames).tensor("frames_float")
      #expect(try frames.maxAbsDifference(base) == 0, "\(extra) changed the frames")
    }
  }

  /// Malformed weighted syntax is a setting error (exit 64) naming the prompt and the column, found before any
  /// weights load.
  @Test func malformedSyntaxFailsBeforeLoading() throws {
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let base = ["generate", "--model", CLI.fixture("models/tiny-a"), "--image", CLI.fixture("images/square_48x48.png"),
                "--preset", "smoke", "--device", "cpu", "-o", dir.appendingPathComponent("x.mp4").path,
                "--prompt-syntax", "weighted"]
    let open = try CLI.run(base + ["--prompt", "a cat (turning its head"])
    #expect(open.status == 64, "\(open.stderr)")
    #expect(open.stderr.contains("error: prompt, column 7: '(' is never closed"), "\(open.stderr)")
    #expect(open.stderr.contains("  a cat (turning its head\n        ^"), "\(open.stderr)")
    #expect(!open.stderr.contains("loading"), "weights were loaded: \(open.stderr)")
    let number = try CLI.run(base + ["--prompt", "a cat", "--negative-prompt", "(blurry:1.2.3)"])
    #expect(number.status == 64)
    #expect(number.stderr.contains("negative prompt, column 9: '1.2.3' is not a number"), "\(number.stderr)")
    // The same text is fine as plain (brackets are characters), and a wrong syntax name is a usage error.
    let bad = try CLI.run(base.dropLast() + ["fancy", "--prompt", "x"])
    #expect(bad.status == 64 && bad.stderr.contains("fancy"), "\(bad.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.mp4").path))
  }

  /// Presets and manifests set both options; flags override the preset.
  @Test func presetsAndManifestsSetTheOptions() throws {
    let folder = try BatchFolder([("a.png", "square_48x48.png"), ("b.png", "square_48x48.png")])
    defer { try? FileManager.default.removeItem(at: folder.root) }
    let long = try meta("reference-prompts/tiny-a/a_long_plain").string("prompt")
    let preset = folder.root.appendingPathComponent("long.json")
    try Data(#"{"steps": 1, "guidance": 9, "frames": 2, "fps": 8, "width": 32, "height": 32, "long_prompt": true, "prompt_syntax": "weighted"}"#.utf8)
      .write(to: preset)
    let manifest = folder.root.appendingPathComponent("jobs.jsonl")
    let rows = [
      ["image": "a.png", "prompt": long, "output": "a"],
      ["image": "b.png", "prompt": "a (cat", "output": "b"],
    ]
    try Data(rows.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
      .joined(separator: "\n").utf8).write(to: manifest)
    let r = try CLI.run(["batch", folder.input.path, "-o", folder.output.path, "--manifest", manifest.path, "--model",
                         CLI.fixture("models/tiny-a"), "--preset", preset.path, "--seed", "1", "--device", "cpu"])
    #expect(r.status == 1, "\(r.stderr)")  // b failed
    let summary = try folder.summary()
    let items = summary["items"] as? [[String: Any]] ?? []
    #expect(items.first { ($0["image"] as? String)?.hasSuffix("/a.png") == true }?["status"] as? String == "done")
    let failed = items.first { ($0["image"] as? String)?.hasSuffix("/b.png") == true }
    #expect((failed?["error"] as? String)?.contains("prompt, column 3: '(' is never closed") == true, "\(items)")
    let sidecar = try JSONSerialization.jsonObject(
      with: Data(contentsOf: folder.output.appendingPathComponent("a.mp4.json"))) as? [String: Any]
    let p = sidecar?["parameters"] as? [String: Any] ?? [:]
    #expect(p["long_prompt"] as? Bool == true && p["prompt_syntax"] as? String == "weighted")
    #expect(p["prompt_chunks"] as? Int == 2)
    // A row's field and a flag override the preset.
    try Data(#"{"image": "a.png", "prompt": "a (cat", "prompt_syntax": "plain", "long_prompt": false, "output": "c"}"#.utf8)
      .write(to: manifest)
    let plain = try CLI.run(["batch", folder.input.path, "-o", folder.output.path, "--manifest", manifest.path, "--model",
                             CLI.fixture("models/tiny-a"), "--preset", preset.path, "--seed", "1", "--device", "cpu"])
    #expect(plain.status == 0, "\(plain.stderr)")
    let c = try JSONSerialization.jsonObject(
      with: Data(contentsOf: folder.output.appendingPathComponent("c.mp4.json"))) as? [String: Any]
    let cp = c?["parameters"] as? [String: Any] ?? [:]
    #expect(cp["prompt_syntax"] as? String == "plain" && cp["long_prompt"] as? Bool == false && cp["parsed_prompt"] == nil)
    let flags = try CLI.run(["generate", "--image", folder.input.appendingPathComponent("a.png").path, "--prompt", "a (cat",
                             "--model", CLI.fixture("models/tiny-a"), "--preset", preset.path, "--device", "cpu",
                             "--no-long-prompt", "--prompt-syntax", "plain", "-o", folder.output.appendingPathComponent("d.mp4").path])
    #expect(flags.status == 0, "\(flags.stderr)")
    let d = try JSONSerialization.jsonObject(
      with: Data(contentsOf: folder.output.appendingPathComponent("d.mp4.json"))) as? [String: Any]
    let dp = d?["parameters"] as? [String: Any] ?? [:]
    #expect(dp["prompt_syntax"] as? String == "plain" && dp["long_prompt"] as? Bool == false)
  }
}
