import I2VCheckpoint
import I2VTensor

/// The sampler `--scheduler` picks: diffusers' scheduler class swapped into `I2VGenXLPipeline` with
/// `XScheduler.from_config(pipe.scheduler.config)` (the model's own config, so v-prediction, the zero-SNR rescale,
/// the squaredcos schedule and leading spacing carry over).
public enum SchedulerKind: String, CaseIterable, Sendable, Codable {
  case ddim
  case dpmpp2m = "dpm++2m"
  case dpmpp2mKarras = "dpm++2m-karras"
  case unipc
  case euler
  case eulerA = "euler-a"

  /// diffusers' class name, for messages and the sidecar.
  public var diffusersClass: String {
    switch self {
    case .ddim: return "DDIMScheduler"
    case .dpmpp2m: return "DPMSolverMultistepScheduler"
    case .dpmpp2mKarras: return "DPMSolverMultistepScheduler(use_karras_sigmas=True)"
    case .unipc: return "UniPCMultistepScheduler"
    case .euler: return "EulerDiscreteScheduler"
    case .eulerA: return "EulerAncestralDiscreteScheduler"
    }
  }

  /// Why diffusers 0.33.1 cannot run this scheduler with a zero-terminal-SNR config; nil when it can.
  public func refusal(zeroSNR: Bool) -> String? {
    guard self == .dpmpp2mKarras else { return nil }
    guard zeroSNR else {
      return "scheduler 'dpm++2m-karras' is offered only to explain its refusal for I2VGen-XL's zero-SNR config; "
        + "this config is not zero-SNR, and Karras sigmas are not implemented; use --scheduler dpm++2m"
    }
    // scheduling_dpmsolver_multistep.py: the zero-SNR table ends at sigma 4096 (alphas_cumprod[-1] = 2**-24), so
    // the Karras ramp puts several sigmas above the trained range; they all map to timestep 998, the duplicate
    // makes index_for_timestep start at step 1 and `step` fails with an IndexError at the end of the schedule.
    return "scheduler 'dpm++2m-karras' cannot run with this model: its scheduler config rescales to zero terminal "
      + "SNR, and diffusers 0.33.1's Karras sigmas for it repeat timestep 998 and fail (IndexError) at the last "
      + "step; use --scheduler dpm++2m (same solver, the config's own timesteps)"
  }

  public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A multistep sampler for one run: the schedule is fixed by `set_timesteps(steps)`, host scalars throughout,
/// and it keeps the previous steps' outputs (so one instance per generation).
public protocol DiffusionSampler: AnyObject {
  /// `scheduler.timesteps`, as the UNet receives them (integers for these configs).
  var timesteps: [Int] { get }
  /// `scheduler.init_noise_sigma` when it is not 1 (the initial latents are multiplied by it).
  var initNoiseSigma: Float? { get }
  /// `scale_model_input(x, t)` for step `index`.
  func scaleModelInput(_ x: Tensor, index: Int) throws -> Tensor
  /// `step(model_output, t, sample, generator=generator).prev_sample` for step `index` (steps must come in
  /// order); a stochastic sampler draws its noise from `generator` on the CPU, as diffusers' `randn_tensor`.
  func step(modelOutput: Tensor, index: Int, sample: Tensor, generator: Generator?) throws -> Tensor
}

extension SchedulerKind {
  /// The sampler for `steps` steps from the model's scheduler config; throws the refusal for one that cannot run.
  public func sampler(config: JSONConfig, steps: Int) throws -> DiffusionSampler? {
    let table = try SigmaTable(config: config)
    if let why = refusal(zeroSNR: table.zeroSNR) { throw TorchError(why) }
    switch self {
    case .ddim: return nil
    case .dpmpp2m: return try DPMSolverMultistepScheduler(table: table, config: config, steps: steps)
    case .dpmpp2mKarras: return nil  // refused above
    case .unipc: return try UniPCMultistepScheduler(table: table, config: config, steps: steps)
    case .euler: return try EulerDiscreteScheduler(table: table, config: config, steps: steps)
    case .eulerA: return try EulerAncestralDiscreteScheduler(table: table, config: config, steps: steps)
    }
  }
}
