import Foundation
import I2VCheckpoint
import I2VTensor

/// diffusers' `DDIMScheduler`, as configured by a model's `scheduler_config.json`.
///
/// The noise table is computed on the host in IEEE float32, reproducing the values of PyTorch's CPU kernels that
/// diffusers' `scheduling_ddim.py` runs (`cumprod` accumulating in float64; the real model's square roots come
/// from PyTorch's own table, `ReferenceScheduleTable`), and stays there: each step needs two host scalars, so
/// the denoising loop never reads anything back from the device.
public struct DDIMScheduler: @unchecked Sendable {
  public enum Prediction: String, Sendable { case epsilon, vPrediction = "v_prediction", sample }
  public enum Spacing: String, Sendable { case leading, trailing, linspace }

  public let trainTimesteps: Int
  public let prediction: Prediction
  public let spacing: Spacing
  public let stepsOffset: Int
  public let clipSample: Double?
  /// ᾱ_t for t = 0..<trainTimesteps (float32 values).
  public let alphasCumprod: [Float]
  public let finalAlphaCumprod: Float

  /// The longest training schedule accepted (diffusers' schedulers use 1000).
  public static let maxTrainTimesteps = 100_000

  public init(config c: JSONConfig) throws {
    trainTimesteps = try c.int("num_train_timesteps", default: 1000)
    // Bounded: the schedule tables are this long (fuzzing found a 10^9 that took minutes and gigabytes).
    guard (2...Self.maxTrainTimesteps).contains(trainTimesteps) else {
      throw CheckpointError(c.path, "field 'num_train_timesteps' must be between 2 and \(Self.maxTrainTimesteps) "
        + "(got \(trainTimesteps); diffusers' models use 1000)")
    }
    let predictionName = try c.string("prediction_type", default: "epsilon")
    guard let p = Prediction(rawValue: predictionName) else {
      throw CheckpointError(c.path, "field 'prediction_type' is '\(predictionName)'; supported: epsilon, v_prediction, sample")
    }
    prediction = p
    let spacingName = try c.string("timestep_spacing", default: "leading")
    guard let s = Spacing(rawValue: spacingName) else {
      throw CheckpointError(c.path, "field 'timestep_spacing' is '\(spacingName)'; supported: leading, trailing, linspace")
    }
    spacing = s
    stepsOffset = try c.int("steps_offset", default: 0)
    clipSample = try c.bool("clip_sample", default: true) ? try c.double("clip_sample_range", default: 1.0) : nil
    if try c.bool("thresholding", default: false) {
      throw CheckpointError(c.path, "dynamic thresholding ('thresholding': true) is not supported")
    }
    if c.has("trained_betas") { throw CheckpointError(c.path, "explicit 'trained_betas' are not supported") }

    let schedule = try c.string("beta_schedule", default: "linear")
    let rescale = try c.bool("rescale_betas_zero_snr", default: false)
    var betas = try Self.betas(config: c, count: trainTimesteps)  // also validates the schedule fields
    if rescale { betas = Self.rescaleZeroTerminalSNR(betas) }
    if schedule == "squaredcos_cap_v2" && rescale && trainTimesteps == ReferenceScheduleTable.alphasCumprod.count {
      // The real model's schedule: use PyTorch's own values (see ReferenceScheduleTable) so every coefficient
      // is bit-identical to diffusers'.
      alphasCumprod = ReferenceScheduleTable.alphasCumprod.map { Float(bitPattern: $0) }
      sqrtTables = (ReferenceScheduleTable.sqrtAlphasCumprod.map { Float(bitPattern: $0) },
                    ReferenceScheduleTable.sqrtOneMinusAlphasCumprod.map { Float(bitPattern: $0) })
    } else {
      alphasCumprod = Self.cumprod(betas.map { 1 - $0 })
      sqrtTables = nil
    }
    finalAlphaCumprod = try c.bool("set_alpha_to_one", default: true) ? 1 : alphasCumprod[0]
  }

  /// PyTorch's float32 √ᾱ_t and √(1 − ᾱ_t) for the real schedule; nil means IEEE square roots.
  let sqrtTables: (alpha: [Float], oneMinusAlpha: [Float])?

  // MARK: - Noise schedule
  //
  // Computed on the host with IEEE float32 arithmetic, reproducing PyTorch's CPU kernels exactly (checked against
  // tables PyTorch printed, Tests/Fixtures/scheduler). libtorch is not used here on purpose: Debian's 1.13 build has a float32 sqrt that is off by
  // an ulp for some inputs, which would change the table.

  static func betas(config c: JSONConfig, count n: Int) throws -> [Float] {
    let schedule = try c.string("beta_schedule", default: "linear")
    let start = try c.double("beta_start", default: 0.0001)
    let end = try c.double("beta_end", default: 0.02)
    switch schedule {
    case "linear":
      return linspace(Float(start), Float(end), n)
    case "scaled_linear":
      return linspace(Float(start.squareRoot()), Float(end.squareRoot()), n).map { $0 * $0 }
    case "squaredcos_cap_v2":
      // Computed in doubles, like diffusers' betas_for_alpha_bar, then stored as float32.
      func alphaBar(_ t: Double) -> Double {
        let c = Foundation.cos((t + 0.008) / 1.008 * Double.pi / 2)
        return c * c
      }
      return (0..<n).map { i in
        Float(Swift.min(1 - alphaBar(Double(i + 1) / Double(n)) / alphaBar(Double(i) / Double(n)), 0.999))
      }
    default:
      throw CheckpointError(c.path, "field 'beta_schedule' is '\(schedule)'; supported: linear, scaled_linear, squaredcos_cap_v2")
    }
  }

