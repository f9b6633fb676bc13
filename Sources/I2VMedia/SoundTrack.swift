// Sound tracks: what an audio file holds (probed by decoding it), and what a writer did with it.
import CMedia

/// An audio file as FFmpeg decodes it.
public struct AudioInfo: Equatable, Sendable {
  public let path: String
  /// Seconds of sound, counted from the decoded samples (a header's estimate can be off for MP3 and the like).
  public let duration: Double
  public let sampleRate: Int
  public let channels: Int
  /// FFmpeg's name of its codec: "pcm_s16le", "mp3", "aac", "flac", "opus", ...
  public let codec: String
}

/// What `VideoWriter` did with a sound track (`VideoWriteOptions.audio`).
public struct SoundTrackReport: Equatable, Sendable {
  /// "aac" (MP4) or "opus" (WebM).
  public let codec: String
  public let sampleRate: Int
  public let channels: Int
  /// The audio stream's length: the video's, to the sample.
  public let seconds: Double
  /// Silence added after a sound shorter than the video.
  public let paddedSeconds: Double
  /// The fade-out applied when the sound was longer than the video and cut (0 otherwise).
  public let fadeSeconds: Double
  public let cut: Bool

  init(_ r: cm_audio_report) {
    codec = string(fromCCharTuple: r.codec)
    sampleRate = Int(r.sample_rate)
    channels = Int(r.channels)
    seconds = r.written_seconds
    paddedSeconds = r.padded_seconds
    fadeSeconds = r.fade_seconds
    cut = r.cut != 0
  }
}

public enum SoundTrack {
  /// The fade-out of a sound cut at the video's end: 0.25 s, or an eighth of a clip shorter than 2 s.
  public static let defaultFade = 0.25

  /// Decodes `path` to its end: a file that is not media, has no audio stream or has damaged sound throws
  /// `MediaError.badAudio` (missing: `.fileNotFound`), so it fails before any long work.
  public static func probe(path: String) throws -> AudioInfo {
    var info = cm_audio_info()
    var err = CErrorBuffer()
    let status = err.call { cm_audio_probe(path, &info, $0, $1) }
    guard status == Int32(CM_OK.rawValue) else {
      if status == Int32(CM_ERR_NOT_FOUND.rawValue) { throw MediaError.fileNotFound(path: path) }
      throw MediaError.badAudio(path: path, reason: err.message)
    }
    return AudioInfo(path: path, duration: info.duration, sampleRate: Int(info.sample_rate),
                     channels: Int(info.channels), codec: string(fromCCharTuple: info.codec))
  }

  /// Whether `format` can carry a sound track in this build (MP4: FFmpeg's AAC encoder; WebM: libopus).
  public static func check(format: VideoFormat, path: String) throws {
    switch format {
    case .gif, .pngFrames:
      throw MediaError.invalidFrames(
        reason: "--audio: \(format.displayName) output has no sound track; write .mp4 (AAC sound) or .webm (Opus "
          + "sound) instead of '\(path)', or leave out --audio")
    case .mp4, .webm:
      let needed = format == .mp4 ? CM_FORMAT_MP4 : CM_FORMAT_WEBM
      guard cm_audio_encoder_available(Int32(needed.rawValue)) != 0 else {
        let reason = MediaLibraries.hasFFmpeg
          ? "this FFmpeg build has no \(format == .mp4 ? "AAC" : "libopus") encoder for the sound track"
          : "sound tracks need FFmpeg, but \(MediaLibraries.noFFmpegMessage)"
        throw MediaError.unsupportedFormat(path: path, reason: reason + "; leave out --audio or use a full build")
      }
    }
  }
}
