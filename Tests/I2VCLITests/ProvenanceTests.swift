import Foundation
import I2VCheckpoint
import Testing

/// The provenance sidecar of every output, `--guidance auto`, safe-range warnings and `generate --json`.
@Suite struct ProvenanceTests {
  let dir: URL

  init() throws { dir = try CLI.tempDir() }

  func generate(_ extra: [String], prompt: String = "a cat") throws -> CLI.Result {
    try CLI.run(["generate", "--model", CLI.fixture("models/tiny-a"), "--image", CLI.fixture("images/square_48x48.png"),
                 "--prompt", prompt, "--preset", "smoke"] + extra,
                environment: ["XDG_CACHE_HOME": dir.appendingPathComponent("cache").path])
  }

  func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

  /// What the input's decoding noted (here: an animation, of which the first frame is used, as diffusers does)
  /// is printed and kept in the sidecar, with the decoders' versions.
  @Test func inputImageNotesReachTheSidecar() throws {
    let gif = CLI.root.appendingPathComponent("Tests/Fixtures/corpus/gif_animated.gif").path
    let r = try CLI.run(["generate", "--model", CLI.fixture("models/tiny-a"), "--image", gif, "--prompt", "a cat",
                         "--preset", "smoke", "--seed", "1", "-o", path("anim.gif")],
                        environment: ["XDG_CACHE_HOME": dir.appendingPathComponent("cache").path])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("holds 3 frames; the first is used"), "\(r.stderr)")
    let s = try ModelCopies.json(file: path("anim.gif.json"))
    #expect((s["warnings"] as? [String])?.contains { $0.contains("gif_animated.gif") && $0.contains("holds 3 frames") }
      == true, "\(s["warnings"] ?? "none")")
    let media = (s["runtime"] as? [String: Any])?["media"] as? [String: String] ?? [:]
    #expect(media["libjpeg-turbo"] != nil && media["libtiff"] != nil && media["giflib"] != nil, "\(media)")
  }

  @Test func sidecarRecordsParametersHashesVersionsAndTimings() throws {
    let r = try generate(["--guidance", "auto", "--seed", "42", "-o", path("out.mp4"), "--frames-dir", path("frames"), "--json"],
                         prompt: "a dog running and jumping")
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("guidance auto: 11.5") && r.stderr.contains("'running', 'jumping'"), "\(r.stderr)")

    // --json: one object on stdout, pointing at the sidecar.
    let result = try ModelCopies.json(Data(r.stdout.utf8))
    #expect(result["status"] as? String == "done" && result["sidecar"] as? String == path("out.mp4.json"))
    let outputHash = try FileHashCache.hashFile(path("out.mp4"))
    #expect(result["output_sha256"] as? String == outputHash)

    let s = try ModelCopies.json(file: path("out.mp4.json"))
    let p = s["parameters"] as? [String: Any] ?? [:]
    #expect(p["steps"] as? Int == 2 && p["frames"] as? Int == 4 && p["width"] as? Int == 32 && p["height"] as? Int == 32)
    #expect(p["guidance"] as? Double == 11.5 && p["guidance_source"] as? String == "auto")
    #expect((p["guidance_reason"] as? String)?.contains("combined actions") == true)
    #expect(p["seed"] as? Int == 42 && p["seed_source"] as? String == "given" && p["preset"] as? String == "smoke")
    #expect(p["prompt"] as? String == "a dog running and jumping" && p["fps"] as? Int == 8)
    #expect(p["image_sha256"] as? String == (try FileHashCache.hashFile(CLI.fixture("images/square_48x48.png"))))

    let output = s["output"] as? [String: Any] ?? [:]
    #expect(output["sha256"] as? String == outputHash && output["format"] as? String == "mp4")

    // Every file of the model that was read, with its real hash.
    let model = s["model"] as? [String: Any] ?? [:]
    #expect(model["path"] as? String == CLI.fixture("models/tiny-a") && model["lock_status"] as? String == "none")
    let components = model["components"] as? [String: [String: Any]] ?? [:]
    for name in ["text_encoder", "image_encoder", "vae", "unet", "tokenizer", "scheduler", "feature_extractor"] {
      let files = components[name]?["files"] as? [String: [String: Any]] ?? [:]
      #expect(!files.isEmpty, "\(name) has no hashes")
      for (file, record) in files {
        let actual = try FileHashCache.hashFile(CLI.fixture("models/tiny-a/\(name)/\(file)"))
        #expect(record["sha256"] as? String == actual, "\(name)/\(file)")
      }
    }
    let unetFiles = components["unet"]?["files"] as? [String: Any] ?? [:]
    #expect(Set(unetFiles.keys) == ["config.json", "diffusion_pytorch_model.fp16.safetensors"])
    #expect(components["unet"]?["variant"] as? String == "fp16")

    let runtime = s["runtime"] as? [String: Any] ?? [:]
    let version = try CLI.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(runtime["i2v"] as? String == version && runtime["device"] as? String == "cpu")
    #expect(runtime["dtype"] as? String == "float32" && !((runtime["libtorch"] as? String) ?? "").isEmpty)
    let timings = s["timings_seconds"] as? [String: Double] ?? [:]
    #expect(Set(timings.keys) == ["load", "encode", "denoise", "decode", "write", "total"], "\(timings)")
    #expect((s["warnings"] as? [String])?.contains { $0.contains("fine for a preview") } == true)

    // The frames folder gets its own sidecar beside it, hashing every frame.
    let frames = try ModelCopies.json(file: path("frames.json"))
    let framesOutput = frames["output"] as? [String: Any] ?? [:]
    let frameFiles = framesOutput["files"] as? [String: [String: Any]] ?? [:]
    #expect(framesOutput["format"] as? String == "png_frames" && frameFiles.count == 4)
    for (name, record) in frameFiles {
      #expect(record["sha256"] as? String == (try FileHashCache.hashFile(path("frames/\(name)"))))
    }
    // Nothing else (no temporary files) in the output folder.
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "cache" }.sorted()
    #expect(left == ["frames", "frames.json", "out.mp4", "out.mp4.json"], "\(left)")
  }

  /// The text cleanup changes the tokens of this prompt, so the video; the sidecar says which one ran.
  @Test func textCleanupIsAppliedAndRecorded() throws {
    let prompt = "東京の夜 ＣＡＴ cafÃ©"
    let ftfy = try generate(["--seed", "7", "-o", path("ftfy.mp4")], prompt: prompt)
    let basic = try generate(["--seed", "7", "--text-cleanup", "basic", "-o", path("basic.mp4")], prompt: prompt)
    #expect(ftfy.status == 0 && basic.status == 0, "\(ftfy.stderr) \(basic.stderr)")
    let cleanups = try ["ftfy.mp4.json", "basic.mp4.json"].map {
      (try ModelCopies.json(file: path($0))["parameters"] as? [String: Any])?["text_cleanup"] as? String
    }
    #expect(cleanups == ["ftfy", "basic"])
    #expect(try FileHashCache.hashFile(path("ftfy.mp4")) != FileHashCache.hashFile(path("basic.mp4")))
    let bad = try generate(["--text-cleanup", "nfkc", "-o", path("bad.mp4")])
    #expect(bad.status == 64 && bad.stderr.contains("ftfy") && bad.stderr.contains("basic"), "\(bad.stderr)")
  }

  /// A guidance schedule from the flags or from a preset: every step's scale in the sidecar.
  @Test func guidanceScheduleIsRecorded() throws {
    let flags = try generate(["--guidance", "11", "--guidance-schedule", "linear", "--guidance-end", "7", "--seed", "3",
                              "-o", path("linear.mp4")])
    #expect(flags.status == 0, "\(flags.stderr)")
    let p = try ModelCopies.json(file: path("linear.mp4.json"))["parameters"] as? [String: Any] ?? [:]
    #expect(p["guidance_schedule"] as? String == "linear" && p["guidance_end"] as? Double == 7)
    #expect(p["guidance_scales"] as? [Double] == [11, 7] && p["guidance"] as? Double == 11)

    let preset = path("cosine.json")
    try Data("""
      {"steps": 3, "guidance": 9, "frames": 2, "fps": 8, "width": 32, "height": 32,
       "guidance_schedule": "cosine", "guidance_end": 5}
      """.utf8).write(to: URL(fileURLWithPath: preset))
    let fromPreset = try generate(["--preset", preset, "--seed", "3", "-o", path("cosine.mp4")])
    #expect(fromPreset.status == 0, "\(fromPreset.stderr)")
    let q = try ModelCopies.json(file: path("cosine.mp4.json"))["parameters"] as? [String: Any] ?? [:]
    #expect(q["guidance_schedule"] as? String == "cosine" && q["guidance_scales"] as? [Double] == [9, 7, 5])

    let lone = try generate(["--guidance-end", "7", "-o", path("lone.mp4")])
    #expect(lone.status == 64 && lone.stderr.contains("--guidance-schedule"), "\(lone.stderr)")
    let missing = try generate(["--guidance-schedule", "cosine", "-o", path("missing.mp4")])
    #expect(missing.status == 64 && missing.stderr.contains("--guidance-end"), "\(missing.stderr)")
    #expect(!FileManager.default.fileExists(atPath: path("lone.mp4")))
  }

  @Test func weightsAreHashedOnceAndWarningsPrinted() throws {
    let first = try generate(["--guidance", "20", "-o", path("a.gif")])
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stderr.contains("hashing"), "the first run hashes the model: \(first.stderr)")
    #expect(first.stderr.contains("warning: guidance 20.0 is above 15"))
    #expect(first.stderr.contains("warning: 2 steps is fine for a preview, not for a final render"))
    #expect(first.stderr.contains("warning: 32x32 is not a multiple of 64"))
    let sidecar = try ModelCopies.json(file: path("a.gif.json"))
    #expect((sidecar["output"] as? [String: Any])?["format"] as? String == "gif")
    #expect((sidecar["parameters"] as? [String: Any])?["guidance_source"] as? String == "flag")

    let second = try generate(["-o", path("b.webm"), "--quiet"])
    #expect(second.status == 0 && second.stderr.isEmpty, "--quiet hides warnings: \(second.stderr)")
    let again = try generate(["-o", path("c.mp4")])
    #expect(again.status == 0 && !again.stderr.contains("hashing"), "cached hashes are reused: \(again.stderr)")
    let a = try ModelCopies.json(file: path("a.gif.json"))["model"] as? [String: Any]
    let c = try ModelCopies.json(file: path("c.mp4.json"))["model"] as? [String: Any]
    #expect((a?["components"] as? NSDictionary) == (c?["components"] as? NSDictionary))
  }

  @Test func badGuidanceAndJSONFailures() throws {
    let bad = try generate(["--guidance", "strong", "-o", path("x.mp4")])
    #expect(bad.status != 0 && bad.stderr.contains("--guidance"), "\(bad.stderr)")
    let missing = try generate(["--image", "/nonexistent/cat.png", "-o", path("x.mp4"), "--json"])
    #expect(missing.status != 0)
    let o = try ModelCopies.json(Data(missing.stdout.utf8))
    #expect(o["status"] as? String == "failed" && (o["error"] as? String)?.contains("/nonexistent/cat.png") == true)
  }
}
