// Which output format a path asks for.
import Foundation

/// Output formats. The format follows the output path:
///
/// - `.mp4` / `.m4v` → H.264 MP4, `.webm` → VP9 WebM, `.gif` → looping GIF;
/// - a path ending in `/`, an existing directory, or a name without an extension → a folder of PNG frames
///   `frame_0000.png`, `frame_0001.png`, ... (4 digits, more only past 9999 frames).
///
/// Anything else (including `.png`: one file cannot hold a clip) is refused with a suggestion.
public enum VideoFormat: String, Sendable, CaseIterable {
  case mp4
  case webm
  case gif
  case pngFrames

  public var displayName: String {
    switch self {
    case .mp4: return "MP4 (H.264)"
    case .webm: return "WebM (VP9)"
    case .gif: return "GIF"
    case .pngFrames: return "PNG frames"
    }
  }

  /// Decides the format for an output path (which need not exist yet).
  public static func forOutput(path: String) throws -> VideoFormat {
    guard !path.isEmpty else { throw MediaError.invalidOutput(path: path, reason: "the output path is empty") }
    if path.hasSuffix("/") { return .pngFrames }
    let ext = (path as NSString).pathExtension.lowercased()
    switch ext {
    case "mp4", "m4v": return .mp4
    case "webm": return .webm
    case "gif": return .gif
    case "":
      return .pngFrames
    case "png", "jpg", "jpeg", "webp", "bmp", "tif", "tiff":
      throw MediaError.invalidOutput(
        path: path,
        reason: "'.\(ext)' is a single-image format; for one image per frame give a folder (e.g. "
          + "'\((path as NSString).deletingPathExtension)/'), or use .mp4, .webm or .gif")
    default:
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        return .pngFrames
      }
      throw MediaError.invalidOutput(
        path: path,
        reason: "unsupported output extension '.\(ext)'; use .mp4 (H.264), .webm (VP9), .gif, or a folder "
          + "(ending in '/') for PNG frames")
    }
  }
}
