// What the media layer runs on, for `i2v info` and bug reports.
import CMedia

public enum MediaLibraries {
  /// ("libavcodec", "59.37.100"), ... ("libpng", "1.6.39"), then which encoders this FFmpeg build has.
  public static func versions() -> [(String, String)] {
    var result: [(String, String)] = []
    for part in String(cString: cm_ffmpeg_versions()).split(separator: ",") {
      let words = part.split(separator: " ")
      if words.count == 2 { result.append((String(words[0]), String(words[1]))) }
    }
    result.append(("libpng", String(cString: cm_libpng_version())))
    let encoders = [("libx264", CM_FORMAT_MP4), ("libvpx-vp9", CM_FORMAT_WEBM), ("gif", CM_FORMAT_GIF)].map {
      "\($0.0) " + (cm_encoder_available(Int32($0.1.rawValue)) != 0 ? "yes" : "MISSING")
    }
    result.append(("encoders", encoders.joined(separator: ", ")))
    return result
  }
}
