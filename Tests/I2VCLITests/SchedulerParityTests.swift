import Foundation
import I2VCheckpoint
import I2VTensor
import Testing

/// `i2v generate --scheduler` against diffusers' I2VGenXLPipeline with the same scheduler swapped in
/// (Tests/Fixtures/schedulers/pipeline, Scripts/make_scheduler_fixtures.py), and the settings around it.
@Suite struct SchedulerParityTests {
  /// Runs generate on the tiny-a case `meta` describes; returns the output folder (caller removes it).
  func generate(_ meta: JSONConfig, _ extra: [String]) throws -> (CLI.Result, URL) {
    let dir = try CLI.tempDir()
    let args = [
      "generate", "--model", CLI.fixture("models/tiny-a"),
      "--image", CLI.fixture("images/" + (try meta.string("image"))), "--prompt", try meta.string("prompt"),
      "--steps", String(try meta.int("num_inference_steps")), "--guidance", String(try meta.double("guidance_scale")),
      "--frames", String(try meta.int("num_frames")), "--fps", String(try meta.int("target_fps")),
      "--width", String(try meta.int("width")), "--height", String(try meta.int("height")),
      "--seed", String(try meta.int("seed")), "--device", "cpu", "--dtype", "float32",
      "-o", dir.appendingPathComponent("out.mp4").path,
      "--save-tensors", dir.appendingPathComponent("out.safetensors").path, "--quiet",
    ] + extra
    return (try CLI.run(args), dir)
  }

  static func meta(_ name: String) throws -> JSONConfig {
    try JSONConfig(path: CLI.fixture("schedulers/pipeline/tiny-a-\(name).json"))
  }

  @Test(arguments: ["dpm++2m", "euler", "euler-a", "unipc"])
  func framesMatchDiffusers(_ name: String) throws {
    try Runtime.setThreads(1)
    let (r, dir) = try generate(Self.meta(name), ["--scheduler", name])
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(r.status == 0, "\(name): \(r.stderr)")
    guard r.status == 0 else { return }
    let ours = try SafeTensorsFile(path: dir.appendingPathComponent("out.safetensors").path)
    let reference = try SafeTensorsFile(path: CLI.fixture("schedulers/pipeline/tiny-a-\(name).safetensors"))
    let floatError = try ours.tensor("frames_float").maxAbsDifference(reference.tensor("frames_float"))
    let byteError = try ours.tensor("frames_uint8").maxAbsDifference(reference.tensor("frames_uint8"))
    #expect(floatError <= 1e-3, "\(name): float frames differ by \(floatError)")
    #expect(byteError <= 1, "\(name): uint8 frames differ by \(byteError)")
    // The frames really depend on the scheduler: DDIM's differ from these.
    let ddim = try SafeTensorsFile(path: CLI.fixture("reference/tiny-a/a_default.safetensors"))
    #expect(try reference.tensor("frames_float").maxAbsDifference(ddim.tensor("frames_float")) > 1e-2)
    let sidecar = try ModelCopies.json(file: dir.appendingPathComponent("out.mp4.json").path)
    let p = sidecar["parameters"] as? [String: Any] ?? [:]
    #expect(p["scheduler"] as? String == name)
    #expect(p["scheduler_class"] as? String == (try Self.meta(name).string("scheduler_class")))
  }

  /// No flag and `--scheduler ddim` run the same code: the same frames, bit for bit.
  @Test func ddimIsTheDefault() throws {
    try Runtime.setThreads(1)
    let meta = try JSONConfig(path: CLI.fixture("reference/tiny-a/a_default.json"))
    let (a, dirA) = try generate(meta, [])
    let (b, dirB) = try generate(meta, ["--scheduler", "ddim"])
    defer { for d in [dirA, dirB] { try? FileManager.default.removeItem(at: d) } }
    #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
    let x = try SafeTensorsFile(path: dirA.appendingPathComponent("out.safetensors").path).tensor("frames_float")
    let y = try SafeTensorsFile(path: dirB.appendingPathComponent("out.safetensors").path).tensor("frames_float")
    #expect(try x.maxAbsDifference(y) == 0)
    let p = try ModelCopies.json(file: dirA.appendingPathComponent("out.mp4.json").path)["parameters"] as? [String: Any]
    #expect(p?["scheduler"] as? String == "ddim")
  }

  @Test func karrasIsRefusedBeforeLoading() throws {
    let (r, dir) = try generate(Self.meta("dpm++2m"), ["--scheduler", "dpm++2m-karras"])
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(r.status == 64, "a scheduler that cannot run is a bad setting (\(r.status)): \(r.stderr)")
    #expect(r.stderr.contains("zero terminal SNR") && r.stderr.contains("--scheduler dpm++2m"), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.mp4").path))
  }

  @Test func unknownSchedulerIsAUsageError() throws {
    let (r, dir) = try generate(Self.meta("euler"), ["--scheduler", "heun"])
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(r.status == 64 && r.stderr.contains("--scheduler"), "\(r.status): \(r.stderr)")
  }

  @Test func fastPresetNamesItsScheduler() throws {
    let r = try CLI.run(["presets", "show", "fast"])
    #expect(r.status == 0 && r.stdout.contains("dpm++2m") && r.stdout.contains("Trades"), "\(r.stdout)")
    // 25 DPM-Solver++ steps are not the "preview only" case 25 DDIM steps are (SafeRanges.finalRenderSteps).
    #expect(!r.stdout.contains("note:"), "\(r.stdout)")
    let list = try CLI.run(["presets"])
    #expect(list.stdout.contains("scheduler: dpm++2m"), "\(list.stdout)")
  }

  @Test func presetWithAnUnknownSchedulerNamesTheField() throws {
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("mine.json")
    try Data(#"{"steps": 2, "guidance": 9, "frames": 2, "fps": 8, "width": 32, "height": 32, "scheduler": "plms"}"#.utf8)
      .write(to: file)
    let r = try CLI.run(["presets", "show", file.path])
    #expect(r.status != 0 && r.stderr.contains("'scheduler'") && r.stderr.contains("dpm++2m"), "\(r.stderr)")
  }
}
