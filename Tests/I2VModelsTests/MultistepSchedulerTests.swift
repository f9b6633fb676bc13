import Foundation
import I2VCheckpoint
@testable import I2VModels
import I2VTensor
import Testing

/// The multistep schedulers against diffusers 0.33.1 swapped in with `from_config` of the real model's config
/// (Tests/Fixtures/schedulers, from Scripts/make_scheduler_fixtures.py): timesteps, sigmas and every step.
@Suite struct MultistepSchedulerTests {
  static func config() throws -> JSONConfig {
    try JSONConfig(path: DDIMSchedulerTests.fixture("real/configs/scheduler/scheduler_config.json"))
  }

  /// Runs `kind` on each dumped case as the pipeline does and returns the largest difference from diffusers;
  /// `dtype` picks the cases run in float16 or bfloat16 (sample and model outputs in that type).
  func compare(_ kind: SchedulerKind, dtype: DType = .float32) throws -> Double {
    try Runtime.setThreads(1)
    var worst = 0.0
    let suffix = dtype == .float32 ? "" : "-\(dtype)"
    for steps in [1, 4, 16, 25, 50] {
      let dump = try SafeTensorsFile(path: DDIMSchedulerTests.fixture("schedulers/\(kind.rawValue)-\(steps)\(suffix).safetensors"))
      let sampler = try #require(try kind.sampler(config: Self.config(), steps: steps))
      #expect(sampler.timesteps.map(Double.init) == (try dump.tensor("timesteps").toArray(Double.self)), "\(kind) \(steps)")
      let sigmas = try dump.tensor("sigmas").toArray(Float.self)
      if let s = sampler as? DPMSolverMultistepScheduler { #expect(s.sigmas == sigmas, "\(kind) \(steps) sigmas") }
      if let s = sampler as? EulerDiscreteScheduler { #expect(s.sigmas == sigmas, "\(kind) \(steps) sigmas") }
      if let s = sampler as? EulerAncestralDiscreteScheduler { #expect(s.sigmas == sigmas, "\(kind) \(steps) sigmas") }
      if let s = sampler as? UniPCMultistepScheduler { #expect(s.sigmas == sigmas, "\(kind) \(steps) sigmas") }
      // The initial sample is stored already scaled by init_noise_sigma; check the factor on it too.
      var x = try dump.tensor("initial")
      let generator = try Generator(seed: UInt64(1000 + steps))  // the fixture's step generator
      for i in 0..<steps {
        let scaled = try sampler.scaleModelInput(x, index: i)
        worst = max(worst, try scaled.maxAbsDifference(dump.tensor("scaled_\(i)")))
        x = try sampler.step(modelOutput: dump.tensor("model_output_\(i)"), index: i, sample: x, generator: generator)
        #expect(x.dtype == dtype, "\(kind) \(steps) step \(i) returns \(x.dtype)")
        worst = max(worst, try x.maxAbsDifference(dump.tensor("sample_\(i)")))
      }
    }
    return worst
  }

  @Test func dpmSolverPlusPlus2MMatchesDiffusers() throws {
    let d = try compare(.dpmpp2m)
    #expect(d == 0, "max difference \(d)")
  }

  @Test func eulerMatchesDiffusers() throws {
    let d = try compare(.euler)
    #expect(d == 0, "max difference \(d)")
    let euler = try #require(try SchedulerKind.euler.sampler(config: Self.config(), steps: 25))
    // diffusers: (sigmas.max() ** 2 + 1) ** 0.5 for leading spacing.
    #expect(euler.initNoiseSigma != nil && euler.initNoiseSigma! > 1)
  }

  @Test func eulerAncestralMatchesDiffusers() throws {
    // Its noise comes from the step generator in diffusers' order; σ_up/σ_down are IEEE square roots where
    // PyTorch's (not correctly rounded on the CPU) differ in the last bit for about 17% of arguments, hence not
    // exactly 0: measured 9.5e-7 (one float32 ulp of samples near 8) up to 16 steps, 3.8e-6 at 50 steps.
    let d = try compare(.eulerA)
    #expect(d <= 4e-6, "max difference \(d)")
  }

  @Test func uniPCMatchesDiffusers() throws {
    // Its corrector's 2×2 solve and expm1 are PyTorch's on the host (UniPCCoefficients, ReferenceExpTable).
    let d = try compare(.unipc)
    #expect(d == 0, "max difference \(d)")
  }

  @Test func uniPCSolveRoundsAsPyTorch() {
    // torch.linalg.solve([[1, 1], [rk, 1]], b) in float32 (torch 2.13 CPU, MKL), one system per pivot choice,
    // each one where IEEE division in place of the reciprocals would round differently.
    let cases: [(rk: Float, b: (Float, Float), rho: (UInt32, UInt32))] = [
      (-0.95, (0.6, 0.37), (0x3df1_8f20, 0x3ef6_cf6c)),
      (-1.4, (0.32, 0.12), (0x3daa_aaaa, 0x3e72_58be)),
    ]
    for c in cases {
      let rho = UniPCCoefficients.solve(c.rk, c.b.0, c.b.1)
      #expect(rho.0.bitPattern == c.rho.0 && rho.1.bitPattern == c.rho.1, "rk \(c.rk): \(rho)")
    }
  }

  /// The float16 and bfloat16 cases: DPM-Solver++ and the Euler samplers upcast the sample to float32 for the
  /// update and cast back, UniPC computes in the sample's type with ρ cast to it; both round coefficients as
  /// PyTorch 2's CPU kernels do (`scaled(byLeading:)`). The fixtures come from torch 2.13, so a libtorch 2.x shim
  /// matches them bit for bit; Debian's libtorch 1.13 rounds some bfloat16 scalar products differently
  /// (measured over 1-50 steps: euler 0.031, euler-a 0.125, unipc 0.078, dpm++2m 0; a bfloat16 ulp is 0.0625
  /// for samples in [8, 16)).
  @Test(arguments: [SchedulerKind.dpmpp2m, .euler, .eulerA, .unipc])
  func bfloat16StepsMatchDiffusers(_ kind: SchedulerKind) throws {
    let d = try compare(kind, dtype: .bfloat16)
    #expect(d <= (Self.torchMajor >= 2 ? 0 : 0.125), "\(kind): max difference \(d)")
  }

  @Test(.enabled(if: torchMajor >= 2, "libtorch 1.13 has no float16 CPU kernels"),
        arguments: [SchedulerKind.dpmpp2m, .euler, .eulerA, .unipc])
  func float16StepsMatchDiffusers(_ kind: SchedulerKind) throws {
    let d = try compare(kind, dtype: .float16)
    #expect(d == 0, "\(kind): max difference \(d)")
  }

  static let torchMajor: Int = Int((try? Runtime.torchVersion())?.split(separator: ".").first ?? "0") ?? 0

  /// diffusers' leading timesteps for 999 steps start at 1000, past the table: its steps turn NaN there.
  @Test(arguments: [SchedulerKind.dpmpp2m, .unipc])
  func stepsPastTheScheduleAreRefused(_ kind: SchedulerKind) throws {
    #expect(throws: TorchError.self) { _ = try kind.sampler(config: Self.config(), steps: 999) }
    let sampler = try #require(try kind.sampler(config: Self.config(), steps: 998))
    #expect(sampler.timesteps.first == 999 && sampler.timesteps.last == 2)
  }

  @Test func karrasIsRefusedWithTheReason() throws {
    #expect {
      _ = try SchedulerKind.dpmpp2mKarras.sampler(config: Self.config(), steps: 25)
    } throws: { error in
      "\(error)".contains("zero terminal SNR") && "\(error)".contains("--scheduler dpm++2m")
    }
  }

  @Test func ddimNeedsNoSampler() throws {
    #expect(try SchedulerKind.ddim.sampler(config: Self.config(), steps: 50) == nil)
  }
}
