import Foundation
import I2VCheckpoint
import I2VTensor
import Testing

/// `i2v generate`, run as the real executable on CPU in float32, against diffusers' frames for every fixture
/// configuration and case (CFG, no CFG, negative prompt, >77-token prompt, non-square, other-size image).
@Suite struct GenerateParityTests {
  static let cases: [String] = {
    ["tiny-a", "tiny-b"].flatMap { config in
      ((try? FileManager.default.contentsOfDirectory(atPath: CLI.fixture("reference/\(config)"))) ?? [])
        .filter { $0.hasSuffix(".json") }.sorted().map { "\(config)/\($0.dropLast(5))" }
    }
  }()

  @Test func everyCaseIsCovered() {
    #expect(Self.cases.count >= 12)
  }

  @Test(arguments: cases)
  func framesMatchDiffusers(_ name: String) throws {
    try check(name)
  }

  /// The execution options change how the work is laid out, not the frames: channels-last convolutions,
  /// one-sequence transformer slices, CUDA-graph step runner (eager here), offloading every component.
  @Test(arguments: ["--channels-last", "--block-memory=0", "--cuda-graphs", "--offload=model"])
  func executionOptionsKeepTheFrames(_ option: String) throws {
    try check("tiny-b/a_default", extra: option.split(separator: "=").map(String.init))
  }

  func check(_ name: String, extra: [String] = []) throws {
    try Runtime.setThreads(1)
    let config = String(name.split(separator: "/")[0])
    let meta = try JSONConfig(path: CLI.fixture("reference/\(name).json"))
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    var args = [
      "generate", "--model", CLI.fixture("models/\(config)"),
      "--image", CLI.fixture("images/" + (try meta.string("image"))),
      "--prompt", try meta.string("prompt"),
      "--steps", String(try meta.int("num_inference_steps")),
      "--guidance", String(try meta.double("guidance_scale")),
      "--frames", String(try meta.int("num_frames")),
      "--fps", String(try meta.int("target_fps")),
      "--width", String(try meta.int("width")), "--height", String(try meta.int("height")),
      "--seed", String(try meta.int("seed")),
      "--decode-chunk-size", String(try meta.int("decode_chunk_size", default: 1)),
      "--device", "cpu", "--dtype", "float32",
      "-o", dir.appendingPathComponent("out.mp4").path,
      "--frames-dir", dir.appendingPathComponent("frames").path,
      "--save-tensors", dir.appendingPathComponent("out.safetensors").path, "--quiet",
    ]
    if meta.has("negative_prompt") { args += ["--negative-prompt", try meta.string("negative_prompt")] }
    args += extra
    let r = try CLI.run(args)
    #expect(r.status == 0, "\(name): \(r.stderr)")
    guard r.status == 0 else { return }
    let ours = try SafeTensorsFile(path: dir.appendingPathComponent("out.safetensors").path)
    let reference = try SafeTensorsFile(path: CLI.fixture("reference/\(name).safetensors"))
    let floatError = try ours.tensor("frames_float").maxAbsDifference(reference.tensor("frames_float"))
    let byteError = try ours.tensor("frames_uint8").maxAbsDifference(reference.tensor("frames_uint8"))
    #expect(floatError <= 1e-3, "\(name): float frames differ by \(floatError)")
    #expect(byteError <= 1, "\(name): uint8 frames differ by \(byteError)")
    // The PNG frames and the video were written too.
    let pngs = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("frames").path)
    #expect(pngs.filter { $0.hasSuffix(".png") }.count == (try meta.int("num_frames")))
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.mp4").path))
  }
}
