import Foundation
import I2VMedia
import I2VSupport
import Testing

/// Bad input fails before any weight is loaded, with a message that says what and how to fix it.
@Suite struct GenerateCommandTests {
  func generate(_ extra: [String], output: String? = nil) throws -> CLI.Result {
    let dir = try CLI.tempDir()
    var args = ["generate", "--model", CLI.fixture("models/tiny-a"), "--image", CLI.fixture("images/square_48x48.png"),
                "--prompt", "a cat", "--preset", "smoke", "-o", output ?? dir.appendingPathComponent("o.mp4").path]
    args += extra
    return try CLI.run(args)
  }

  @Test func missingImage() throws {
    let r = try generate(["--image", "/nonexistent/cat.png"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("/nonexistent/cat.png"), "\(r.stderr)")
  }

  /// The size multiple comes from the model's VAE (2 for the tiny fixture, 8 for I2VGen-XL), checked before loading.
  @Test func sizeNotAMultipleOfTheVAEScale() throws {
    let r = try generate(["--width", "101"])
    #expect(r.status == 64, "a setting that cannot work exits like a flag the parser refuses (\(r.status))")
    #expect(try generate(["--steps", "0"]).status == 64)
    #expect(r.stderr.contains("must each be a multiple of 2 for this model"), "\(r.stderr)")
    #expect(r.stderr.contains("e.g. 100x"), "\(r.stderr)")
    #expect(!r.stderr.contains("loading"), "\(r.stderr)")
  }

  @Test func unknownPresetListsTheKnownOnes() throws {
    let r = try generate(["--preset", "turbo"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("unknown preset 'turbo'") && r.stderr.contains("standard"), "\(r.stderr)")
  }

  @Test func badModelFolder() throws {
    let r = try generate(["--model", "/nonexistent/model"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("/nonexistent/model"), "\(r.stderr)")
  }

  @Test func refusesToOverwrite() throws {
    let dir = try CLI.tempDir()
    let out = dir.appendingPathComponent("exists.mp4").path
    try Data("keep me".utf8).write(to: URL(fileURLWithPath: out))
    let r = try generate([], output: out)
    #expect(r.status != 0)
    #expect(r.stderr.contains("--overwrite"), "\(r.stderr)")
    #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep me")
  }

  @Test func invalidNumbers() throws {
    for (flag, value) in [("--steps", "0"), ("--frames", "0"), ("--guidance", "-1"), ("--device", "tpu")] {
      let r = try generate([flag, value])
      #expect(r.status != 0, "\(flag) \(value) accepted")
      #expect(r.stderr.contains(flag), "\(flag): \(r.stderr)")
    }
  }

  /// Only floating dtypes can run a model; float16 on a CPU libtorch without its kernels is refused before
  /// loading, naming what would work.
  @Test func dtypesThatCannotWork() throws {
    for bad in ["int64", "bool", "uint8"] {
      let r = try generate(["--dtype", bad])
      #expect(r.status != 0 && r.stderr.contains("--dtype must be auto, float32, float16 or bfloat16"), "\(bad): \(r.stderr)")
    }
    let info = try CLI.run(["info"])
    if info.stdout.contains("libtorch     1.") {
      let r = try generate(["--dtype", "float16", "--device", "cpu"])
      #expect(r.status != 0 && r.stderr.contains("--dtype bfloat16 or float32"), "\(r.stderr)")
      #expect(!r.stderr.contains("loading"), "refused before loading: \(r.stderr)")
    }
  }

  /// A killed generate's hidden temporaries are removed by the next generate of the same output (their process
  /// on this machine is gone); another machine's are left to it.
  @Test func staleTemporariesOfAKilledRunAreRemoved() throws {
    let dir = try CLI.tempDir()
    let out = dir.appendingPathComponent("clip.mp4").path
    let stale = dir.appendingPathComponent(".clip.mp4.i2v-tmp-\(TemporaryName.host)-999999-7").path
    let remote = dir.appendingPathComponent(".clip.mp4.i2v-tmp-othermachine-999999-8").path
    for path in [stale, remote] { try Data("partial".utf8).write(to: URL(fileURLWithPath: path)) }
    let r = try generate(["--seed", "1"], output: out)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: stale))
    #expect(FileManager.default.fileExists(atPath: remote))
    #expect(FileManager.default.fileExists(atPath: out))
  }

  /// A cache "folder" that is a file disables the hash cache, and says so, instead of claiming a cache path.
  @Test func cacheHomeThatIsAFile() throws {
    let dir = try CLI.tempDir()
    let file = dir.appendingPathComponent("not-a-folder").path
    try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    let out = dir.appendingPathComponent("o.mp4").path
    let r = try CLI.run(["generate", "--model", CLI.fixture("models/tiny-a"), "--image",
                         CLI.fixture("images/square_48x48.png"), "--prompt", "a cat", "--preset", "smoke", "-o", out,
                         "--progress"], environment: ["XDG_CACHE_HOME": file])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("no usable cache folder"), "\(r.stderr)")
    #expect(!r.stderr.contains("cached in \(file)"), "\(r.stderr)")
  }

