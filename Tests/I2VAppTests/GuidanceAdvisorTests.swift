import Foundation
import Testing

@testable import I2VApp

/// `--guidance auto` on example prompts of every motion class, and the safe-range warnings.
@Suite struct GuidanceAdvisorTests {
  func advise(_ prompt: String) -> GuidanceAdvisor.Advice { GuidanceAdvisor.advise(prompt: prompt) }

  @Test(arguments: [
    // (prompt, class, scale, words that must be named)
    ("a candle flickering on a table", "subtle", 7.0, ["flickering"]),
    ("a woman gently smiling, hair swaying in the breeze", "subtle", 8.0, ["gently", "smiling", "swaying", "breeze"]),
    ("a cat turning its head", "moderate", 9.0, ["turning"]),
    ("a man walks quickly down the street", "moderate", 9.5, ["walks", "quickly"]),
    ("waves crashing on the rocks", "strong", 11.0, ["crashing"]),
    ("a horse galloping wildly across the field", "strong", 11.5, ["galloping", "wildly"]),
    ("slow zoom in on a castle", "camera", 10.0, ["zoom"]),
    ("aerial shot, the camera orbits the lighthouse", "camera", 10.5, ["aerial", "orbits"]),
    ("a dog running and jumping", "combined", 11.5, ["running", "jumping"]),
    ("a girl waving and nodding", "combined", 11.0, ["waving", "nodding"]),
    ("a skater spinning while the camera pans, the crowd jumping and dancing", "combined", 12.5,
     ["spinning", "jumping", "dancing", "pans"]),
  ] as [(String, String, Double, [String])])
  func motionClasses(prompt: String, motion: String, scale: Double, words: [String]) {
    let a = advise(prompt)
    #expect(a.motion?.rawValue == motion, "\(prompt): \(a)")
    #expect(a.scale == scale, "\(prompt): \(a)")
    for w in words { #expect(a.words.contains(w) && a.reason.contains("'\(w)'"), "\(prompt): '\(w)' not named: \(a.reason)") }
    if let m = a.motion, let s = a.scale { #expect(m.range.contains(s)) }
  }

  @Test func noMotionWords() {
    let a = advise("a still life of apples on a wooden table, oil painting")
    #expect(a.scale == nil && a.motion == nil && a.words.isEmpty)
    #expect(a.reason == "no motion words in the prompt")
  }

  /// Phrases claim their words: "camera moving" is camera motion, not camera + the action "moving".
  @Test func phrasesAreNotCountedTwice() {
    let a = advise("the camera moving through a forest")
    #expect(a.motion == .camera && a.words == ["camera moving"], "\(a)")
  }

  @Test func inflections() {
    for (stem, word) in [("run", "running"), ("run", "ran"), ("dance", "dancing"), ("dance", "danced"), ("fly", "flies"),
                         ("fly", "flying"), ("spin", "spinning"), ("nod", "nods"), ("sway", "swaying"),
                         ("crash", "crashes"), ("pan", "panning"), ("breathe", "breathing")]
    {
      #expect(GuidanceAdvisor.inflects(stem, to: word), "\(stem) → \(word)")
    }
    for (stem, word) in [("run", "runway"), ("pan", "panorama"), ("turn", "turnip"), ("ski", "skin"), ("row", "brown")] {
      #expect(!GuidanceAdvisor.inflects(stem, to: word), "\(stem) → \(word)")
    }
  }

  @Test func safeRangeWarnings() {
    let ok = SafeRanges.warnings(guidance: 9, steps: 50, width: 512, height: 320)
    #expect(ok.isEmpty, "\(ok)")
    let high = SafeRanges.warnings(guidance: 16, steps: 50, width: 512, height: 512)
    #expect(high.count == 1 && high[0].contains("above 15"))
    let low = SafeRanges.warnings(guidance: 1, steps: 50, width: 512, height: 512)
    #expect(low.count == 1 && low[0].contains("below 5") && low[0].contains("guidance is off"))
    let preview = SafeRanges.warnings(guidance: 9, steps: 20, width: 512, height: 512)
    #expect(preview.count == 1 && preview[0].contains("fine for a preview, not for a final render"))
    let size = SafeRanges.warnings(guidance: 9, steps: 30, width: 520, height: 512)
    #expect(size.count == 1 && size[0].contains("multiple of 64") && size[0].contains("512x512"), "\(size)")
    #expect(SafeRanges.warnings(guidance: 20, steps: 2, width: 32, height: 32).count == 3)
  }
}

/// Help and README say what the code does: their guidance rule of thumb and warning thresholds are the ones the
/// advisor and `SafeRanges` use (the help text is generated from them; the README is checked here).
@Suite struct GuidanceDocsTests {
  static let readme: String = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    return (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
  }()

  /// The README folds lines; compare with whitespace collapsed.
  static func flat(_ s: String) -> String { s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }

  @Test func readmeStatesTheAdvisorsRanges() {
    #expect(Self.flat(Self.readme).contains(GuidanceAdvisor.summary), "README guidance line is out of date")
  }

  @Test func readmeStatesTheWarningThresholds() {
    #expect(Self.flat(Self.readme).contains(GuidanceAdvisor.warningSummary), "README warning line is out of date")
  }

  @Test func summaryFollowsTheRanges() {
    #expect(GuidanceAdvisor.summary.contains("subtle (blinking, swaying) 7-8"))
    #expect(GuidanceAdvisor.summary.contains("11-12.5"))
  }
}
