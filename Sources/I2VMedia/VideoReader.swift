// Reading clips back: every frame as RGB plus timing and metadata. Used to verify what VideoWriter wrote
// and to re-encode existing clips.
import CMedia
import Foundation

/// A decoded clip.
public struct DecodedVideo: Sendable {
  public let frames: [RGBImage]
  public let width: Int
  public let height: Int
  /// The stream's average frame rate as a fraction (0/0 when the container does not say, e.g. PNG frames).
  public let frameRate: (num: Int, den: Int)
  /// End of the last frame minus start of the first, from the frames' own timestamps (seconds).
  public let duration: Double
  /// What the container header says (seconds); nil when unknown.
  public let containerDuration: Double?
  /// Codec name ("h264", "vp9", "gif", "png"), its profile ("High", or "") and decoded pixel format.
  public let codec: String
  public let profile: String
  public let pixelFormat: String
  /// Container and stream tags (keys as the demuxer reports them; Matroska keys come back upper-case).
  public let metadata: [String: String]

  public var fps: Double { frameRate.den == 0 ? 0 : Double(frameRate.num) / Double(frameRate.den) }
}

public enum VideoReader {
  /// Decodes every frame of a video file, or the `frame_NNNN.png` files of a folder (in name order).
  /// `maxFrames` and `maxPixels` (per frame) guard memory.
  public static func read(path: String, maxFrames: Int = 10_000, maxPixels: Int = ImageLoader.defaultMaxPixels)
    throws -> DecodedVideo
  {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
      return try readFrameFolder(path: path, maxFrames: maxFrames, maxPixels: maxPixels)
    }
    var video = cm_video()
    var err = CErrorBuffer()
    let status = err.call { cm_video_decode_file(path, Int32(clamping: maxFrames), Int64(maxPixels), &video, $0, $1) }
    defer { cm_video_release(&video) }
    guard status == Int32(CM_OK.rawValue) else {
      throw mediaError(status: status, detail: err.message, path: path, role: .input)
    }
    let w = Int(video.width), h = Int(video.height), frameBytes = w * h * 3
    let all = UnsafeBufferPointer(start: video.frames, count: frameBytes * Int(video.frame_count))
    var frames: [RGBImage] = []
    frames.reserveCapacity(Int(video.frame_count))
    for i in 0..<Int(video.frame_count) {
      frames.append(RGBImage(unchecked: w, h, Array(all[(i * frameBytes)..<((i + 1) * frameBytes)])))
    }
    var metadata: [String: String] = [:]
    for i in 0..<Int(video.metadata_count) {
      if let key = video.metadata[2 * i], let value = video.metadata[2 * i + 1] {
        metadata[String(cString: key)] = String(cString: value)
      }
    }
    return DecodedVideo(
      frames: frames, width: w, height: h, frameRate: (Int(video.fps_num), Int(video.fps_den)),
      duration: video.stream_duration,
      containerDuration: video.container_duration >= 0 ? video.container_duration : nil,
      codec: string(fromCCharTuple: video.codec), profile: string(fromCCharTuple: video.profile),
      pixelFormat: string(fromCCharTuple: video.pixel_format), metadata: metadata)
  }

  private static func readFrameFolder(path: String, maxFrames: Int, maxPixels: Int) throws -> DecodedVideo {
    let names = try FrameFiles.list(folder: path).filter { AtomicOutput.isFrameFile(($0 as NSString).lastPathComponent) }
    guard !names.isEmpty else {
      throw MediaError.notAnImage(path: path, reason: "a folder without frame_NNNN.png files")
    }
    guard names.count <= maxFrames else {
      throw MediaError.tooManyPixels(path: path, reason: "\(names.count) frames, more than the limit of \(maxFrames)")
    }
    let frames = try names.map { try ImageLoader.load(path: $0, maxPixels: maxPixels) }
    guard let first = frames.first, frames.allSatisfy({ $0.width == first.width && $0.height == first.height }) else {
      throw MediaError.invalidFrames(reason: "the frames in '\(path)' do not all have the same size")
    }
    return DecodedVideo(
      frames: frames, width: first.width, height: first.height, frameRate: (0, 0), duration: 0,
      containerDuration: nil, codec: "png", profile: "", pixelFormat: "rgb24", metadata: [:])
  }
}
