/// Everything that can go wrong reading or writing media. Each message names the file, says what is wrong
/// and, where there is one, how to fix it; `description` is ready to print after "error: ".
public enum MediaError: Error, Equatable, CustomStringConvertible {
  /// The input path does not exist.
  case fileNotFound(path: String)
  /// The input exists but cannot be read (permissions, a directory, I/O error).
  case unreadable(path: String, reason: String)
  /// The input has zero bytes.
  case emptyFile(path: String)
  /// The content is not a still image (text, audio, video, unknown bytes).
  case notAnImage(path: String, reason: String)
  /// A recognised format or variant that this build cannot handle (HEIC, AVIF, JPEG XL, missing encoder, ...).
  case unsupportedFormat(path: String, reason: String)
  /// Truncated or damaged data.
  case corrupt(path: String, reason: String)
  /// More pixels than the limit (checked from the header, before decoding).
  case tooManyPixels(path: String, reason: String)
  /// The output exists and overwriting was not allowed.
  case outputExists(path: String)
  /// The output path cannot be used (unknown extension, missing folder, a directory in the way, ...).
  case invalidOutput(path: String, reason: String)
  /// Encoding or writing failed; nothing was left at the output path.
  case writeFailed(path: String, reason: String)
  /// The frames themselves are unusable (none, sizes differ, wrong byte count, bad options).
  case invalidFrames(reason: String)
  /// An allocation failed.
  case outOfMemory(path: String, reason: String)
  /// A sound track (`--audio`) that cannot be used: not media, no audio stream, damaged sound.
  case badAudio(path: String, reason: String)

  public var description: String {
    switch self {
    case .fileNotFound(let path):
      return "'\(path)' does not exist; check the path"
    case .unreadable(let path, let reason):
      return "cannot read '\(path)': \(reason)"
    case .emptyFile(let path):
      return "input image '\(path)' is empty (0 bytes); re-export or re-download it"
    case .notAnImage(let path, let reason):
      return "'\(path)' is \(reason); give a PNG, JPEG, WebP, BMP, TIFF or GIF image"
    case .unsupportedFormat(let path, let reason):
      return "'\(path)': \(reason)"
    case .corrupt(let path, let reason):
      return "cannot decode '\(path)': \(reason); the file is damaged or incomplete, re-export or re-download it"
    case .tooManyPixels(let path, let reason):
      return "'\(path)' is too large: \(reason); downscale it first"
    case .outputExists(let path):
      return "output '\(path)' already exists; pass --overwrite to replace it, or choose another name"
    case .invalidOutput(let path, let reason):
      return "cannot write '\(path)': \(reason)"
    case .writeFailed(let path, let reason):
      return "writing '\(path)' failed: \(reason) (no partial output was left)"
    case .invalidFrames(let reason):
      return reason
    case .outOfMemory(let path, let reason):
      return "out of memory while processing '\(path)': \(reason)"
    case .badAudio(let path, let reason):
      return "cannot use '\(path)' as the sound track: \(reason); give an audio file FFmpeg reads (WAV, MP3, "
        + "M4A/AAC, FLAC, Ogg, Opus, or a video with sound)"
    }
  }
}
