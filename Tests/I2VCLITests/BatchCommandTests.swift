import Foundation
import I2VMedia
import Testing

/// `i2v batch` over a folder or a manifest on the bundled tiny model: prompts, per-row settings, failures.
@Suite struct BatchCommandTests {
  @Test func sidecarPromptsOneOutputPerImage() throws {
    let f = try BatchFolder([("img2.png", "square_48x48.png"), ("img10.png", "wide_55x31.png"),
                             ("img1.png", "landscape_96x72.png")],
                            prompts: ["img1.txt": "a hill\n", "img2.txt": "a cat", "img10.txt": "a boat"])
    let r = try f.run(["--json"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(f.outputs().filter { $0.hasSuffix(".mp4") } == ["img1.mp4", "img10.mp4", "img2.mp4"])
    // Natural order, one line per item.
    #expect(r.stderr.contains("[1/3] img1.png → img1.mp4"), "\(r.stderr)")
    #expect(r.stderr.contains("[2/3] img2.png → img2.mp4") && r.stderr.contains("[3/3] img10.png → img10.mp4"))
    let summary = try f.summary()
    #expect(summary.count("done") == 3 && summary.count("failed") == 0 && summary.count("skipped") == 0)
    #expect(summary["status"] as? String == "done")
    let first = try #require(summary.entry(image: "img1.png"))
    #expect(first["prompt"] as? String == "a hill")
    #expect(first["output"] as? String == "img1.mp4" && first["seed"] as? Int == 1)
    #expect(first["frames"] as? Int == 4 && first["width"] as? Int == 32)
    #expect(first["sidecar"] as? String == "img1.mp4.json", "the summary links each output's provenance sidecar")
    #expect(FileManager.default.fileExists(atPath: f.output.appendingPathComponent("img1.mp4.json").path))
    // --json prints the same summary on stdout.
    let printed = jsonObject(r.stdout)
    #expect(printed.count("done") == 3 && printed.entries.count == 3, "\(r.stdout)")
    let video = try VideoReader.read(path: f.output.appendingPathComponent("img10.mp4").path)
    #expect(video.frames.count == 4 && video.width == 32 && video.height == 32)
  }

  @Test func failingItemsInTheMiddleDoNotStopTheBatch() throws {
    let f = try BatchFolder([("a.png", "square_48x48.png"), ("b.png", nil), ("c.png", "wide_55x31.png"),
                             ("d.png", "landscape_96x72.png")],
                            prompts: ["a.txt": "a cat", "b.txt": "broken", "c.txt": "a boat"])
    let r = try f.run()
    #expect(r.status != 0, "a failed item makes the exit status non-zero")
    #expect(f.outputs().filter { $0.hasSuffix(".mp4") } == ["a.mp4", "c.mp4"])
    let summary = try f.summary()
    #expect(summary.images("done") == ["a.png", "c.png"])
    #expect(summary.images("failed") == ["b.png", "d.png"])
    #expect(summary["status"] as? String == "failed")
    let bad = try #require(summary.entry(image: "b.png"))
    #expect((bad["error"] as? String ?? "").contains("b.png"), "\(bad)")
    let noPrompt = try #require(summary.entry(image: "d.png"))
    #expect((noPrompt["error"] as? String ?? "").contains("d.txt"), "\(noPrompt)")
    #expect(r.stderr.contains("2 done, 0 skipped (already done), 2 failed of 4"), "\(r.stderr)")
    #expect(r.stderr.contains("failed:\n  b.png:"), "\(r.stderr)")
  }

  /// The triage before loading reads each image's header only (the pixels are decoded once, when the item runs): a
  /// PNG cut after its header passes it and fails at its turn, alone; a dry run decodes and reports it up front.
  @Test func triageReadsHeadersAndDryRunDecodes() throws {
    let f = try BatchFolder([("a.png", "square_48x48.png"), ("b.png", "landscape_96x72.png")],
                            prompts: ["a.txt": "a cat", "b.txt": "a hill"])
    let b = f.input.appendingPathComponent("b.png")
    let whole = try Data(contentsOf: b)
    try whole.prefix(whole.count / 2).write(to: b)
    let dry = try f.run(["--dry-run"])
    #expect(dry.status != 0)
    #expect(dry.stderr.contains("1 cannot run"), "\(dry.stderr)")
    let r = try f.run()
    #expect(r.status != 0)
    #expect(r.stderr.contains("2 to generate"), "the header passes the triage: \(r.stderr)")
    #expect(f.outputs().filter { $0.hasSuffix(".mp4") } == ["a.mp4"])
    let summary = try f.summary()
    #expect(summary.images("failed") == ["b.png"])
    #expect((summary.entry(image: "b.png")?["error"] as? String ?? "").contains("b.png"))
  }

  @Test func csvManifestWithPerRowOverrides() throws {
    let f = try BatchFolder([("a.png", "square_48x48.png"), ("b.png", "wide_55x31.png"), ("c.png", "wide_102x58.png")])
    let manifest = f.root.appendingPathComponent("jobs.csv")
    try Data("""
      image,prompt,frames,width,height,seed,output
      in/a.png,"a cat, slowly turning",2,48,40,,
      in/b.png,a boat,,,,77,boat-clip
      in/c.png,"a road ""at night""\",3,,,,road.gif
      """.utf8).write(to: manifest)
    let r = try CLI.run(["batch", "--manifest", manifest.path, "-o", f.output.path, "--model",
                         CLI.fixture("models/tiny-a"), "--preset", "smoke", "--seed", "5"])
    #expect(r.status == 0, "\(r.stderr)")
    let a = try VideoReader.read(path: f.output.appendingPathComponent("a.mp4").path)
    #expect(a.frames.count == 2 && a.width == 48 && a.height == 40)
    let b = try VideoReader.read(path: f.output.appendingPathComponent("boat-clip.mp4").path)
    #expect(b.frames.count == 4 && b.width == 32, "the flags' values where the row is empty")
    let c = try VideoReader.read(path: f.output.appendingPathComponent("road.gif").path)
    #expect(c.frames.count == 3)
    let summary = try f.summary()
    #expect(summary.entry(image: "a.png")?["seed"] as? Int == 5)
    #expect(summary.entry(image: "b.png")?["seed"] as? Int == 77)
    #expect(summary.entry(image: "c.png")?["prompt"] as? String == "a road \"at night\"")
    #expect(summary.entry(image: "a.png")?["origin"] as? String == "jobs.csv line 2")
  }

  @Test func jsonLinesManifestWithABadRow() throws {
    let f = try BatchFolder([("a.png", "square_48x48.png"), ("b.png", "wide_55x31.png"), ("c.png", "wide_102x58.png")],
                            prompts: ["c.txt": "from the prompt file"])
    let manifest = f.input.appendingPathComponent("jobs.jsonl")
    try Data("""
      {"image": "a.png", "prompt": "a cat", "frames": 2, "fps": 4, "steps": 1}
      {"image": "b.png", "prompt": "a boat", "steps": "many"}
      {"image": "c.png", "height": 24, "guidance": 1}
      """.utf8).write(to: manifest)
    let r = try CLI.run(["batch", "--manifest", manifest.path, "-o", f.output.path, "--model",
                         CLI.fixture("models/tiny-a"), "--preset", "smoke", "--format", "webm"])
    #expect(r.status != 0)
    #expect(f.outputs().filter { $0.hasSuffix(".webm") } == ["a.webm", "c.webm"])
    let summary = try f.summary()
    let a = try #require(summary.entry(image: "a.png"))
    #expect(a["frames"] as? Int == 2 && a["fps"] as? Int == 4 && a["steps"] as? Int == 1)
    let b = try #require(summary.entry(image: "b.png"))
    #expect(b["status"] as? String == "failed")
    #expect((b["error"] as? String ?? "").contains("'steps'"), "\(b)")
    #expect(r.stderr.contains("failed: jobs.jsonl line 2:"), "\(r.stderr)")
    let c = try #require(summary.entry(image: "c.png"))
    #expect(c["prompt"] as? String == "from the prompt file" && c["height"] as? Int == 24 && c["guidance"] as? Double == 1)
    let video = try VideoReader.read(path: f.output.appendingPathComponent("a.webm").path)
    #expect(video.frames.count == 2 && video.fps == 4)
  }

  @Test func pngFramesFormatAndDefaultPrompt() throws {
    let f = try BatchFolder([("a.png", "square_48x48.png")])
    let r = try f.run(["--format", "png", "--prompt", "for everyone", "--frames", "2"])
    #expect(r.status == 0, "\(r.stderr)")
    let frames = try FileManager.default.contentsOfDirectory(atPath: f.output.appendingPathComponent("a").path)
    #expect(frames.sorted() == ["frame_0000.png", "frame_0001.png"])
    #expect(try f.summary().entry(image: "a.png")?["prompt"] as? String == "for everyone")
  }

  @Test func wholeBatchErrorsFailBeforeAnyWork() throws {
    let f = try BatchFolder([("cat.png", "square_48x48.png"), ("cat.jpg", "square_48x48.png")])
    let clash = try f.run(["--prompt", "x"])
    #expect(clash.status != 0)
    #expect(clash.stderr.contains("would both write") && clash.stderr.contains("cat.mp4"), "\(clash.stderr)")

    let bad = f.root.appendingPathComponent("bad.csv")
    try Data("image,prompt\ncat.png,\"unclosed\n".utf8).write(to: bad)
    let r = try CLI.run(["batch", "--manifest", bad.path, "-o", f.output.path, "--model", CLI.fixture("models/tiny-a")])
    #expect(r.status != 0)
    #expect(r.stderr.contains("bad.csv line 2: a quoted field is never closed"), "\(r.stderr)")

    let empty = try CLI.tempDir()
    let none = try CLI.run(["batch", empty.path, "-o", f.output.path, "--model", CLI.fixture("models/tiny-a")])
    #expect(none.status != 0 && none.stderr.contains("no images"), "\(none.stderr)")

    let nothing = try CLI.run(["batch", "-o", f.output.path])
    #expect(nothing.status != 0 && nothing.stderr.contains("--manifest"), "\(nothing.stderr)")
    #expect(!FileManager.default.fileExists(atPath: f.output.path), "nothing was written")
  }

  @Test func helpHasExamples() throws {
    let r = try CLI.run(["batch", "--help"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("Examples:") && r.stdout.contains("--shard") && r.stdout.contains("SLURM_ARRAY_TASK_ID"))
    #expect(r.stdout.contains("--steps"), "generate's options are accepted")
  }
}
