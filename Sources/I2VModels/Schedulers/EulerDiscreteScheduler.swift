import I2VCheckpoint
import I2VTensor

/// diffusers' `EulerDiscreteScheduler` (`scheduling_euler_discrete.py`) with its defaults under `from_config` of
/// the model's config: linear interpolation of the sigmas, discrete timesteps, `final_sigmas_type="zero"`, no
/// churn (`s_churn=0`, so no noise is drawn). Coefficients are host float32 values, computed as diffusers
/// computes them on 0-dim CPU float32 tensors.
public final class EulerDiscreteScheduler: DiffusionSampler {
  /// Integers here (diffusers holds them as float32: 801.0, …; the UNet embeds the same value either way).
  public let timesteps: [Int]
  /// σ per step, then the final 0.
  public let sigmas: [Float]
  let points: [SigmaTable.Point]
  /// `init_noise_sigma`: √(σ_max² + 1) for leading spacing, σ_max for linspace and trailing.
  public let initNoiseSigma: Float?
  let prediction: DDIMScheduler.Prediction
  var stepsDone = 0

  public init(table: SigmaTable, config c: JSONConfig, steps n: Int) throws {
    try SigmaTable.checkSupported(c, "EulerDiscreteScheduler")
    for (key, value) in [("interpolation_type", "linear"), ("timestep_type", "discrete"), ("final_sigmas_type", "zero")] {
      let got = try c.string(key, default: value)
      guard got == value else { throw CheckpointError(c.path, "field '\(key)' is '\(got)'; only '\(value)' is supported") }
    }
    let T = table.trainTimesteps
    guard n >= 1 && n <= T else { throw TorchError("the number of steps must be between 1 and \(T) (got \(n))") }
    switch table.spacing {
    case .leading:
      let ratio = T / n
      timesteps = (0..<n).reversed().map { $0 * ratio + table.stepsOffset }
    case .trailing:
      let ratio = Double(T) / Double(n)
      timesteps = (0..<n).map { Int((Double(T) - Double($0) * ratio).rounded(.toNearestOrEven)) - 1 }
    case .linspace:
      // np.linspace(0, T - 1, n, dtype=float32)[::-1]: fractional timesteps would need interpolated sigmas.
      throw CheckpointError(c.path, "EulerDiscreteScheduler with 'timestep_spacing': 'linspace' is not supported "
        + "(its timesteps are fractional); use leading or trailing")
    }
    points = timesteps.map { table.point($0) } + [table.point(nil)]
    sigmas = points.map(\.sigma)
    let top = points.max { $0.sigma < $1.sigma }!
    initNoiseSigma = table.spacing == .leading ? top.root : top.sigma
    prediction = table.prediction
  }

  /// `sample / ((σ² + 1) ** 0.5)`.
  public func scaleModelInput(_ x: Tensor, index i: Int) throws -> Tensor {
    return try x / Double(points[i].root)
  }

  public func step(modelOutput v: Tensor, index i: Int, sample x: Tensor, generator _: Generator?) throws -> Tensor {
    guard i == stepsDone, i < timesteps.count else { throw TorchError("Euler steps must run in order") }
    let dtype = v.dtype
    let sample = try x.to(.float32)  // diffusers upcasts the sample
    let s = sigmas[i]  // σ̂ = σ·(γ + 1) with γ = 0
    let x0: Tensor
    switch prediction {
    case .vPrediction:
      x0 = try (v * Double(-s / points[i].root)) + (sample / Double(s * s + 1))
    case .epsilon: x0 = try sample - (v * Double(s))
    case .sample: x0 = v
    }
    let derivative = try (sample - x0) / Double(s)
    let next = try (sample + (derivative * Double(sigmas[i + 1] - s))).to(dtype)
    stepsDone += 1
    return next
  }
}
