import Foundation
import I2VCheckpoint
import I2VTensor
import Testing

/// The whole pipeline in bfloat16 and float16 against diffusers run in the same precision
/// (Scripts/make_precision_fixtures.py), with the model's DDIM and with each multistep scheduler swapped in:
/// close, not bit-exact (the schedulers' steps alone are bit-exact in both types: MultistepSchedulerTests). The
/// tiny random-weight model amplifies rounding (3 steps at guidance 9 multiply any difference), so these bounds
/// catch a broken cast or a wrong dtype path (frames then differ by ~0.3 on average), not ulp-level parity.
/// Measured mean differences, libtorch 1.13 / 2.13 shim: bfloat16 ddim 0.081 / 0.065, dpm++2m 0.091 / 0.078,
/// euler 0.087 / 0.055, euler-a 0.089 / 0.054, unipc 0.087 / 0.087; float16 (2.13) ddim 0.017, dpm++2m 0.041,
/// euler 0.022, euler-a 0.026, unipc 0.039. Debian's libtorch 1.13 has no float16 CPU kernels, so float16 runs
/// when the loaded shim is libtorch 2.x (e.g. `I2V_TORCH_SHIM=.build-torch2/debug/libi2vtorch.so swift test
/// --filter ReducedPrecisionTests`, see README) or on a GPU.
@Suite struct ReducedPrecisionTests {
  static let libtorchMajor: Int = {
    Int((try? Runtime.torchVersion())?.split(separator: ".").first ?? "0") ?? 0
  }()

  /// Every scheduler diffusers can run with this model, "ddim" its own.
  static let schedulers = ["ddim", "dpm++2m", "euler", "euler-a", "unipc"]

  func run(_ dtype: String, scheduler: String = "ddim") throws -> (max: Double, mean: Double) {
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let meta = try JSONConfig(path: CLI.fixture("reference/tiny-b/a_default.json"))
    let dump = dir.appendingPathComponent("t.safetensors").path
    let r = try CLI.run([
      "generate", "--model", CLI.fixture("models/tiny-b"), "--image", CLI.fixture("images/" + (try meta.string("image"))),
      "--prompt", try meta.string("prompt"), "--steps", String(try meta.int("num_inference_steps")),
      "--frames", String(try meta.int("num_frames")), "--fps", String(try meta.int("target_fps")),
      "--width", String(try meta.int("width")), "--height", String(try meta.int("height")),
      "--guidance", String(try meta.double("guidance_scale")), "--seed", String(try meta.int("seed")),
      "--device", "cpu", "--dtype", dtype, "-o", dir.appendingPathComponent("o.mp4").path,
      "--save-tensors", dump, "--quiet", "--scheduler", scheduler,
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let ours = try SafeTensorsFile(path: dump).tensor("frames_float")
    let suffix = scheduler == "ddim" ? "" : "-\(scheduler)"
    let ref = try SafeTensorsFile(path: CLI.fixture("reference-precision/tiny-b/a_default-\(dtype)\(suffix).safetensors"))
      .tensor("frames_float")
    let diff = try (ours - ref).abs()
    return (try diff.amax().item(), try diff.mean().item())
  }

  @Test(arguments: schedulers)
  func bfloat16StaysClose(_ scheduler: String) throws {
    let e = try run("bfloat16", scheduler: scheduler)
    #expect(e.mean < 0.15, "\(scheduler) bfloat16 frames: max \(e.max), mean \(e.mean)")
  }

  @Test(.enabled(if: libtorchMajor >= 2, "libtorch 1.13 has no float16 CPU kernels"), arguments: schedulers)
  func float16StaysClose(_ scheduler: String) throws {
    let e = try run("float16", scheduler: scheduler)
    #expect(e.mean < 0.06, "\(scheduler) float16 frames: max \(e.max), mean \(e.mean)")
  }
}
