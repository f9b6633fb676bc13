import I2VCheckpoint
import I2VTensor

/// diffusers' `EulerAncestralDiscreteScheduler` (`scheduling_euler_ancestral_discrete.py`) under `from_config` of
/// the model's config: Euler steps to σ_down plus fresh noise of σ_up, drawn every step (the last too, with
/// σ_up = 0) by `randn_tensor` from the pipeline's CPU generator in the model output's dtype, after that step's
/// UNet, so the draws interleave with diffusers'. σ_up and σ_down are square roots of per-pair values that no
/// table holds: IEEE here, PyTorch's MKL sqrt can differ in the last bit (a relative 6e-8 in a coefficient).
public final class EulerAncestralDiscreteScheduler: DiffusionSampler {
  public let timesteps: [Int]
  /// σ per step, then the final 0.
  public let sigmas: [Float]
  let points: [SigmaTable.Point]
  /// `init_noise_sigma`: √(σ_max² + 1) for leading spacing, σ_max otherwise.
  public let initNoiseSigma: Float?
  let prediction: DDIMScheduler.Prediction
  var stepsDone = 0

  public init(table: SigmaTable, config c: JSONConfig, steps n: Int) throws {
    try SigmaTable.checkSupported(c, "EulerAncestralDiscreteScheduler")
    guard table.prediction != .sample else {
      // diffusers: NotImplementedError("prediction_type not implemented yet: sample")
      throw CheckpointError(c.path, "EulerAncestralDiscreteScheduler does not support 'prediction_type': 'sample'")
    }
    let T = table.trainTimesteps
    guard n >= 1 && n <= T else { throw TorchError("the number of steps must be between 1 and \(T) (got \(n))") }
    switch table.spacing {
    case .leading:
      timesteps = (0..<n).reversed().map { $0 * (T / n) + table.stepsOffset }
    case .trailing:
      let ratio = Double(T) / Double(n)
      timesteps = (0..<n).map { Int((Double(T) - Double($0) * ratio).rounded(.toNearestOrEven)) - 1 }
    case .linspace:
      throw CheckpointError(c.path, "EulerAncestralDiscreteScheduler with 'timestep_spacing': 'linspace' is not "
        + "supported (its timesteps are fractional); use leading or trailing")
    }
    points = timesteps.map { table.point($0) } + [table.point(nil)]
    sigmas = points.map(\.sigma)
    let top = points.max { $0.sigma < $1.sigma }!
    initNoiseSigma = table.spacing == .leading ? top.root : top.sigma
    prediction = table.prediction
  }

  public func scaleModelInput(_ x: Tensor, index i: Int) throws -> Tensor { try x / Double(points[i].root) }

  public func step(modelOutput v: Tensor, index i: Int, sample x: Tensor, generator: Generator?) throws -> Tensor {
    guard i == stepsDone, i < timesteps.count else { throw TorchError("Euler ancestral steps must run in order") }
    guard let generator else { throw TorchError("the Euler ancestral scheduler needs the run's generator") }
    let dtype = v.dtype
    let sample = try x.to(.float32)
    let s = sigmas[i], to = sigmas[i + 1]
    let x0 = prediction == .vPrediction
      ? try (v * Double(-s / points[i].root)) + (sample / Double(s * s + 1))
      : try sample - (v * Double(s))
    let up = (to * to * (s * s - to * to) / (s * s)).squareRoot()
    let down = (to * to - up * up).squareRoot()
    let derivative = try (sample - x0) / Double(s)
    var next = try sample + (derivative * Double(down - s))
    let noise = try generator.randn(v.shape, dtype: dtype, device: v.device)
    next = try next + (noise * Double(up))
    stepsDone += 1
    return try next.to(dtype)
  }
}