  /// `torch.linspace(start, end, n, dtype=float32)` on CPU: a float32 step; the first half counted up from
  /// `start` and the second half down from `end`, each value one fused multiply-add.
  static func linspace(_ start: Float, _ end: Float, _ n: Int) -> [Float] {
    guard n > 1 else { return [start] }
    let step = (end - start) / Float(n - 1)
    let half = n / 2
    return (0..<n).map { i in
      i < half ? start.addingProduct(step, Float(i)) : end.addingProduct(-step, Float(n - i - 1))
    }
  }

  /// `torch.cumprod` on a CPU float32 tensor: the running product is kept in float64.
  static func cumprod(_ x: [Float]) -> [Float] {
    var acc = 1.0
    return x.map { v in
      acc *= Double(v)
      return Float(acc)
    }
  }

  /// diffusers' `rescale_zero_terminal_snr`, operation for operation in float32.
  static func rescaleZeroTerminalSNR(_ betas: [Float]) -> [Float] {
    let sqrtBar = cumprod(betas.map { 1 - $0 }).map { $0.squareRoot() }
    let first = sqrtBar[0], last = sqrtBar[sqrtBar.count - 1]
    let ratio = first / (first - last)
    let bar = sqrtBar.map { v -> Float in
      let s = (v - last) * ratio
      return s * s
    }
    var alphas = [bar[0]]
    for i in 1..<bar.count { alphas.append(bar[i] / bar[i - 1]) }
    return alphas.map { 1 - $0 }
  }

  // MARK: - Sampling

  /// `set_timesteps(steps)`: the timesteps to visit, highest first.
  public func timesteps(steps: Int) throws -> [Int] {
    guard steps >= 1 && steps <= trainTimesteps else {
      throw TorchError("the number of steps must be between 1 and \(trainTimesteps) (got \(steps))")
    }
    switch spacing {
    case .leading:
      let ratio = trainTimesteps / steps
      return (0..<steps).reversed().map { $0 * ratio + stepsOffset }
    case .trailing:
      let ratio = Double(trainTimesteps) / Double(steps)
      // np.round(np.arange(T, 0, -ratio)) - 1, half to even like NumPy.
      return (0..<steps).map { i in Int((Double(trainTimesteps) - Double(i) * ratio).rounded(.toNearestOrEven)) - 1 }
    case .linspace:
      let last = Double(trainTimesteps - 1)
      return (0..<steps).reversed().map { i in
        Int((steps == 1 ? 0 : last * Double(i) / Double(steps - 1)).rounded(.toNearestOrEven))
      }
    }
  }

  /// The float32 coefficients of one step (`scheduling_ddim.py`, `step`), from the host table.
  public struct Coefficients: Equatable, Sendable {
    public let sqrtAlpha: Float, sqrtBeta: Float, sqrtAlphaPrev: Float, direction: Float, noiseStd: Float
  }

  public func coefficients(timestep t: Int, steps: Int, eta: Float = 0) throws -> Coefficients {
    guard t >= 0 && t < trainTimesteps else { throw TorchError("timestep \(t) outside the schedule") }
    let prev = t - trainTimesteps / steps
    let a = alphasCumprod[t]
    let aPrev = prev >= 0 ? alphasCumprod[prev] : finalAlphaCumprod
    let b = 1 - a
    let bPrev = 1 - aPrev
    let variance = (bPrev / b) * (1 - a / aPrev)
    let std = eta * variance.squareRoot()
    if let tables = sqrtTables, eta == 0 {
      let finalIsOne = finalAlphaCumprod == 1
      return Coefficients(
        sqrtAlpha: tables.alpha[t], sqrtBeta: tables.oneMinusAlpha[t],
        sqrtAlphaPrev: prev >= 0 ? tables.alpha[prev] : (finalIsOne ? 1 : tables.alpha[0]),
        direction: prev >= 0 ? tables.oneMinusAlpha[prev] : (finalIsOne ? 0 : tables.oneMinusAlpha[0]),
        noiseStd: 0)
    }
    return Coefficients(sqrtAlpha: a.squareRoot(), sqrtBeta: b.squareRoot(), sqrtAlphaPrev: aPrev.squareRoot(),
                        direction: (1 - aPrev - std * std).squareRoot(), noiseStd: std)
  }

  /// One DDIM update: the sample at the previous timestep. Tensor ops in diffusers' order so reduced-precision
  /// runs round exactly as diffusers does. `noise` is required when `eta > 0`.
  public func step(modelOutput v: Tensor, timestep t: Int, sample x: Tensor, steps: Int, eta: Float = 0,
                   noise: Tensor? = nil) throws -> Tensor
  {
    let c = try coefficients(timestep: t, steps: steps, eta: eta)
    var x0: Tensor
    let eps: Tensor
    switch prediction {
    case .vPrediction:
      x0 = try (x * Double(c.sqrtAlpha)) - (v * Double(c.sqrtBeta))
      eps = try (v * Double(c.sqrtAlpha)) + (x * Double(c.sqrtBeta))
    case .epsilon:
      x0 = try (x - (v * Double(c.sqrtBeta))) / Double(c.sqrtAlpha)
      eps = v
    case .sample:
      x0 = v
      eps = try (x - (v * Double(c.sqrtAlpha))) / Double(c.sqrtBeta)
    }
    if let range = clipSample { x0 = try x0.clamp(min: -range, max: range) }
    let direction = try eps * Double(c.direction)
    var prev = try (x0 * Double(c.sqrtAlphaPrev)) + direction
    if eta > 0 {
      guard let noise else { throw TorchError("DDIM with eta > 0 needs a noise tensor") }
      prev = try prev + (noise * Double(c.noiseStd))
    }
    return prev
  }
}
