import Foundation
import I2VCheckpoint
import I2VModels
import I2VTensor
import Testing

/// One reference case written by Scripts/make_fixtures.py (diffusers 0.33.1 itself, float32, CPU).
struct VAEFixtureCase: Sendable, CustomStringConvertible {
  let config: String
  let name: String
  var description: String { "\(config)/\(name)" }

  static let root: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
      url.deleteLastPathComponent()
    }
    return url.appendingPathComponent("Tests/Fixtures")
  }()

  static let configs = ["tiny-a", "tiny-b"]

  /// Every case of every config, found on disk (a regenerated fixture set is picked up without edits).
  static let all: [VAEFixtureCase] = configs.flatMap { config in
    let dir = root.appendingPathComponent("reference/\(config)").path
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return names.filter { $0.hasSuffix(".safetensors") }.sorted()
      .map { VAEFixtureCase(config: config, name: String($0.dropLast(".safetensors".count))) }
  }

  var tensors: SafeTensorsFile {
    get throws {
      try SafeTensorsFile(path: Self.root.appendingPathComponent("reference/\(config)/\(name).safetensors").path)
    }
  }

  var info: JSONConfig {
    get throws { try JSONConfig(path: Self.root.appendingPathComponent("reference/\(config)/\(name).json").path) }
  }

  static func component(_ config: String) -> ComponentFolder {
    ComponentFolder(name: "vae", path: root.appendingPathComponent("models/\(config)/vae").path)
  }

  static func vae(_ config: String, dtype: DType = .float32) throws -> AutoencoderKL {
    try Runtime.setThreads(Runtime.defaultThreads)
    return try AutoencoderKL(component: component(config), dtype: dtype, device: .cpu)
  }
}

/// Fails unless `actual` matches the reference's shape and dtype and lies within `tolerance`; returns the error.
@discardableResult
private func expectWithin(_ actual: Tensor, _ expected: Tensor, _ tolerance: Double, _ what: String) throws -> Double {
  #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape) != \(expected.shape)")
  #expect(actual.dtype == expected.dtype, "\(what): dtype \(actual.dtype) != \(expected.dtype)")
  guard actual.shape == expected.shape else { return .infinity }
  let d = try actual.maxAbsDifference(expected)
  #expect(d <= tolerance, "\(what): max abs difference \(d) > \(tolerance)")
  if ProcessInfo.processInfo.environment["I2V_PARITY_REPORT"] != nil { print("parity \(what): \(d)") }
  return d
}

/// ‖actual − expected‖₂ / ‖expected‖₂ within `bound` (for reduced-precision runs against float32 references).
private func expectRelativeRMS(_ actual: Tensor, _ expected: Tensor, _ bound: Double, _ what: String) throws {
  #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape) != \(expected.shape)")
  guard actual.shape == expected.shape else { return }
  let a = try actual.to(.float64), e = try expected.to(.float64)
  let rel = try ((a - e).pow(2).sum().item() / e.pow(2).sum().item()).squareRoot()
  #expect(rel <= bound, "\(what): relative RMS error \(rel) > \(bound)")
  if ProcessInfo.processInfo.environment["I2V_PARITY_REPORT"] != nil { print("parity \(what): relative \(rel)") }
}

@Suite struct VAEParityTests {
  static let tolerance = 1e-4
  static let bf16Bound = 0.2

  @Test func fixturesArePresent() {
    for config in VAEFixtureCase.configs {
      #expect(VAEFixtureCase.all.contains { $0.config == config }, "no reference cases for \(config)")
    }
  }

  @Test(arguments: VAEFixtureCase.all)
  func posteriorMatchesDiffusers(_ c: VAEFixtureCase) throws {
    let f = try c.tensors
    let vae = try VAEFixtureCase.vae(c.config)
    let (mean, std) = try vae.encode(f.tensor("vae_input"))
    try expectWithin(mean, f.tensor("vae_posterior_mean"), Self.tolerance, "\(c) mean")
    try expectWithin(std, f.tensor("vae_posterior_std"), Self.tolerance, "\(c) std")
    let sample = try AutoencoderKL.sample(mean: mean, std: std, noise: f.tensor("vae_posterior_noise"))
    try expectWithin(sample, f.tensor("vae_posterior_sample"), Self.tolerance, "\(c) sample")
  }

  /// The RNG contract with diffusers on an all-CPU run: the posterior noise is the first draw of the case's seed,
  /// in the moments' shape and dtype, and `encodeLatents` reproduces frame 0 of the pipeline's image latents.
  @Test(arguments: VAEFixtureCase.all)
  func posteriorNoiseIsTheFirstSeededDraw(_ c: VAEFixtureCase) throws {
    let f = try c.tensors
    let seed = UInt64(try c.info.int("seed"))
    let expected = try f.tensor("vae_posterior_noise")
    let draw = try Generator(seed: seed).randn(expected.shape, dtype: expected.dtype)
    #expect(try draw.bytes() == expected.bytes(), "\(c): first draw of seed \(seed) is not the posterior noise")

    let vae = try VAEFixtureCase.vae(c.config)
    let latents = try vae.encodeLatents(f.tensor("vae_input"), generator: Generator(seed: seed))
    // image_latents is (N, C, F, h, w): row 0, frame 0 is the scaled posterior sample.
    let frame0 = try f.tensor("image_latents").narrow(0, start: 0, length: 1).narrow(2, start: 0, length: 1).squeeze(2)
    try expectWithin(latents, frame0, Self.tolerance, "\(c) image latents frame 0")
  }

