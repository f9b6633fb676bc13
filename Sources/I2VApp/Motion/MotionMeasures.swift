/// The measures of one pair of consecutive frames, i and i+1 (README, "Analysing motion", defines each).
/// Lengths are in the clip's pixels, also as a percentage of its diagonal; brightness in luma levels (0-255).
public struct PairMeasures: Codable, Sendable, Equatable {
  /// i: the pair of frames i and i+1 (from 0).
  public var pair: Int
  /// Mean length of the dense flow from frame i to i+1.
  public var motionPixels: Double
  public var motionPercent: Double
  /// The mean flow vector: the drift of the whole picture (a pan to the right has driftX > 0).
  public var driftX: Double
  public var driftY: Double
  /// How much the flow changed since the previous pair, along each pixel's path (nil for the first pair and
  /// next to a scene cut).
  public var jitterPixels: Double?
  public var jitterPercent: Double?
  /// Warp error: the mean absolute brightness difference between frame i and frame i+1 warped back by the flow.
  public var warpError: Double
  /// Its signed mean: the part of it that is the whole frame getting brighter (+) or darker (-).
  public var brightnessShift: Double
  /// The warp error over every pixel, tracked or not: what a scene cut makes large.
  public var unexplained: Double
  /// Fraction of the pixels the flow tracks (forward-backward consistent, staying in the frame).
  public var tracked: Double
  /// Mean absolute brightness difference of the two frames as they are (no motion compensation).
  public var frameDifference: Double
  /// Nothing visibly changed (frameDifference below `MotionThresholds.frozenDifference`).
  public var frozen: Bool
  /// A scene cut: the motion cannot explain the change (see `MotionThresholds.cutChange`).
  public var cut: Bool

  public enum CodingKeys: String, CodingKey {
    case pair, motionPixels = "motion_px", motionPercent = "motion_pct_diagonal", driftX = "drift_x_px"
    case driftY = "drift_y_px", jitterPixels = "jitter_px", jitterPercent = "jitter_pct_diagonal"
    case warpError = "warp_error", brightnessShift = "brightness_shift", unexplained = "unexplained_change"
    case tracked = "tracked_fraction", frameDifference = "frame_difference", frozen, cut
  }
}

/// The clip's measures: means over its pairs, scene cuts left out (and, for jitter, the pairs next to them).
public struct ClipMeasures: Codable, Sendable, Equatable {
  public var frames: Int
  public var width: Int
  public var height: Int
  /// sqrt(width² + height²), the unit of the percentages.
  public var diagonal: Double
  public var fps: Double
  /// "file", "option" (`--fps`), "default" (8, when a folder of frames does not say) or "generated".
  public var fpsSource: String
  /// Motion strength: mean flow length per pair, in pixels and % of the diagonal, and % of the diagonal per
  /// second (the per-pair value times the frame rate: the same for a clip and its interpolated version).
  public var motionPixels: Double
  public var motionPercent: Double
  public var motionPercentPerSecond: Double
  /// Mean jitter, and as a fraction of the mean motion.
  public var jitterPixels: Double
  public var jitterPercent: Double
  public var jitterRatio: Double
  /// Flicker: mean and largest warp error of the pairs (luma levels).
  public var warpError: Double
  public var warpErrorMax: Double
  public var frozenPairs: Int
  public var frozenFraction: Double
  /// Pairs with a scene cut between their frames (pair i: between frames i and i+1).
  public var cuts: [Int]
  /// Sharpness (variance of the Laplacian of the luma, as the input-image check): frame 0, the median frame,
  /// the median of the last quarter of the frames, and how much of frame 0's the last quarter lost (0-1).
  public var sharpnessFirst: Double
  public var sharpnessMedian: Double
  public var sharpnessEnd: Double
  public var sharpnessDrop: Double

  public enum CodingKeys: String, CodingKey {
    case frames, width, height, diagonal, fps, fpsSource = "fps_source", motionPixels = "motion_px"
    case motionPercent = "motion_pct_diagonal", motionPercentPerSecond = "motion_pct_diagonal_per_s"
    case jitterPixels = "jitter_px", jitterPercent = "jitter_pct_diagonal", jitterRatio = "jitter_ratio"
    case warpError = "warp_error", warpErrorMax = "warp_error_max", frozenPairs = "frozen_pairs"
    case frozenFraction = "frozen_fraction", cuts, sharpnessFirst = "sharpness_first"
    case sharpnessMedian = "sharpness_median", sharpnessEnd = "sharpness_end", sharpnessDrop = "sharpness_drop"
  }
}

/// Everything `i2v analyze` found: per pair, per frame, for the clip, and the verdict with the thresholds it used.
public struct MotionAnalysis: Codable, Sendable {
  public var method: String
  public var clip: ClipMeasures
  public var verdict: MotionVerdict
  public var thresholds: MotionThresholds
  public var pairs: [PairMeasures]
  /// Per frame.
  public var sharpness: [Double]
}
