import Foundation

/// `--cache`: whether the denoising loop reuses deep UNet features between steps (DeepCache, Ma, Fang and Wang,
/// CVPR 2024, arXiv:2312.00858). `.off` (the default) runs the whole UNet at every step, as diffusers does.
/// `.deep(interval: N)` is DeepCache's uniform schedule: the whole UNet at steps 0, N, 2N, …, keeping the
/// features that enter the shallowest up block's cut (`DeepCacheCut`); at the other steps only the shallow
/// branch runs, on those kept features. The reference pipelines pick their full steps as
/// `range(0, num_inference_steps, cache_interval)` (DeepCache `svd/pipeline_stable_video_diffusion.py`).
public enum FeatureCache: Equatable, Hashable, Sendable, CustomStringConvertible {
  case off
  case deep(interval: Int)

  /// The intervals accepted. 1 would be `off` with extra bookkeeping; past 10 a 50-step job refreshes its deep
  /// features fewer than 5 times (DeepCache's own evaluations stop at N = 10 for 50-step samplers, where its
  /// quality loss is already clear), and a 25-step job fewer than 3.
  public static let intervals = 2...10

  /// Parses `off` or `deep:N` (case-insensitive, spaces around the parts allowed); nil for anything else,
  /// including an N outside `intervals` (`parse` says which).
  public init?(parsing text: String) {
    guard let value = try? Self.parse(text) else { return nil }
    self = value
  }

  /// The setting `text` names, or an error saying what is wrong with it and what is accepted.
  public static func parse(_ text: String) throws -> FeatureCache {
    let t = text.trimmingCharacters(in: .whitespaces).lowercased()
    if t == "off" { return .off }
    let parts = t.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
      .map { $0.trimmingCharacters(in: .whitespaces) }
    guard parts.count == 2, parts[0] == "deep" else {
      throw FeatureCacheError("not a cache setting: use off or deep:N (N from "
        + "\(intervals.lowerBound) to \(intervals.upperBound), e.g. deep:3)")
    }
    guard let n = Int(parts[1]) else {
      throw FeatureCacheError("N in deep:N must be a whole number from \(intervals.lowerBound) to "
        + "\(intervals.upperBound), e.g. deep:3")
    }
    guard intervals.contains(n) else {
      let why = n == 1 ? " (deep:1 runs the whole UNet at every step: that is off)"
        : n < 1 ? "" : " (past \(intervals.upperBound) the deep features are refreshed too rarely to follow the video)"
      throw FeatureCacheError("N must be from \(intervals.lowerBound) to \(intervals.upperBound)\(why)")
    }
    return .deep(interval: n)
  }

  /// `off` or `deep:N`, as the flag, presets, manifests and the sidecar write it.
  public var description: String {
    switch self {
    case .off: return "off"
    case .deep(let n): return "deep:\(n)"
    }
  }

  /// The UNet pass of step `index` (0-based).
  public func pass(step index: Int) -> UNetPassKind {
    switch self {
    case .off: return .full
    case .deep(let n): return index % n == 0 ? .fullKeepingFeatures : .shallow
    }
  }

  /// How many steps of a `steps`-step job run the whole UNet, and how many only its shallow branch.
  public func evaluations(steps: Int) -> UNetEvaluations {
    switch self {
    case .off: return UNetEvaluations(full: steps, shallow: 0)
    case .deep(let n):
      let full = (steps + n - 1) / n
      return UNetEvaluations(full: full, shallow: steps - full)
    }
  }
}

/// What one denoising step asks of the UNet.
public enum UNetPassKind: Equatable, Sendable {
  /// The whole UNet (diffusers' forward).
  case full
  /// The whole UNet, also returning the features at the DeepCache cut.
  case fullKeepingFeatures
  /// Only the shallow branch, on features an earlier `fullKeepingFeatures` pass kept.
  case shallow
}

/// UNet calls of one generation: whole-UNet ones and shallow-branch ones (with classifier-free guidance one call
/// evaluates both halves as one batch, as diffusers does).
public struct UNetEvaluations: Equatable, Sendable, Codable {
  public var full: Int
  public var shallow: Int
  public var total: Int { full + shallow }

  public init(full: Int, shallow: Int) {
    self.full = full
    self.shallow = shallow
  }
}

/// A cache setting that cannot be used: what is wrong and what is accepted.
public struct FeatureCacheError: Error, CustomStringConvertible, Equatable {
  public let description: String
  init(_ description: String) { self.description = description }
}
