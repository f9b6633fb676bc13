/// The limits the verdict applies, chosen from synthetic clips whose answer is known (a still picture, a smooth
/// pan, the pan with random jumps, with flicker, blurred, with a cut: `MotionVerdictTests`; the measured values
/// are in README, "Analysing motion"). JSON output records the ones used.
public struct MotionThresholds: Codable, Sendable, Equatable {
  /// Motion below this (% of the diagonal per second) is too weak to read as movement.
  public var weakMotionPerSecond = 0.5
  /// A pair whose frames differ by less than this (mean luma levels) is frozen; a clip with at least
  /// `frozenFraction` of its pairs frozen is a still picture.
  public var frozenDifference = 0.1
  public var frozenFraction = 0.5
  /// Jittery: mean jitter of at least this (% of the diagonal per pair) that is also at least `jitterRatio` of the
  /// mean motion (smooth motion changes little from pair to pair, whatever its speed).
  public var jitterPercent = 0.3
  public var jitterRatio = 0.4
  /// Flickering or distorted: a mean warp error of at least this (luma levels).
  public var warpError = 6.0
  /// A scene cut: a pair whose unexplained change (its warp error over all pixels) is at least `cutChange` and `cutFactor` times the clip's median.
  public var cutChange = 10.0
  public var cutFactor = 4.0
  /// Blurry: median sharpness below this (the input-image check's limit), or the last quarter of the frames
  /// losing at least `sharpnessDrop` of the first frame's sharpness.
  public var sharpness = InputImageAdvisor.minSharpness
  public var sharpnessDrop = 0.5

  public init() {}

  public enum CodingKeys: String, CodingKey {
    case weakMotionPerSecond = "weak_motion_pct_diagonal_per_s", frozenDifference = "frozen_difference"
    case frozenFraction = "frozen_fraction", jitterPercent = "jitter_pct_diagonal", jitterRatio = "jitter_ratio"
    case warpError = "warp_error", cutChange = "cut_unexplained_change", cutFactor = "cut_factor", sharpness
    case sharpnessDrop = "sharpness_drop"
  }
}

/// The verdict in the terms of the decision tree i2v's guidance follows (motion too weak → raise guidance or steps;
/// distorted or jittery → lower guidance or size; blurry → 60-80 steps), each problem with the measure that shows it.
public struct MotionVerdict: Codable, Sendable, Equatable {
  public enum Category: String, Codable, Sendable, CaseIterable {
    case weakMotion = "motion too weak"
    case distorted = "distorted or jittery"
    case blurry

    /// What to change, in i2v's flags.
    public var advice: String {
      switch self {
      case .weakMotion:
        return "raise --guidance by 1-2 (about 12 at most; --guidance auto reads the prompt's motion words) or use more --steps"
      case .distorted:
        return "lower --guidance by 1-2, or the size (--width/--height)"
      case .blurry:
        return "use 60-80 --steps"
      }
    }
  }

  public enum Problem: String, Codable, Sendable {
    case still, weakMotion = "weak_motion", jittery, flicker, sceneCut = "scene_cut", blurry, softening

    public var category: Category {
      switch self {
      case .still, .weakMotion: return .weakMotion
      case .jittery, .flicker, .sceneCut: return .distorted
      case .blurry, .softening: return .blurry
      }
    }
  }

  public struct Finding: Codable, Sendable, Equatable {
    public var problem: Problem
    public var category: Category
    /// What was measured, against which limit.
    public var evidence: String
    public var advice: String
  }

  /// "good", or the categories found, most important first ("motion too weak", "distorted or jittery", "blurry").
  public var rating: String
  public var findings: [Finding]

  public var isGood: Bool { findings.isEmpty }
  public var categories: [Category] {
    var seen: [Category] = []
    for f in findings where !seen.contains(f.category) { seen.append(f.category) }
    return seen
  }
  public var problems: [Problem] { findings.map(\.problem) }

  /// Judges a clip's measures.
  public static func judge(_ c: ClipMeasures, thresholds t: MotionThresholds = MotionThresholds()) -> MotionVerdict {
    var found: [(Problem, String)] = []
    let pct = { (v: Double) in Format.fixed(v, 2) + "%" }
    if c.frozenFraction >= t.frozenFraction {
      found.append((.still, "\(c.frozenPairs) of \(c.frames - 1) frame pairs are frozen (\(percent(c.frozenFraction)); "
        + "still from \(percent(t.frozenFraction)))"))
    } else if c.motionPercentPerSecond < t.weakMotionPerSecond {
      found.append((.weakMotion, "motion \(pct(c.motionPercentPerSecond)) of the diagonal per second "
        + "(\(Format.fixed(c.motionPixels, 2)) px per frame), below \(pct(t.weakMotionPerSecond))"))
    }
    if c.jitterPercent >= t.jitterPercent && c.jitterRatio >= t.jitterRatio {
      found.append((.jittery, "jitter \(pct(c.jitterPercent)) of the diagonal per frame (\(Format.fixed(c.jitterPixels, 2)) "
        + "px, \(percent(c.jitterRatio)) of the motion); jittery from \(pct(t.jitterPercent)) of the diagonal and "
        + "\(percent(t.jitterRatio)) of the motion"))
    }
    if c.warpError >= t.warpError {
      found.append((.flicker, "warp error \(Format.fixed(c.warpError, 1)) levels (brightness the motion does not "
        + "explain), from \(Format.fixed(t.warpError, 1)) it flickers or distorts"))
    }
    if !c.cuts.isEmpty {
      let list = c.cuts.map { "\($0)→\($0 + 1)" }.joined(separator: ", ")
      found.append((.sceneCut, "\(c.cuts.count) scene cut\(c.cuts.count == 1 ? "" : "s") (frames \(list)): the picture "
        + "jumps where no motion explains it"))
    }
    if c.sharpnessMedian < t.sharpness {
      found.append((.blurry, "sharpness \(Format.fixed(c.sharpnessMedian, 0)) (median frame), below "
        + "\(Format.fixed(t.sharpness, 0))"))
    } else if c.sharpnessDrop >= t.sharpnessDrop {
      found.append((.softening, "the last frames keep \(percent(1 - c.sharpnessDrop)) of the first frame's sharpness "
        + "(\(Format.fixed(c.sharpnessEnd, 0)) of \(Format.fixed(c.sharpnessFirst, 0))); soft from a loss of "
        + "\(percent(t.sharpnessDrop))"))
    }
    let findings = found.map { Finding(problem: $0.0, category: $0.0.category, evidence: $0.1, advice: $0.0.category.advice) }
    var verdict = MotionVerdict(rating: "good", findings: findings)
    if !findings.isEmpty { verdict.rating = verdict.categories.map(\.rawValue).joined(separator: "; ") }
    return verdict
  }

  /// One line: "good" or "motion too weak: raise ...; blurry: use 60-80 --steps".
  public var summary: String {
    if isGood { return "good: " + Self.goodText }
    return categories.map { "\($0.rawValue) → \($0.advice)" }.joined(separator: "; ")
  }

  public static let goodText = "motion is clear, smooth and stable, and the frames are sharp"

  static func percent(_ f: Double) -> String { "\(Int((f * 100).rounded()))%" }
}
