import Foundation
import I2VCheckpoint
import I2VModels
import I2VTensor
import Testing

/// The multistep schedulers against diffusers 0.33.1 swapped in with `from_config` of the real model's config
/// (Tests/Fixtures/schedulers, from Scripts/make_scheduler_fixtures.py): timesteps, sigmas and every step.
@Suite struct MultistepSchedulerTests {
  static func config() throws -> JSONConfig {
    try JSONConfig(path: DDIMSchedulerTests.fixture("real/configs/scheduler/scheduler_config.json"))
  }

  /// Runs `kind` on each dumped case as the pipeline does and returns the largest difference from diffusers.
  func compare(_ kind: SchedulerKind) throws -> Double {
    try Runtime.setThreads(1)
    var worst = 0.0
    for steps in [1, 4, 16] {
      let dump = try SafeTensorsFile(path: DDIMSchedulerTests.fixture("schedulers/\(kind.rawValue)-\(steps).safetensors"))
      let sampler = try #require(try kind.sampler(config: Self.config(), steps: steps))
      #expect(sampler.timesteps.map(Double.init) == (try dump.tensor("timesteps").toArray(Double.self)), "\(kind) \(steps)")
      let sigmas = try dump.tensor("sigmas").toArray(Float.self)
      if let s = sampler as? DPMSolverMultistepScheduler { #expect(s.sigmas == sigmas, "\(kind) \(steps) sigmas") }
      if let s = sampler as? EulerDiscreteScheduler { #expect(s.sigmas == sigmas, "\(kind) \(steps) sigmas") }
      if let s = sampler as? EulerAncestralDiscreteScheduler { #expect(s.sigmas == sigmas, "\(kind) \(steps) sigmas") }
      // The initial sample is stored already scaled by init_noise_sigma; check the factor on it too.
      var x = try dump.tensor("initial")
      let generator = try Generator(seed: UInt64(1000 + steps))  // the fixture's step generator
      for i in 0..<steps {
        let scaled = try sampler.scaleModelInput(x, index: i)
        worst = max(worst, try scaled.maxAbsDifference(dump.tensor("scaled_\(i)")))
        x = try sampler.step(modelOutput: dump.tensor("model_output_\(i)"), index: i, sample: x, generator: generator)
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
    // PyTorch's differ in the last bit now and then, hence not exactly 0.
    let d = try compare(.eulerA)
    #expect(d <= 2e-6, "max difference \(d)")  // measured 9.5e-7: one float32 ulp of samples near 8
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