  /// Negative numbers reach the range checks (instead of "Missing value" from the argument parser).
  @Test func negativeNumbersGetTheRangeMessage() throws {
    let r = try generate(["--steps", "-1"])
    #expect(r.status != 0 && r.stderr.contains("--steps must be at least 1 (got -1)"), "\(r.stderr)")
    let g = try generate(["--guidance", "-3"])
    #expect(g.status != 0 && g.stderr.contains("--guidance must be between 0 and 100"), "\(g.stderr)")
  }

  /// Destinations that cannot work fail before loading: the input itself, the video and frames in one place, a
  /// folder where no file can be created (permission bits mean nothing to root or to /proc).
  @Test func destinationsThatCannotWork() throws {
    let dir = try CLI.tempDir()
    let input = dir.appendingPathComponent("in.gif").path  // GIF is both an input and an output format
    try FileManager.default.copyItem(atPath: CLI.fixture("media/gif_palette.gif"), toPath: input)
    let before = try Data(contentsOf: URL(fileURLWithPath: input))
    let same = try generate(["--image", input, "--overwrite"], output: input)
    #expect(same.status != 0 && same.stderr.contains("is the input image itself"), "\(same.stderr)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
    let frames = dir.appendingPathComponent("frames").path
    let twice = try generate(["--frames-dir", frames], output: frames + "/")
    #expect(twice.status != 0 && twice.stderr.contains("--frames-dir and -o are the same path"), "\(twice.stderr)")
    let proc = try generate([], output: "/proc/i2v-test.mp4")
    #expect(proc.status != 0 && proc.stderr.contains("cannot create files in the folder '/proc'"), "\(proc.stderr)")
    #expect(!proc.stderr.contains("loading"))
  }

  /// The prompt and seed go into the video's metadata unless --no-metadata; the seed and the result line are
  /// printed even without a terminal (logs keep them).
  @Test func metadataAndPrintedSeed() throws {
    let dir = try CLI.tempDir()
    let with = dir.appendingPathComponent("with.mp4").path, without = dir.appendingPathComponent("without.mp4").path
    let a = try generate(["--seed", "11", "--prompt", "a secret garden"], output: with)
    #expect(a.status == 0, "\(a.stderr)")
    #expect(a.stderr.contains("seed 11") && a.stderr.contains("wrote \(with)"), "\(a.stderr)")
    let tags = try VideoReader.read(path: with).metadata.values.joined(separator: " ")
    #expect(tags.contains("a secret garden"), "\(tags)")
    let b = try generate(["--seed", "11", "--prompt", "a secret garden", "--no-metadata"], output: without)
    #expect(b.status == 0, "\(b.stderr)")
    let none = try VideoReader.read(path: without).metadata.values.joined(separator: " ")
    #expect(!none.contains("a secret garden") && !none.contains("11"), "\(none)")
  }

  @Test func smokePresetOnTheBundledModel() throws {
    let dir = try CLI.tempDir()
    let out = dir.appendingPathComponent("smoke.mp4").path
    let r = try CLI.run(["generate", "--image", CLI.fixture("images/square_48x48.png"), "--prompt", "a cat",
                         "--preset", "smoke", "--seed", "7", "-o", out], environment: ["I2V_MODEL": ""])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("bundled smoke-test model"))
    let size = (try FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
    #expect(size > 0)
  }

  @Test func helpHasExamplesAndPresets() throws {
    let r = try CLI.run(["generate", "--help"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("Examples:") && r.stdout.contains("high_motion"))
  }

  /// The presets' values in the help come from the preset files: each file's steps, guidance, frames, fps and
  /// size appear on its line.
  @Test func helpPresetsMatchThePresetFiles() throws {
    let help = try CLI.run(["generate", "--help"]).stdout
    let folder = CLI.fixture("../../Presets")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
    #expect(files.count >= 5)
    for file in files {
      let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/" + file)))
        as? [String: Any] ?? [:]
      let name = (file as NSString).deletingPathExtension
      let line = help.split(separator: "\n").first { $0.hasPrefix("  \(name) ") }.map(String.init) ?? ""
      let expected = "\(json["steps"]!) steps, guidance \(json["guidance"] as! Double), \(json["frames"]!) frames at "
        + "\(json["fps"]!) fps, \(json["width"]!)x\(json["height"]!)"
      #expect(line.hasSuffix(expected), "\(name): '\(line)' vs '\(expected)'")
    }
  }
}
