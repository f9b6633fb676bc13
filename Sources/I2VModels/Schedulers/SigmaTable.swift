import Foundation
import I2VCheckpoint
import I2VTensor

/// The training noise levels the sigma-based schedulers share (`scheduling_dpmsolver_multistep.py` and
/// `scheduling_euler_discrete.py`, `__init__`): DDIM's ᾱ table, except that a zero-SNR config sets
/// `alphas_cumprod[-1] = 2**-24` (a finite top sigma, 4096), and σ_t = √((1 − ᾱ_t)/ᾱ_t) in float32. For the real
/// model's schedule the per-timestep values are PyTorch's own (`ReferenceSigmaTable`: its CPU sqrt and log are
/// not correctly rounded); other configs get IEEE values.
public struct SigmaTable: Sendable {
  public let alphasCumprod: [Float]
  public let sigmas: [Float]
  public let zeroSNR: Bool
  public let trainTimesteps: Int
  public let stepsOffset: Int
  public let spacing: DDIMScheduler.Spacing
  public let prediction: DDIMScheduler.Prediction
  /// Whether the per-timestep values come from `ReferenceSigmaTable`.
  public let reference: Bool

  public init(config c: JSONConfig) throws {
    let ddim = try DDIMScheduler(config: c)  // validates the schedule fields and builds torch's ᾱ table
    zeroSNR = try c.bool("rescale_betas_zero_snr", default: false)
    var a = ddim.alphasCumprod
    if zeroSNR { a[a.count - 1] = 0x1p-24 }
    alphasCumprod = a
    let real = try c.string("beta_schedule", default: "linear") == "squaredcos_cap_v2" && zeroSNR
      && a.count == ReferenceSigmaTable.sigmas.count
    sigmas = real ? ReferenceSigmaTable.sigmas.map { Float(bitPattern: $0) } : a.map { ((1 - $0) / $0).squareRoot() }
    reference = real
    trainTimesteps = ddim.trainTimesteps
    stepsOffset = ddim.stepsOffset
    spacing = ddim.spacing
    prediction = ddim.prediction
  }

  /// The 0-dim float32 values diffusers derives from σ at one point of the schedule.
  public struct Point: Equatable, Sendable {
    public let sigma: Float
    /// `(σ**2 + 1) ** 0.5` (Euler's input scale), α_t = 1 / that, σ_t = σ·α_t, λ = log α_t − log σ_t.
    public let root: Float, alpha: Float, sigmaT: Float, lambda: Float
  }

  /// The point of timestep t (np.interp, clamped at the ends); nil is the final σ = 0.
  public func point(_ t: Int?) -> Point {
    guard let t else { return Point(sigma: 0, root: 1, alpha: 1, sigmaT: 0, lambda: .infinity) }
    let i = Swift.min(Swift.max(t, 0), sigmas.count - 1)
    let s = sigmas[i]
    if reference {
      let alpha = Float(bitPattern: ReferenceSigmaTable.alphas[i])
      return Point(sigma: s, root: Float(bitPattern: ReferenceSigmaTable.rootSigmaSquaredPlusOne[i]), alpha: alpha,
                   sigmaT: s * alpha, lambda: Float(bitPattern: ReferenceSigmaTable.lambdas[i]))
    }
    let root = (s * s + 1).squareRoot()
    let alpha = 1 / root
    return Point(sigma: s, root: root, alpha: alpha, sigmaT: s * alpha, lambda: logf(alpha) - logf(s * alpha))
  }

  /// `torch.exp` of a 0-dim float32 tensor on the CPU, as DPM-Solver++ calls it on −h (h a difference of λ):
  /// correctly rounded on the host, except where PyTorch's (MKL's, not correctly rounded) value differs for the
  /// real schedule (`ReferenceExpTable`, every pair of its timesteps).
  public func exp(_ x: Float) -> Float {
    (reference ? Self.lookUp(x, ReferenceExpTable.exp) : nil) ?? Float(Foundation.exp(Double(x)))
  }

  /// `torch.expm1` likewise, as UniPC calls it on −h; expm1(−∞) = −1 (the step to σ = 0).
  public func expm1(_ x: Float) -> Float {
    (reference ? Self.lookUp(x, ReferenceExpTable.expm1) : nil) ?? Float(Foundation.expm1(Double(x)))
  }

  /// The value stored for argument x in a table of (argument << 32 | value), sorted by argument.
  static func lookUp(_ x: Float, _ table: [UInt64]) -> Float? {
    let key = UInt64(x.bitPattern)
    var lo = 0, hi = table.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if table[mid] >> 32 < key { lo = mid + 1 } else { hi = mid }
    }
    guard lo < table.count, table[lo] >> 32 == key else { return nil }
    return Float(bitPattern: UInt32(truncatingIfNeeded: table[lo]))
  }

  /// `set_timesteps` of the multistep solvers (`scheduling_dpmsolver_multistep.py`,
  /// `scheduling_unipc_multistep.py`, with `last_timestep` = T): the config's spacing over n steps.
  public func multistepTimesteps(steps n: Int) throws -> [Int] {
    let T = trainTimesteps
    guard n >= 1 && n < T else { throw TorchError("the number of steps must be between 1 and \(T - 1) (got \(n))") }
    switch spacing {
    case .leading:
      let ratio = T / (n + 1)
      let top = n * ratio + stepsOffset
      guard top < T else {
        // diffusers 0.33.1 runs it: timestep T gets the σ of T − 1 (np.interp clamps), the first two steps have
        // the same λ, and the second step divides by h = 0, so every sample after it is NaN.
        throw TorchError("\(n) steps with leading spacing and steps_offset \(stepsOffset) start at timestep \(top), "
          + "past the model's last (\(T - 1)); diffusers 0.33.1 gives it timestep \(T - 1)'s sigma and its second "
          + "step divides by zero (the whole video is NaN); use at most \(n - 1) steps")
      }
      return (1...n).reversed().map { $0 * ratio + stepsOffset }
    case .trailing:
      let ratio = Double(T) / Double(n)
      return (0..<n).map { Int((Double(T) - Double($0) * ratio).rounded(.toNearestOrEven)) - 1 }
    case .linspace:
      // np.linspace(0, T - 1, n + 1).round()[::-1][:-1]
      return (1...n).reversed().map { i in Int((Double(T - 1) * Double(i) / Double(n)).rounded(.toNearestOrEven)) }
    }
  }

  /// Refuses configs these samplers do not reproduce (diffusers' other options are not in the model's config).
  static func checkSupported(_ c: JSONConfig, _ name: String) throws {
    for key in ["use_karras_sigmas", "use_exponential_sigmas", "use_beta_sigmas", "use_lu_lambdas", "thresholding"] {
      if try c.bool(key, default: false) {
        throw CheckpointError(c.path, "field '\(key)' is not supported by \(name) here; remove it from the config")
      }
    }
  }
}
