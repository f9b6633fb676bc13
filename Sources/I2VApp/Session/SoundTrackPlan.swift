import I2VMedia

/// How an item's sound track (`--audio`) and its video fit together, decided by `GenerationSession.prepare`
/// from a full decode of the sound, before any weights load: the frame count (`--fit-to-audio`: as long as the
/// sound), the fade-out where the sound is cut, and a warning when the two lengths differ by more than a frame.
public struct SoundTrackPlan: Sendable {
  /// I2VGen-XL was trained on 16 frames and falls apart well before this; memory grows with every frame too.
  public static let maxFrames = 64
  /// The fade-out where a fitted clip cuts its sound (at most half a frame is cut): just enough not to click.
  public static let fitFade = 0.01

  public let audio: AudioInfo
  public let fit: Bool
  /// Frames to generate (before `--interpolate`) and their rate.
  public let frames: Int
  public let fps: Int
  /// The longest fade-out the writer may apply (it uses at most an eighth of the clip).
  public let fade: Double
  public let warnings: [String]

  public var videoSeconds: Double { Double(frames) / Double(fps) }

  /// `frames`: the settings' count, replaced by round(duration × fps) with `fit`; `chained`: the frames of
  /// several clips (`AudioClipFit`), which one clip's limit does not bound.
  public init(audio: AudioInfo, fit: Bool, frames settingsFrames: Int, fps: Int, chained: Bool = false) throws {
    self.audio = audio
    self.fit = fit
    self.fps = fps
    let fitted = max(1, Int((audio.duration * Double(fps)).rounded()))
    if fit && !chained && fitted > Self.maxFrames {
      let limit = Double(Self.maxFrames) / Double(fps)
      throw SettingsError("--fit-to-audio: '\(audio.path)' lasts \(Format.fixed(audio.duration, 2)) s, which needs "
        + "\(fitted) frames at \(fps) fps; I2VGen-XL makes at most \(Self.maxFrames) frames in one clip (it was trained "
        + "on 16 and quality falls beyond). Shorten the sound to \(Format.fixed(limit, 2)) s or less, lower --fps, or "
        + "leave out --fit-to-audio to cut the sound at the video's end")
    }
    frames = fit ? fitted : settingsFrames
    fade = fit ? Self.fitFade : SoundTrack.defaultFade
    let note = Self.mismatch(audio: audio, frames: frames, fps: Double(fps), fade: fade,
                             fix: fitted <= Self.maxFrames || chained
                               ? "--fit-to-audio makes \(fitted) frames so the video lasts as long as the sound"
                               : "the sound is longer than the \(Self.maxFrames) frames one clip can hold; shorten it "
                                 + "for --fit-to-audio")
    warnings = note.map { [$0] } ?? []
  }

  /// The warning for a sound and a video of `frames` at `fps` whose lengths differ by more than one frame (within
  /// a frame they are as close as whole frames allow; beyond it the mismatch shows: "lips late"), saying what the
  /// writer does about it and `fix`; nil when they match.
  public static func mismatch(audio: AudioInfo, frames: Int, fps: Double, fade: Double, fix: String) -> String? {
    let video = Double(frames) / fps
    let gap = audio.duration - video
    guard abs(gap) > 1 / fps else { return nil }
    let rate = fps == fps.rounded() ? String(Int(fps)) : Format.fixed(fps, 3)
    let what = "the sound track '\(audio.path)' lasts \(Format.fixed(audio.duration, 2)) s, "
      + "\(gap > 0 ? "longer" : "shorter") than the video (\(Format.fixed(video, 2)) s: \(frames) frames at \(rate) fps)"
    let done = gap > 0
      ? "cut at \(Format.fixed(video, 2)) s with a \(Format.fixed(min(fade, video / 8), 2)) s fade-out"
      : "the last \(Format.fixed(-gap, 2)) s are silent"
    return "\(what): \(done); \(fix)"
  }
}
