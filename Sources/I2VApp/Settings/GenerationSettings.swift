import I2VMedia
import I2VModels

/// The settings of one generation as a user gives them (flags, or a batch manifest row over the flags): nil means
/// "the preset's value". `GenerationSession.prepare` resolves them against the preset and the model into one
/// `GenerationRequest`.
public struct GenerationSettings: Sendable, Equatable {
  public var negativePrompt: String?
  public var preset: String = "standard"
  public var steps: Int?
  public var guidance: GuidanceSetting?
  public var frames: Int?
  public var fps: Int?
  public var conditioningFps: Int?
  public var width: Int?
  public var height: Int?
  public var seed: UInt64?
  public var decodeChunkSize = 1
  /// `.weighted`: A1111's `(word:1.2)` syntax; nil = the preset's (plain unless it says otherwise).
  public var promptSyntax: PromptSyntax?
  /// Read prompts past 75 tokens in chunks instead of cutting them; nil = the preset's (off unless it says).
  public var longPrompt: Bool?
  /// How guidance changes over the steps, and its value at the last step; nil = the preset's (constant unless it
  /// says otherwise).
  public var guidanceSchedule: GuidanceSchedule.Shape?
  public var guidanceEnd: Double?
  /// The sampler swapped into the pipeline; nil = the preset's (ddim unless it says otherwise).
  public var scheduler: SchedulerKind?
  /// DeepCache feature reuse between denoising steps; nil = the preset's (off unless it says otherwise).
  public var cache: FeatureCache?
  /// Write `interpolate` times the frames at `interpolate` times the frame rate (same duration); nil or 1: off.
  public var interpolate: Int?
  public var interpolateMode: FrameInterpolation.Mode = .motion
  /// A sound track for the video (MP4: AAC, WebM: Opus), cut to the video's length with a short fade-out.
  public var audio: String?
  /// Choose the number of frames so the video lasts as long as `audio` (round(duration × fps)).
  public var fitToAudio = false
  public var overwrite = false
  public var crf: Int?
  /// Write the prompt and seed into the video file's metadata (they are in the sidecar either way).
  public var metadata = true
  /// The prompt's text cleanup before BPE (`basic`: as transformers without ftfy installed).
  public var textCleanup: TextCleanup = .ftfy
  /// Clips chained into one video: clip k+1 starts from clip k's last written frame, with seed + k (see `ClipChain`).
  public var clips = 1
  /// `--clips auto` (with `--fit-to-audio`): as many clips as the sound needs (`AudioClipFit`); `clips` is then unused.
  public var clipsFromAudio = false
  /// Frames cross-faded at each join (`ClipJoin`); 0: a plain cut.
  public var joinBlend = 0
  /// One prompt per clip (`--prompt-file`); nil: the item's prompt for every clip.
  public var clipPrompts: [String]?
  /// Measure the written video's motion (`MotionAnalyzer`) and record it in the sidecar.
  public var analyze = false

  public init() {}

  /// Values that can never work, whatever the preset and model (sizes against the model come later).
  public func validate() throws {
    if let s = steps, s < 1 { throw SettingsError("--steps must be at least 1 (got \(s))") }
    if let f = frames, f < 1 { throw SettingsError("--frames must be at least 1 (got \(f))") }
    if let f = fps, f < 1 { throw SettingsError("--fps must be at least 1 (got \(f))") }
    if let f = conditioningFps, f < 1 { throw SettingsError("--conditioning-fps must be at least 1 (got \(f))") }
    if case .scale(let g)? = guidance, !(g.isFinite && g >= 0 && g <= GenerationRequest.maxGuidance) {
      throw SettingsError("--guidance must be between 0 and \(Int(GenerationRequest.maxGuidance)) or 'auto' (got \(g))")
    }
    if let e = guidanceEnd, !(e.isFinite && e >= 0 && e <= GenerationRequest.maxGuidance) {
      throw SettingsError("--guidance-end must be between 0 and \(Int(GenerationRequest.maxGuidance)) (got \(e))")
    }
    if let n = interpolate, !(1...16).contains(n) {
      throw SettingsError("--interpolate must be between 2 and 16 (1: off; got \(n))")
    }
    if fitToAudio && audio == nil {
      throw SettingsError("--fit-to-audio needs a sound track: add --audio FILE")
    }
    if clipsFromAudio && !fitToAudio {
      throw SettingsError("--clips auto chooses the number of clips from the sound's length: add --audio FILE "
        + "--fit-to-audio, or give a number of clips")
    }
    if clipsFromAudio, let p = clipPrompts {
      throw SettingsError("--clips auto cannot follow a prompt file: its \(p.count) line(s) fix the number of clips"
        + "\n  fix: pass --clips \(p.count), or leave out the prompt file")
    }
    if fitToAudio, !clipsFromAudio, let f = frames {
      throw SettingsError("--fit-to-audio chooses the number of frames from the sound's length; leave out --frames "
        + "(got \(f)), or --fit-to-audio to keep \(f) frames and cut the sound")
    }
    if guidanceSchedule == .constant && guidanceEnd != nil {
      throw SettingsError("--guidance-end needs a changing schedule: add --guidance-schedule linear or cosine")
    }
    if !(1...ClipChain.maxClips).contains(clips) {
      throw SettingsError("--clips must be between 1 and \(ClipChain.maxClips) (got \(clips))")
    }
    if joinBlend < 0 { throw SettingsError("--join-blend must be 0 or more frames (got \(joinBlend))") }
    if joinBlend > 0 && clips < 2 && !clipsFromAudio { throw SettingsError("--join-blend \(joinBlend) needs --clips 2 or more") }
    if let p = clipPrompts, p.count != clips {
      throw SettingsError("the prompt file has \(p.count) prompt(s) (one per non-empty line) but --clips is "
        + "\(clips)\n  fix: give one line per clip, or pass --clips \(p.count)")
    }
    // Multiples of the VAE's scale are checked against the model (`GenerationSession.prepare`).
    let side = GenerationRequest.maxSide
    if let w = width, w < 1 || w > side { throw SettingsError("--width must be between 1 and \(side) (got \(w))") }
    if let h = height, h < 1 || h > side { throw SettingsError("--height must be between 1 and \(side) (got \(h))") }
    if decodeChunkSize < 1 { throw SettingsError("--decode-chunk-size must be at least 1") }
    if let c = crf, c < 0 || c > 63 { throw SettingsError("--crf must be between 0 and 63") }
  }
}
