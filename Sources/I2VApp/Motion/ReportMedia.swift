import Foundation
import I2VImage
import I2VMedia

/// The videos a motion report embeds, as bytes: the clip itself when browsers can play it, else (and for the flow
/// pictures) frames encoded as H.264 MP4 through `VideoWriter` in a temporary folder.
enum ReportMedia {
  struct Embedded {
    var mime: String
    var data: Data
    /// How it was made, for the report's caption.
    var note: String
  }

  /// Codecs Chromium, Firefox and Safari play in these containers.
  static let playable: [String: (mime: String, codecs: Set<String>)] = [
    "mp4": ("video/mp4", ["h264", "av1"]), "m4v": ("video/mp4", ["h264", "av1"]), "mov": ("video/mp4", ["h264"]),
    "webm": ("video/webm", ["vp8", "vp9", "av1"]), "gif": ("image/gif", ["gif"]),
  ]

  static func clip(_ clip: MotionClip) throws -> Embedded {
    let ext = (clip.path as NSString).pathExtension.lowercased()
    if !clip.isFolder, let kind = playable[ext], kind.codecs.contains(clip.codec),
      let data = FileManager.default.contents(atPath: clip.path)
    {
      return Embedded(mime: kind.mime, data: data, note: "the file itself")
    }
    let what = clip.isFolder ? "the frames" : "the \(clip.codec) video"
    return Embedded(mime: "video/mp4", data: try encode(clip.frames, fps: clip.fps),
                    note: "\(what) encoded as H.264 for the browser")
  }

  /// `frames` as an H.264 MP4 at `fps`.
  static func encode(_ frames: [RGBImage], fps: Double) throws -> Data {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("i2v-report-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let token = InterruptCleanup.register(folder)
    defer {
      try? FileManager.default.removeItem(atPath: folder)
      InterruptCleanup.unregister(token)
    }
    let path = folder + "/clip.mp4"
    try writeVideo(frames: frames, to: path, options: VideoWriteOptions(fps: fps, crf: 20, overwrite: false))
    guard let data = FileManager.default.contents(atPath: path) else {
      throw MotionAnalysisError("cannot read back the report's video from '\(path)'")
    }
    return data
  }
}
