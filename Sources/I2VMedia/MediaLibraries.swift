// What the media layer runs on, for `i2v info` and bug reports.
import CMedia

public enum MediaLibraries {
  /// False for builds made with `I2V_MEDIA=png` (CMedia compiled without FFmpeg): PNG input and PNG-frame output
  /// only.
  public static var hasFFmpeg: Bool { cm_has_ffmpeg() != 0 }

  /// "this i2v build has no FFmpeg (built with I2V_MEDIA=png)": what every FFmpeg-only request of such a build
  /// is refused with (followed by what to do instead).
  public static let noFFmpegMessage = CM_NO_FFMPEG_MESSAGE

  /// ("libavcodec", "59.37.100"), ... ("libpng", "1.6.39"), ("libjpeg-turbo", "2.1.5"), ("libtiff", ...),
  /// ("libwebp", ...), ("giflib", ...), then which video and sound encoders this FFmpeg build has.
  /// Without FFmpeg: ("media", "libpng only ..."), ("libpng", "1.6.39").
  public static func versions() -> [(String, String)] {
    guard hasFFmpeg else {
      return [
        ("media", "libpng only (built with I2V_MEDIA=png: PNG input, PNG-frame output; no FFmpeg)"),
        ("libpng", String(cString: cm_libpng_version())),
      ]
    }
    var result: [(String, String)] = []
    for part in String(cString: cm_ffmpeg_versions()).split(separator: ",") {
      let words = part.split(separator: " ")
      if words.count == 2 { result.append((String(words[0]), String(words[1]))) }
    }
    result.append(("libpng", String(cString: cm_libpng_version())))
    for part in String(cString: cm_decoder_versions()).split(separator: ",") {
      let words = part.split(separator: " ")
      if words.count == 2 { result.append((String(words[0]), String(words[1]))) }
    }
    let encoders = [("libx264", CM_FORMAT_MP4), ("libvpx-vp9", CM_FORMAT_WEBM), ("gif", CM_FORMAT_GIF)].map {
      "\($0.0) " + (cm_encoder_available(Int32($0.1.rawValue)) != 0 ? "yes" : "MISSING")
    }
    result.append(("encoders", encoders.joined(separator: ", ")))
    let sound = [("aac", CM_FORMAT_MP4), ("libopus", CM_FORMAT_WEBM)].map {
      "\($0.0) " + (cm_audio_encoder_available(Int32($0.1.rawValue)) != 0 ? "yes" : "MISSING")
    }
    result.append(("sound encoders", sound.joined(separator: ", ")))
    return result
  }
}
