import Foundation
import I2VApp
import I2VImage
import Testing

/// The motion measures and verdicts on synthetic clips whose answer is known (`SyntheticClips`): these clips are
/// what the thresholds in `MotionThresholds` were chosen from.
@Suite struct MotionVerdictTests {
  func analyze(_ frames: [RGBImage], fps: Double = SyntheticClips.fps) throws -> MotionAnalysis {
    try MotionAnalyzer.analyze(frames, fps: fps, fpsSource: "test").0
  }

  @Test func smoothPanIsGood() throws {
    let a = try analyze(SyntheticClips.pan())
    #expect(a.verdict.isGood, "\(a.verdict.findings)")
    // The window moves (2, 1) px per frame, so the picture in it moves (-2, -1): the flow says so.
    #expect(abs(a.clip.motionPixels - 5.0.squareRoot()) < 0.1)
    for p in a.pairs {
      #expect(abs(p.driftX + 2) < 0.2 && abs(p.driftY + 1) < 0.2, "\(p)")
      #expect(!p.frozen && !p.cut)
    }
    #expect(a.pairs[0].jitterPixels == nil && a.pairs[1].jitterPixels != nil)
  }

  @Test func stillPictureIsTooWeak() throws {
    let a = try analyze(SyntheticClips.still())
    #expect(a.verdict.problems == [.still], "\(a.verdict.findings)")
    #expect(a.verdict.categories == [.weakMotion])
    #expect(a.clip.frozenPairs == 15 && a.clip.motionPixels < 0.01)
  }

  @Test func slowDriftIsTooWeak() throws {
    // From a half-pixel offset: every frame is equally soft from the bilinear shift (from a whole pixel, frame 0
    // would be sharper than the rest).
    let a = try analyze(SyntheticClips.pan(speed: 0.05, start: 20.5))
    #expect(a.verdict.categories == [.weakMotion], "\(a.verdict.findings)")
  }

  @Test func randomJumpsAreJittery() throws {
    let a = try analyze(SyntheticClips.jumps())
    #expect(a.verdict.problems.contains(.jittery), "\(a.verdict.findings)")
    #expect(a.verdict.categories == [.distorted])
  }

  @Test func flickerIsCaught() throws {
    let a = try analyze(SyntheticClips.flicker())
    #expect(a.verdict.problems == [.flicker], "\(a.verdict.findings)")
    #expect(a.pairs.allSatisfy { abs(abs($0.brightnessShift) - 24) < 3 }, "each pair changes by 2 x 12 levels")
  }

  @Test func blurIsCaught() throws {
    let a = try analyze(SyntheticClips.blurred())
    #expect(a.verdict.problems == [.blurry], "\(a.verdict.findings)")
    let s = try analyze(SyntheticClips.softening())
    #expect(s.verdict.problems == [.softening], "\(s.verdict.findings)")
  }

  @Test func sceneCutIsFoundAndLeftOut() throws {
    let a = try analyze(SyntheticClips.cut())
    #expect(a.clip.cuts == [7], "\(a.pairs.map(\.warpError))")
    #expect(a.verdict.problems == [.sceneCut], "\(a.verdict.findings)")
    #expect(a.pairs[7].jitterPixels == nil && a.pairs[8].jitterPixels == nil)
    #expect(abs(a.clip.motionPixels - 5.0.squareRoot()) < 0.1, "the cut is not counted as motion")
  }

  /// The limits sit between clips that must pass and clips that must not (README lists the measured values).
  @Test func thresholdsSitBetweenKnownClips() throws {
    // Flicker of 2 levels up and down (warp error 4.0) passes; 4 levels (8.0) does not.
    #expect(try !analyze(SyntheticClips.flicker(amplitude: 2)).verdict.problems.contains(.flicker))
    #expect(try analyze(SyntheticClips.flicker(amplitude: 4)).verdict.problems == [.flicker])
    // Jumps of a single pixel are jitter already (ratio 0.85; a smooth pan's is 0.1).
    #expect(try analyze(SyntheticClips.jumps(amplitude: 1)).verdict.problems == [.jittery])
    // 0.1 px per frame (0.35% of the diagonal per second) is too weak, 0.2 px (0.8%) is motion.
    #expect(try analyze(SyntheticClips.pan(speed: 0.1, start: 20.5)).verdict.problems == [.weakMotion])
    #expect(try analyze(SyntheticClips.pan(speed: 0.2, start: 20.5)).verdict.isGood)
    // One 3x3 box blur of every frame (sharpness 35) is blurry.
    #expect(try analyze(SyntheticClips.blurred(passes: 1)).verdict.problems == [.blurry])
  }

  /// Motion per second does not depend on the frame rate: the pan at half the speed and twice the rate (what
  /// interpolation makes of it) has the same.
  @Test func motionPerSecondIgnoresTheFrameRate() throws {
    let normal = try analyze(SyntheticClips.pan(speed: 2)).clip
    let doubled = try analyze(SyntheticClips.pan(speed: 1, frames: 31), fps: 16).clip
    #expect(abs(doubled.motionPixels * 2 - normal.motionPixels) < 0.1)
    #expect(abs(doubled.motionPercentPerSecond / normal.motionPercentPerSecond - 1) < 0.05)
  }

  /// Sharpness is the input-image check's: the same number from OpenCV as from its Swift code.
  @Test func sharpnessIsTheInputChecksMeasure() throws {
    for frame in [SyntheticClips.pan()[3], SyntheticClips.blurred(passes: 1)[0]] {
      let a = try analyze([frame, frame]).sharpness[0]
      let b = InputImageAdvisor.measure(frame, width: frame.width, height: frame.height).sharpness
      #expect(abs(a - b) < 0.01 * b, "\(a) vs \(b)")
    }
  }

  @Test func needsTwoFrames() throws {
    #expect(throws: MotionAnalysisError.self) { try analyze([SyntheticClips.pan()[0]]) }
  }
}
