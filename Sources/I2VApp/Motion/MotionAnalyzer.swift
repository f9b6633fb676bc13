import Foundation
import I2VImage

/// Measures a clip's motion with dense optical flow (`OpticalFlow`: OpenCV's DIS) and judges it (`MotionVerdict`).
public enum MotionAnalyzer {
  /// Small copies of every pair's flow, kept for the report's colour-wheel video.
  public struct FlowFields {
    public var width: Int
    public var height: Int
    /// Per pair: dx, dy per pixel, in the clip's pixels.
    public var fields: [[Float]]
  }

  /// OpenCV's version, which does the optical flow; nil in a build without it.
  public static var openCVVersion: String? { OpticalFlow.isAvailable ? OpticalFlow.openCVVersion : nil }

  /// Long side of the kept flow fields (and so of the report's flow video).
  public static let flowPictureSide = 320

  /// Refuses `--analyze` before any work when it cannot run: a build without OpenCV, or fewer than 2 frames.
  public static func checkCanAnalyze(frames: Int) throws {
    guard OpticalFlow.isAvailable else {
      throw SettingsError("--analyze needs OpenCV, and this i2v was built without it (I2V_MEDIA=png); use a full "
        + "build, or leave out --analyze")
    }
    guard frames >= 2 else {
      throw SettingsError("--analyze measures motion between frames: it needs at least 2 (got --frames \(frames))")
    }
  }

  /// Measures `frames` (at least 2, one size) played at `fps`. `keepFlow` keeps each pair's flow for pictures.
  /// `progress(done, total)` is called after each frame.
  public static func analyze(_ frames: [RGBImage], fps: Double, fpsSource: String,
                             thresholds: MotionThresholds = MotionThresholds(), keepFlow: Bool = false,
                             progress: (Int, Int) -> Void = { _, _ in }) throws -> (MotionAnalysis, FlowFields?)
  {
    guard frames.count >= 2, let first = frames.first else {
      throw MotionAnalysisError("motion needs at least 2 frames (got \(frames.count))")
    }
    guard OpticalFlow.isAvailable else {
      throw MotionAnalysisError("motion analysis needs OpenCV, and this i2v was built without it (I2V_MEDIA=png); "
        + "use a full build")
    }
    let (w, h) = (first.width, first.height)
    let flow = try OpticalFlow(width: w, height: h)
    let pictureSize = OpticalFlow.fit(width: w, height: h, side: flowPictureSide, even: true)
    var raw: [OpticalFlow.PairFlow] = []
    var sharpness: [Double] = []
    var fields: [[Float]] = []
    for (i, frame) in frames.enumerated() {
      let r = try flow.add(frame, flowSize: keepFlow ? pictureSize : nil)
      sharpness.append(r.sharpness)
      if let pair = r.pair { raw.append(pair) }
      if let f = r.flow { fields.append(f) }
      progress(i + 1, frames.count)
    }
    let diagonal = (Double(w * w + h * h)).squareRoot()
    let pairs = measurePairs(raw, diagonal: diagonal, thresholds: thresholds)
    let clip = summarize(pairs, sharpness: sharpness, width: w, height: h, diagonal: diagonal, fps: fps,
                         fpsSource: fpsSource)
    let work = OpticalFlow.fit(width: w, height: h, side: OpticalFlow.workingSide, even: false)
    let method = "DIS optical flow (OpenCV \(OpticalFlow.openCVVersion), preset medium) at \(work.width)x\(work.height)"
    let analysis = MotionAnalysis(method: method, clip: clip, verdict: MotionVerdict.judge(clip, thresholds: thresholds),
                                  thresholds: thresholds, pairs: pairs, sharpness: sharpness.map { round($0, 2) })
    let kept = keepFlow ? FlowFields(width: pictureSize.width, height: pictureSize.height, fields: fields) : nil
    return (analysis, kept)
  }

  /// Per-pair records: frozen pairs, scene cuts (against the clip's median warp error), and jitter left out next
  /// to a cut (the flow across a cut is meaningless).
  static func measurePairs(_ raw: [OpticalFlow.PairFlow], diagonal: Double, thresholds t: MotionThresholds)
    -> [PairMeasures]
  {
    let median = Self.median(raw.map(\.unexplained))
    let isCut = raw.map { $0.unexplained >= t.cutChange && $0.unexplained >= t.cutFactor * median }
    let pct = { (px: Double) in round(100 * px / diagonal, 4) }
    return raw.enumerated().map { i, p in
      let nearCut = isCut[i] || (i > 0 && isCut[i - 1])
      let jitter: Double? = p.jitter < 0 || nearCut ? nil : p.jitter
      return PairMeasures(
        pair: i, motionPixels: round(p.magnitude, 4), motionPercent: pct(p.magnitude), driftX: round(p.mean_dx, 4),
        driftY: round(p.mean_dy, 4), jitterPixels: jitter.map { round($0, 4) }, jitterPercent: jitter.map(pct),
        warpError: round(p.warp_error, 3), brightnessShift: round(p.brightness_shift, 3),
        unexplained: round(p.unexplained, 3), tracked: round(p.tracked_fraction, 4),
        frameDifference: round(p.frame_difference, 3), frozen: p.frame_difference < t.frozenDifference, cut: isCut[i])
    }
  }

  static func summarize(_ pairs: [PairMeasures], sharpness: [Double], width: Int, height: Int, diagonal: Double,
                        fps: Double, fpsSource: String) -> ClipMeasures
  {
    let kept = pairs.filter { !$0.cut }
    let motion = mean(kept.map(\.motionPixels))
    let jitter = mean(kept.compactMap(\.jitterPixels))
    let warp = kept.map(\.warpError)
    let frozen = pairs.filter(\.frozen).count
    // The last quarter of the frames (at least one), against frame 0.
    let tail = Array(sharpness.suffix(max(1, sharpness.count / 4)))
    let first = sharpness[0], end = median(tail)
    let drop = first > 0 && first.isFinite && end.isFinite ? max(0, 1 - end / first) : 0
    let pct = { (px: Double) in 100 * px / diagonal }
    return ClipMeasures(
      frames: sharpness.count, width: width, height: height, diagonal: round(diagonal, 2), fps: round(fps, 3),
      fpsSource: fpsSource, motionPixels: round(motion, 4), motionPercent: round(pct(motion), 4),
      motionPercentPerSecond: round(pct(motion) * fps, 4), jitterPixels: round(jitter, 4),
      jitterPercent: round(pct(jitter), 4), jitterRatio: round(motion > 0 ? jitter / motion : 0, 4),
      warpError: round(mean(warp), 3), warpErrorMax: round(warp.max() ?? 0, 3), frozenPairs: frozen,
      frozenFraction: round(Double(frozen) / Double(max(1, pairs.count)), 4), cuts: pairs.filter(\.cut).map(\.pair),
      sharpnessFirst: round(first, 2), sharpnessMedian: round(median(sharpness), 2), sharpnessEnd: round(end, 2),
      sharpnessDrop: round(drop, 4))
  }

  static func mean(_ v: [Double]) -> Double { v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count) }

  static func median(_ v: [Double]) -> Double {
    guard !v.isEmpty else { return 0 }
    let s = v.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  /// Values in JSON and tables keep a sensible number of decimals (and infinity, a frame too small to measure
  /// sharpness, becomes a large finite number JSON can hold).
  static func round(_ v: Double, _ digits: Int) -> Double {
    guard v.isFinite else { return v > 0 ? 1e9 : 0 }
    let scale = pow(10, Double(digits))
    return (v * scale).rounded() / scale
  }
}