  /// `decode_latents` with the case's chunk size against diffusers: the raw decoded video where the fixture has it,
  /// and in every case the pipeline's float frames, `clamp(x·0.5 + 0.5, 0, 1)` as (F, H, W, 3).
  @Test(arguments: VAEFixtureCase.all)
  func decodeMatchesDiffusers(_ c: VAEFixtureCase) throws {
    let f = try c.tensors
    let vae = try VAEFixtureCase.vae(c.config)
    let chunk = try c.info.int("decode_chunk_size")
    let video = try vae.decodeVideo(f.tensor("final_latents"), chunkSize: chunk)
    #expect(video.dtype == .float32)
    if let name = ["decoded_from_final", "decoded"].first(where: { f.entry($0) != nil }) {
      try expectWithin(video, f.tensor(name), Self.tolerance, "\(c) decoded")
    }
    let frames = try (video.narrow(0, start: 0, length: 1).squeeze(0).permute(1, 2, 3, 0) * 0.5 + 0.5)
      .clamp(min: 0, max: 1)
    try expectWithin(frames, f.tensor("frames_float"), Self.tolerance, "\(c) frames")
  }

  /// Decoding frame by frame or all frames at once is the same math (no cross-frame interaction).
  @Test(arguments: VAEFixtureCase.configs)
  func chunkingDoesNotChangeDecoding(_ config: String) throws {
    guard let c = VAEFixtureCase.all.first(where: { $0.config == config }) else {
      Issue.record("no cases for \(config)")
      return
    }
    let latents = try c.tensors.tensor("final_latents")
    let frames = latents.size(0) * latents.size(2)
    #expect(frames > 1)
    let vae = try VAEFixtureCase.vae(config)
    let one = try vae.decodeVideo(latents, chunkSize: 1)
    let all = try vae.decodeVideo(latents, chunkSize: frames)
    let two = try vae.decodeVideo(latents, chunkSize: 2)  // uneven last chunk when frames is odd
    try expectWithin(all, one, 1e-5, "\(config) chunk all vs 1")
    try expectWithin(two, one, 1e-5, "\(config) chunk 2 vs 1")
  }

  /// bfloat16 end to end on the CPU: weights converted at bind time, activations stay bfloat16, the video comes
  /// back float32, and results track the float32 reference in relative RMS. The bound is loose: diffusers on
  /// PyTorch 2.13 stays within 0.016 here, but Debian's libtorch 1.13 accumulates bfloat16 CPU convolutions in
  /// bfloat16 (~10× the error per conv), which measures up to 0.12 on tiny-b's frames. A wrong graph is O(1).
  @Test(arguments: VAEFixtureCase.configs)
  func bfloat16Smoke(_ config: String) throws {
    guard let c = VAEFixtureCase.all.first(where: { $0.config == config }) else {
      Issue.record("no cases for \(config)")
      return
    }
    let f = try c.tensors
    let vae = try VAEFixtureCase.vae(config, dtype: .bfloat16)
    let (mean, std) = try vae.encode(f.tensor("vae_input"))
    #expect(mean.dtype == .bfloat16 && std.dtype == .bfloat16)
    let latents = try vae.encodeLatents(f.tensor("vae_input"), generator: Generator(seed: 1))
    #expect(latents.dtype == .bfloat16 && latents.shape == mean.shape)
    try expectRelativeRMS(mean.to(.float32), f.tensor("vae_posterior_mean"), Self.bf16Bound, "\(c) bf16 mean")
    try expectRelativeRMS(std.to(.float32), f.tensor("vae_posterior_std"), Self.bf16Bound, "\(c) bf16 std")
    let video = try vae.decodeVideo(f.tensor("final_latents").to(.bfloat16), chunkSize: 2)
    #expect(video.dtype == .float32)
    let frames = try (video.narrow(0, start: 0, length: 1).squeeze(0).permute(1, 2, 3, 0) * 0.5 + 0.5)
      .clamp(min: 0, max: 1)
    try expectRelativeRMS(frames, f.tensor("frames_float"), Self.bf16Bound, "\(c) bf16 frames")
  }

  @Test func configDrivesSizes() throws {
    let a = try VAEFixtureCase.vae("tiny-a")
    let b = try VAEFixtureCase.vae("tiny-b")
    #expect(a.scaleFactor == 2 && b.scaleFactor == 8)
    #expect(a.scalingFactor == 0.18125 && b.scalingFactor == 0.13025)
    // Odd sizes: pad right/bottom by one then a stride-2 valid conv rounds down (19 → 9 → 4 → 2), the decoder
    // doubles back.
    let x = try Tensor.zeros([2, 3, 19, 33])
    let (mean, std) = try b.encode(x)
    #expect(mean.shape == [2, 4, 2, 4] && std.shape == [2, 4, 2, 4])
    #expect(try b.decode(mean, chunkSize: 1).shape == [2, 3, 16, 32])
  }
}
