import I2VCheckpoint
import I2VTensor

/// diffusers' `UniPCMultistepScheduler` (`scheduling_unipc_multistep.py`) under `from_config` of the model's
/// config: data prediction (`predict_x0`), `solver_order=2`, B(h) = e^h − 1 (`bh2`), `lower_order_final`, no
/// disabled corrector, `final_sigmas_type="zero"`. From the second step on, each step first corrects the sample it
/// was given with the new model output (UniC, order of the previous predictor), then predicts the next sample (UniP:
/// first order on the first and the last step, second order between). With order 2 the predictor's ρ is ½ and the
/// corrector solves a 2×2 system; every coefficient is computed on the host in float32 as diffusers computes it on
/// 0-dim CPU tensors (expm1 as PyTorch's, `SigmaTable.expm1`; the solve as PyTorch's LAPACK, `UniPCCoefficients`),
/// so the loop reads nothing back from the device.
public final class UniPCMultistepScheduler: DiffusionSampler {
  public let timesteps: [Int]
  /// σ per step, then the final 0 (`self.sigmas`).
  public let sigmas: [Float]
  let points: [SigmaTable.Point]
  let table: SigmaTable
  public var initNoiseSigma: Float? { nil }  // 1.0 in diffusers
  let prediction: DDIMScheduler.Prediction
  /// The data predictions of the steps so far, newest last (`model_outputs`, two kept).
  var outputs: [Tensor] = []
  /// The sample the last predictor started from (`last_sample`) and its order (`this_order`).
  var lastSample: Tensor? = nil
  var lastOrder = 0
  var stepsDone = 0

  public init(table: SigmaTable, config c: JSONConfig, steps n: Int) throws {
    try SigmaTable.checkSupported(c, "UniPCMultistepScheduler")
    // diffusers maps the DPM-Solver names to bh2 (`__init__`); bh1 and other orders are not reproduced here.
    let solver = try c.string("solver_type", default: "bh2")
    guard ["bh2", "midpoint", "heun", "logrho"].contains(solver) else {
      throw CheckpointError(c.path, "field 'solver_type' is '\(solver)'; only 'bh2' is supported")
    }
    guard try c.int("solver_order", default: 2) == 2 else {
      throw CheckpointError(c.path, "field 'solver_order' must be 2 (UniPC's default for guided sampling)")
    }
    for (key, value) in [("predict_x0", true), ("lower_order_final", true), ("use_flow_sigmas", false)] {
      guard try c.bool(key, default: value) == value else {
        throw CheckpointError(c.path, "field '\(key)' must be \(value) for UniPCMultistepScheduler here")
      }
    }
    guard try c.string("final_sigmas_type", default: "zero") == "zero" else {
      throw CheckpointError(c.path, "field 'final_sigmas_type' must be 'zero'")
    }
    guard try c.ints("disable_corrector", default: []).isEmpty else {
      throw CheckpointError(c.path, "field 'disable_corrector' is not supported; remove it from the config")
    }
    timesteps = try table.multistepTimesteps(steps: n)
    points = timesteps.map { table.point($0) } + [table.point(nil)]
    sigmas = points.map(\.sigma)
    prediction = table.prediction
    self.table = table
  }

  public func scaleModelInput(_ x: Tensor, index: Int) throws -> Tensor { x }

  public func step(modelOutput v: Tensor, index i: Int, sample x: Tensor, generator _: Generator?) throws -> Tensor {
    guard i == stepsDone, i < timesteps.count else { throw TorchError("UniPC steps must run in order") }
    // convert_model_output: the data prediction, in the sample's dtype (UniPC does not upcast; coefficients in
    // diffusers' operand order, `scaled(byLeading:)`).
    let s0 = points[i]
    let x0: Tensor
    switch prediction {
    case .vPrediction: x0 = try x.scaled(byLeading: s0.alpha) - v.scaled(byLeading: s0.sigmaT)
    case .epsilon: x0 = try (x - v.scaled(byLeading: s0.sigmaT)) / Double(s0.alpha)
    case .sample: x0 = v
    }
    var sample = x
    if let last = lastSample {
      sample = try correct(last, newX0: x0, index: i).to(x.dtype)
    }
    outputs = Array((outputs + [x0]).suffix(2))
    // lower_order_final, and the warm-up: this_order = min(2, steps left, steps done + 1).
    let order = min(2, timesteps.count - i, i + 1)
    let next = try predict(from: sample, order: order, index: i).to(x.dtype)
    lastSample = sample
    lastOrder = order
    stepsDone += 1
    return next
  }

  /// multistep_uni_p_bh_update from step i to i + 1 (`outputs` already holds step i's data prediction).
  func predict(from x: Tensor, order: Int, index i: Int) throws -> Tensor {
    let c = UniPCCoefficients(from: points[i], to: points[i + 1], table: table)
    let m0 = outputs[outputs.count - 1]
    let base = try x.scaled(byLeading: c.sampleScale) - m0.scaled(byLeading: c.outputScale)
    guard order == 2 else { return base }
    // rhos_p = [0.5] in the sample's dtype; einsum over one term is that product.
    let d1 = try (outputs[0] - m0) / Double(c.ratio(points[i - 1]))
    return try base - (d1 * 0.5).scaled(byLeading: c.updateScale)
  }

  /// multistep_uni_c_bh_update at step i: `x` is the sample the last predictor started from, `newX0` this step's
  /// data prediction; `outputs` still ends with the previous step's. (diffusers also passes the predicted sample,
  /// which the B(h) corrector does not read: it redoes the last update with the new output's information.)
  func correct(_ x: Tensor, newX0: Tensor, index i: Int) throws -> Tensor {
    let c = UniPCCoefficients(from: points[i - 1], to: points[i], table: table)
    let m0 = outputs[outputs.count - 1]
    let base = try x.scaled(byLeading: c.sampleScale) - m0.scaled(byLeading: c.outputScale)
    let d1t = try newX0 - m0
    let dtype = x.dtype
    var residual: Tensor
    if lastOrder == 2 {
      let rk = c.ratio(points[i - 2])
      let rhos = c.correctorRhos(rk)  // solved in float32, then .to(x.dtype)
      let d1 = try (outputs[0] - m0) / Double(rk)
      residual = try (d1 * Double(dtype.rounded(rhos.0))) + (d1t * Double(dtype.rounded(rhos.1)))
    } else {
      residual = try d1t * 0.5  // rhos_c = [0.5]; corr_res = 0
    }
    return try base - residual.scaled(byLeading: c.updateScale)
  }
}
