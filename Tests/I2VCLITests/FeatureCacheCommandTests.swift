import Foundation
import I2VCheckpoint
import I2VTensor
import Testing

/// `--cache off|deep:N` through the command line: generate, its errors, presets, batch manifests and the sidecar.
@Suite struct FeatureCacheCommandTests {
  /// generate on the tiny model (1 layer per block), 5 steps, 3 frames at 32x32; returns the run and its folder.
  func generate(_ extra: [String]) throws -> (CLI.Result, URL) {
    let dir = try CLI.tempDir()
    let args = [
      "generate", "--model", CLI.fixture("models/tiny-a"), "--image", CLI.fixture("images/landscape_96x72.png"),
      "--prompt", "a boat on a lake", "--steps", "5", "--frames", "3", "--width", "32", "--height", "32",
      "--seed", "3", "--device", "cpu", "--dtype", "float32", "-o", dir.appendingPathComponent("out.mp4").path,
      "--save-tensors", dir.appendingPathComponent("out.safetensors").path,
    ] + extra
    return (try CLI.run(args), dir)
  }

  func sidecar(_ dir: URL) throws -> [String: Any] {
    try ModelCopies.json(file: dir.appendingPathComponent("out.mp4.json").path)
  }

  @Test func deepCacheRunsRecordsAndWarns() throws {
    try Runtime.setThreads(1)
    let (plain, plainDir) = try generate([])
    let (cached, cachedDir) = try generate(["--cache", "deep:2"])
    defer { for d in [plainDir, cachedDir] { try? FileManager.default.removeItem(at: d) } }
    #expect(plain.status == 0 && cached.status == 0, "\(plain.stderr) \(cached.stderr)")
    guard plain.status == 0 && cached.status == 0 else { return }
    #expect(cached.stderr.contains("warning: --cache deep:2 runs the whole UNet at 3 of 5 steps")
      && cached.stderr.contains("judge the quality on real weights"), "\(cached.stderr)")
    #expect(!plain.stderr.contains("--cache"), "\(plain.stderr)")
    let s = try sidecar(cachedDir)
    let p = s["parameters"] as? [String: Any] ?? [:]
    #expect(p["cache"] as? String == "deep:2")
    #expect(p["cache_shallow_pass"] as? String == "down_blocks.0 layer 0, up_blocks.3 layers 0-1")
    let e = s["unet_evaluations"] as? [String: Any] ?? [:]
    #expect(e["full"] as? Int == 3 && e["shallow"] as? Int == 2, "\(e)")
    #expect((s["warnings"] as? [String] ?? []).contains { $0.hasPrefix("--cache deep:2") })
    let q = try sidecar(plainDir)
    #expect((q["parameters"] as? [String: Any])?["cache"] as? String == "off")
    #expect((q["parameters"] as? [String: Any])?["cache_shallow_pass"] == nil)
    #expect((q["unet_evaluations"] as? [String: Any])?["full"] as? Int == 5)
    // The cache changes the frames.
    let a = try SafeTensorsFile(path: plainDir.appendingPathComponent("out.safetensors").path).tensor("frames_float")
    let b = try SafeTensorsFile(path: cachedDir.appendingPathComponent("out.safetensors").path).tensor("frames_float")
    #expect(try a.maxAbsDifference(b) > 0)
  }

  /// `--cache off` is the default path: the same frames, bit for bit.
  @Test func offIsTheDefaultPath() throws {
    try Runtime.setThreads(1)
    let (a, dirA) = try generate([])
    let (b, dirB) = try generate(["--cache", "off"])
    defer { for d in [dirA, dirB] { try? FileManager.default.removeItem(at: d) } }
    #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
    let x = try SafeTensorsFile(path: dirA.appendingPathComponent("out.safetensors").path).tensor("frames_float")
    let y = try SafeTensorsFile(path: dirB.appendingPathComponent("out.safetensors").path).tensor("frames_float")
    #expect(try x.maxAbsDifference(y) == 0)
  }

  @Test(arguments: [("deep:1", "that is off"), ("deep:11", "from 2 to 10"), ("deep:x", "whole number"),
                    ("fast", "use off or deep:N"), ("deep:-2", "from 2 to 10")])
  func badSettingsAreUsageErrors(_ value: String, _ says: String) throws {
    let (r, dir) = try generate(["--cache=\(value)"])
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(r.status == 64, "\(value): \(r.status) \(r.stderr)")
    #expect(r.stderr.contains("--cache") && r.stderr.contains(says), "\(value): \(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.mp4").path))
  }

  @Test func presetSetsTheCache() throws {
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("quick.json")
    try Data(#"{"steps": 4, "guidance": 9, "frames": 2, "fps": 8, "width": 32, "height": 32, "cache": "deep:2"}"#.utf8)
      .write(to: file)
    let show = try CLI.run(["presets", "show", file.path])
    #expect(show.status == 0 && show.stdout.contains("cache     deep:2  (DeepCache: 2 whole-UNet and 2 shallow"),
            "\(show.stdout)")
    let json = try CLI.run(["presets", "show", file.path, "--json"])
    #expect(jsonObject(json.stdout)["cache"] as? String == "deep:2", "\(json.stdout)")
    let out = dir.appendingPathComponent("o.mp4").path
    let run = try CLI.run(["generate", "--model", CLI.fixture("models/tiny-a"), "--image",
                           CLI.fixture("images/square_48x48.png"), "--prompt", "a cat", "--preset", file.path, "-o", out])
    #expect(run.status == 0, "\(run.stderr)")
    let p = try ModelCopies.json(file: out + ".json")["parameters"] as? [String: Any]
    #expect(p?["cache"] as? String == "deep:2")
    // A flag overrides the preset.
    let out2 = dir.appendingPathComponent("p.mp4").path
    let off = try CLI.run(["generate", "--model", CLI.fixture("models/tiny-a"), "--image",
                           CLI.fixture("images/square_48x48.png"), "--prompt", "a cat", "--preset", file.path,
                           "--cache", "off", "-o", out2])
    #expect(off.status == 0, "\(off.stderr)")
    #expect((try ModelCopies.json(file: out2 + ".json")["parameters"] as? [String: Any])?["cache"] as? String == "off")
  }

  @Test func presetWithABadCacheNamesTheField() throws {
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    for (value, says) in [(#""deep:12""#, "from 2 to 10"), ("3", "must be a string")] {
      let file = dir.appendingPathComponent("bad.json")
      try Data(#"{"steps": 2, "guidance": 9, "frames": 2, "fps": 8, "width": 32, "height": 32, "cache": \#(value)}"#.utf8)
        .write(to: file)
      let r = try CLI.run(["presets", "show", file.path])
      #expect(r.status != 0 && r.stderr.contains("field 'cache'") && r.stderr.contains(says), "\(r.stderr)")
    }
  }

  /// A manifest row sets its own cache; a bad value fails that row alone, with the reason.
  @Test func manifestColumn() throws {
    let f = try BatchFolder([("a.png", "square_48x48.png"), ("b.png", "wide_55x31.png"), ("c.png", "wide_102x58.png")])
    let manifest = f.root.appendingPathComponent("jobs.csv")
    try Data("""
      image,prompt,steps,cache
      in/a.png,a cat,4,deep:2
      in/b.png,a boat,4,deep:0
      in/c.png,a road,4,
      """.utf8).write(to: manifest)
    let r = try CLI.run(["batch", "--manifest", manifest.path, "-o", f.output.path, "--model",
                         CLI.fixture("models/tiny-a"), "--preset", "smoke", "--seed", "5"])
    #expect(r.status == 1, "one row fails: \(r.stderr)")
    let summary = try f.summary()
    let b = try #require(summary.entry(image: "b.png"))
    #expect(b["status"] as? String == "failed")
    #expect((b["error"] as? String ?? "").contains("field 'cache' ('deep:0'): N must be from 2 to 10"), "\(b)")
    let a = try ModelCopies.json(file: f.output.appendingPathComponent("a.mp4.json").path)
    #expect((a["parameters"] as? [String: Any])?["cache"] as? String == "deep:2")
    #expect((a["unet_evaluations"] as? [String: Any])?["shallow"] as? Int == 2)
    let c = try ModelCopies.json(file: f.output.appendingPathComponent("c.mp4.json").path)
    #expect((c["parameters"] as? [String: Any])?["cache"] as? String == "off", "an empty field is the flags' value")
  }
}
