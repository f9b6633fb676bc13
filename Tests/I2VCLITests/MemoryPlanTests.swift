import Foundation
import Testing

/// The memory pre-flight: `--dry-run` prints the estimate without loading or writing; a job that cannot fit is
/// refused before loading (exit 3) with the settings that would; memory options are validated.
@Suite struct MemoryPlanTests {
  func generate(_ extra: [String], output: String? = nil) throws -> (CLI.Result, String) {
    let dir = try CLI.tempDir()
    let out = output ?? dir.appendingPathComponent("o.mp4").path
    var args = ["generate", "--model", CLI.fixture("models/tiny-a"), "--image", CLI.fixture("images/square_48x48.png"),
                "--prompt", "a cat", "--preset", "smoke", "-o", out]
    args += extra
    return (try CLI.run(args), out)
  }

  @Test func dryRunPrintsTheEstimateAndWritesNothing() throws {
    let (r, out) = try generate(["--dry-run"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("memory estimate: peak"), "\(r.stdout)")
    for stage in ["encoding prompt", "encoding image", "denoising", "decoding"] { #expect(r.stdout.contains(stage)) }
    #expect(r.stdout.contains("fits"))
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(!FileManager.default.fileExists(atPath: out + ".json"))
  }

  @Test func dryRunJSON() throws {
    let (r, _) = try generate(["--dry-run", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    #expect(object?["status"] as? String == "planned")
    #expect((object?["peak_bytes"] as? Int ?? 0) > 0)
    #expect((object?["stages"] as? [Any])?.count == 4)
  }

  /// 4096x4096 makes the VAE's attention over every latent pixel alone need hundreds of GB: refused at once.
  @Test func jobThatCannotFitIsRefusedBeforeLoading() throws {
    let (r, out) = try generate(["--width", "4096", "--height", "4096", "--frames", "4"])
    #expect(r.status == 3, "\(r.status) \(r.stderr)")
    #expect(r.stderr.contains("this job needs about"), "\(r.stderr)")
    #expect(r.stderr.contains("--width 512 --height 512"), "\(r.stderr)")
    #expect(r.stderr.contains("--no-memory-check"))
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(!r.stderr.contains("loading "), "refused before any weights load: \(r.stderr)")
  }

  @Test func badMemoryOptions() throws {
    let (offload, _) = try generate(["--offload", "disk"])
    #expect(offload.status != 0 && offload.stderr.contains("--offload must be auto, none, encoders or model"), "\(offload.stderr)")
    let (block, _) = try generate(["--block-memory", "-5"])
    #expect(block.status != 0 && block.stderr.contains("--block-memory"), "\(block.stderr)")
    let (attention, _) = try generate(["--attention", "cudnn", "--device", "cpu"])
    // libtorch 1.13 has only math attention, 2.x CPU builds math and flash: either way cudnn is refused up front.
    #expect(attention.status != 0, "\(attention.stderr)")
    #expect(attention.stderr.contains("CUDA GPUs only") || attention.stderr.contains("only math attention"),
            "\(attention.stderr)")
  }

  /// generate drops the encoders after use by default, batch keeps them (it needs them for the next item).
  @Test func defaultOffloadPerCommand() throws {
    let (r, out) = try generate(["--width", "32", "--height", "32", "--seed", "3"])
    #expect(r.status == 0, "\(r.stderr)")
    let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json")))
    #expect(((sidecar as? [String: Any])?["runtime"] as? [String: Any])?["offload"] as? String == "encoders")
    let f = try BatchFolder([("a.png", "square_48x48.png")], prompts: ["a.txt": "a cat"])
    let b = try f.run()
    #expect(b.status == 0, "\(b.stderr)")
    let batchSidecar = try JSONSerialization.jsonObject(
      with: Data(contentsOf: f.output.appendingPathComponent("a.mp4.json")))
    #expect(((batchSidecar as? [String: Any])?["runtime"] as? [String: Any])?["offload"] as? String == "none")
  }

  /// With --offload model the job still runs end to end and records the setting in its sidecar.
  @Test func offloadedGenerateRuns() throws {
    let (r, out) = try generate(["--offload", "model", "--width", "32", "--height", "32", "--seed", "3"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(FileManager.default.fileExists(atPath: out))
    let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json")))
    let runtime = (sidecar as? [String: Any])?["runtime"] as? [String: Any]
    #expect(runtime?["offload"] as? String == "model")
    #expect(runtime?["attention"] as? String == "auto")
  }
}

/// A batch item that cannot fit fails alone, and says how many of the items left share its size.
@Suite struct BatchMemoryTests {
  @Test func tooLargeItemFailsAndCountsTheSameSizes() throws {
    let f = try BatchFolder([("a.png", "square_48x48.png"), ("b.png", "wide_55x31.png"), ("c.png", "wide_102x58.png")])
    let manifest = f.root.appendingPathComponent("jobs.csv")
    try Data("""
      image,prompt,frames,width,height
      in/a.png,a cat,2,4096,4096
      in/b.png,a boat,2,32,32
      in/c.png,a road,2,4096,4096
      """.utf8).write(to: manifest)
    let r = try CLI.run(["batch", "--manifest", manifest.path, "-o", f.output.path, "--model",
                         CLI.fixture("models/tiny-a"), "--preset", "smoke", "--seed", "5"])
    #expect(r.status == 1, "\(r.stderr)")
    let summary = try f.summary()
    #expect(summary.images("done") == ["b.png"])
    #expect(summary.images("failed") == ["a.png", "c.png"])
    let first = summary.entry(image: "a.png")?["error"] as? String ?? ""
    #expect(first.contains("1 of the 2 items left have the same size (4096x4096, 2 frames)"), "\(first)")
    let last = summary.entry(image: "c.png")?["error"] as? String ?? ""
    #expect(last.contains("no items are left to run"), "\(last)")
  }
}
