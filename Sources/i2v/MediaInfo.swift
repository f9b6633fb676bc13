/// Versions of the media libraries, for `i2v info`.
enum MediaInfo {
  static func versions() -> [(String, String)] { [] }
}
