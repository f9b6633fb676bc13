// What a video is written with: frame rate, quality, overwrite policy, metadata.

/// Provenance written into the output where the format has a place for it.
///
/// | format     | where                                                                  |
/// |------------|------------------------------------------------------------------------|
/// | MP4        | `description` = prompt, `comment` = summary (iTunes-style ilst atoms)  |
/// | WebM       | `DESCRIPTION` = prompt, `COMMENT` = summary (Matroska tags)            |
/// | PNG frames | `Description` = prompt, `Comment` = summary, `Software` (tEXt / iTXt)  |
/// | GIF        | nothing (FFmpeg's GIF muxer writes no comments)                        |
///
/// The summary reads like `i2v 0.1.0; seed 42`, so `ffprobe` / `exiftool` show where a clip came from.
public struct VideoMetadata: Equatable, Sendable {
  public var prompt: String?
  public var seed: UInt64?
  public var toolVersion: String?

  public init(prompt: String? = nil, seed: UInt64? = nil, toolVersion: String? = nil) {
    self.prompt = prompt
    self.seed = seed
    self.toolVersion = toolVersion
  }

  public var isEmpty: Bool { prompt == nil && seed == nil && toolVersion == nil }

  /// "i2v 0.1.0; seed 42" (parts that are unknown are left out).
  public var summary: String {
    var parts: [String] = []
    parts.append(toolVersion.map { "i2v \($0)" } ?? "i2v")
    if let seed { parts.append("seed \(seed)") }
    return parts.joined(separator: "; ")
  }

  /// Key / value pairs for a format (see the table above).
  func tags(for format: VideoFormat) -> [(String, String)] {
    if isEmpty { return [] }
    var tags: [(String, String)] = []
    switch format {
    case .mp4, .webm:
      if let prompt { tags.append(("description", prompt)) }
      tags.append(("comment", summary))
    case .pngFrames:
      if let prompt { tags.append(("Description", prompt)) }
      tags.append(("Comment", summary))
      tags.append(("Software", toolVersion.map { "i2v \($0)" } ?? "i2v"))
    case .gif:
      break
    }
    return tags
  }
}

/// Options for `VideoWriter` / `writeVideo`.
public struct VideoWriteOptions: Sendable {
  /// Frames per second, > 0 and <= 240. Fractional rates such as 29.97 (30000/1001) are kept exact.
  public var fps: Double
  /// Constant-quality factor: lower is better and bigger. nil = the format's default (MP4 18, WebM 32).
  /// MP4 takes 0...51, WebM 0...63; GIF and PNG frames ignore it.
  public var crf: Int?
  /// Replace an existing output. Without it an existing output is an error (checked before encoding starts
  /// and again, atomically, when the finished file is renamed into place).
  public var overwrite: Bool
  /// Prompt, seed and tool version for the container (see `VideoMetadata`).
  public var metadata: VideoMetadata
  /// libx264 speed / size trade-off (MP4 only): ultrafast ... veryslow.
  public var x264Preset: String
  /// GIF palette size, 2...256.
  public var gifColors: Int
  /// Ordered dithering for GIFs whose clip has more colours than the palette (smooths gradients).
  public var gifDither: Bool
  /// zlib level for PNG frames, 0...9.
  public var pngCompressionLevel: Int
  /// A sound track (any file FFmpeg reads) for MP4 (AAC) or WebM (Opus), cut to the video's length with a
  /// fade-out of at most `audioFade` seconds, or padded with silence; GIF and PNG frames refuse it.
  public var audio: String? = nil
  public var audioFade: Double = SoundTrack.defaultFade

  public init(
    fps: Double = 8, crf: Int? = nil, overwrite: Bool = false, metadata: VideoMetadata = VideoMetadata(),
    x264Preset: String = "medium", gifColors: Int = 256, gifDither: Bool = true, pngCompressionLevel: Int = 6
  ) {
    self.fps = fps
    self.crf = crf
    self.overwrite = overwrite
    self.metadata = metadata
    self.x264Preset = x264Preset
    self.gifColors = gifColors
    self.gifDither = gifDither
    self.pngCompressionLevel = pngCompressionLevel
  }

  static let x264Presets: Set<String> = [
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo",
  ]

  /// Throws `MediaError.invalidFrames` naming the bad option and its valid range.
  func validate(for format: VideoFormat) throws {
    guard fps.isFinite, fps > 0, fps <= 240 else {
      throw MediaError.invalidFrames(reason: "invalid frame rate \(fps): use a value above 0 and at most 240")
    }
    if format == .gif, fps > 50 {
      // Browsers play GIF delays under 0.02 s as 0.1 s, so faster GIFs would play 5x too slowly.
      throw MediaError.invalidFrames(
        reason: "GIF cannot play faster than 50 fps (frame delays are whole 1/100 s and browsers slow down "
          + "shorter ones); use --fps 50 or less, or write .mp4 / .webm")
    }
    if let crf {
      let range = format == .webm ? 0...63 : 0...51
      if (format == .mp4 || format == .webm) && !range.contains(crf) {
        throw MediaError.invalidFrames(
          reason: "invalid CRF \(crf) for \(format.displayName): use \(range.lowerBound)...\(range.upperBound) "
            + "(lower is better quality; default \(format == .webm ? 32 : 18))")
      }
    }
    if format == .mp4, !Self.x264Presets.contains(x264Preset) {
      throw MediaError.invalidFrames(
        reason: "unknown x264 preset '\(x264Preset)'; use one of \(Self.x264Presets.sorted().joined(separator: ", "))")
    }
    if format == .gif, !(2...256).contains(gifColors) {
      throw MediaError.invalidFrames(reason: "invalid GIF palette size \(gifColors): use 2...256")
    }
    if let audio { try SoundTrack.check(format: format, path: audio) }
    if format == .pngFrames, !(0...9).contains(pngCompressionLevel) {
      throw MediaError.invalidFrames(reason: "invalid PNG compression level \(pngCompressionLevel): use 0...9")
    }
  }

  /// The frame rate as an exact fraction: integers stay n/1, NTSC-style rates (23.976, 29.97, 59.94: typed
  /// rounded) become n*1000/1001, anything else is rounded to 1/1000 fps.
  var frameRate: (num: Int32, den: Int32) {
    if fps == fps.rounded() { return (Int32(fps), 1) }
    let k = (fps * 1.001).rounded()
    if abs(fps - k * 1000 / 1001) < 0.005 { return (Int32(k) * 1000, 1001) }
    var num = Int((fps * 1000).rounded()), den = 1000
    var a = num, b = den
    while b != 0 { (a, b) = (b, a % b) }
    num /= a
    den /= a
    return (Int32(num), Int32(den))
  }
}
