import Foundation
import I2VCheckpoint
import I2VTensor

/// diffusers' `DPMSolverMultistepScheduler` (`scheduling_dpmsolver_multistep.py`) with its defaults under
/// `from_config` of the model's config: DPM-Solver++ (`algorithm_type="dpmsolver++"`), second order, midpoint,
/// `lower_order_final`, `final_sigmas_type="zero"`. Every coefficient is computed on the host in float32, as
/// diffusers computes it on 0-dim CPU float32 tensors (per-timestep values from `SigmaTable`, IEEE arithmetic between
/// them, PyTorch's exp), so the loop needs no device read-back.
public final class DPMSolverMultistepScheduler: DiffusionSampler {
  public let timesteps: [Int]
  /// σ per step, then the final 0 (`self.sigmas`).
  public let sigmas: [Float]
  let points: [SigmaTable.Point]
  let table: SigmaTable
  public var initNoiseSigma: Float? { nil }  // 1.0 in diffusers
  let prediction: DDIMScheduler.Prediction
  /// The previous step's data prediction (`model_outputs[-2]`), and how many steps have run.
  var previousX0: Tensor? = nil
  var stepsDone = 0

  public init(table: SigmaTable, config c: JSONConfig, steps n: Int) throws {
    try SigmaTable.checkSupported(c, "DPMSolverMultistepScheduler")
    for (key, value) in [("algorithm_type", "dpmsolver++"), ("solver_type", "midpoint"), ("final_sigmas_type", "zero")] {
      let got = try c.string(key, default: value)
      guard got == value else { throw CheckpointError(c.path, "field '\(key)' is '\(got)'; only '\(value)' is supported") }
    }
    guard try c.int("solver_order", default: 2) == 2 else {
      throw CheckpointError(c.path, "field 'solver_order' must be 2 (DPM-Solver++ 2M)")
    }
    guard try c.double("lambda_min_clipped", default: -.infinity) == -.infinity else {
      throw CheckpointError(c.path, "field 'lambda_min_clipped' is not supported")
    }
    // set_timesteps, lambda_min_clipped = -inf: last_timestep = T.
    timesteps = try table.multistepTimesteps(steps: n)
    points = timesteps.map { table.point($0) } + [table.point(nil)]
    sigmas = points.map(\.sigma)
    prediction = table.prediction
    self.table = table
  }

  public func scaleModelInput(_ x: Tensor, index: Int) throws -> Tensor { x }

  public func step(modelOutput v: Tensor, index i: Int, sample x: Tensor, generator _: Generator?) throws -> Tensor {
    guard i == stepsDone, i < timesteps.count else { throw TorchError("DPM-Solver++ steps must run in order") }
    let s0 = points[i]  // _sigma_to_alpha_sigma_t
    // convert_model_output: the data prediction, in the sample's dtype (coefficients in diffusers' operand order:
    // for float16/bfloat16 the difference matters, `scaled(byLeading:)`).
    let x0: Tensor
    switch prediction {
    case .vPrediction: x0 = try x.scaled(byLeading: s0.alpha) - v.scaled(byLeading: s0.sigmaT)
    case .epsilon: x0 = try (x - v.scaled(byLeading: s0.sigmaT)) / Double(s0.alpha)
    case .sample: x0 = v
    }
    let dtype = x.dtype
    let sample = try x.to(.float32)  // diffusers upcasts the sample for the update
    let t = points[i + 1]
    let h = t.lambda - s0.lambda
    let c = t.alpha * (table.exp(-h) - 1)  // PyTorch's exp (ReferenceExpTable), not the correctly rounded one
    let first = try sample * Double(t.sigmaT / s0.sigmaT)
    var next: Tensor
    // lower_order_final with final sigma 0: the first and the last step are first order.
    if let m1 = previousX0, i != timesteps.count - 1 {
      let s1 = points[i - 1]
      let r0 = (s0.lambda - s1.lambda) / h
      let d1 = try (x0 - m1).scaled(byLeading: 1 / r0)
      next = try (first - x0.scaled(byLeading: c)) - d1.scaled(byLeading: 0.5 * c)
    } else {
      next = try first - x0.scaled(byLeading: c)
    }
    next = try next.to(dtype)
    previousX0 = x0
    stepsDone += 1
    return next
  }
}
