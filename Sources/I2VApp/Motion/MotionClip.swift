import Foundation
import I2VImage
import I2VMedia

/// The frames `i2v analyze` measures: a video file (anything FFmpeg decodes) or a folder of frame images, with
/// its frame rate. Every failure says what is wrong with the input and what to give instead.
public struct MotionClip {
  public var path: String
  public var frames: [RGBImage]
  public var fps: Double
  /// Where the frame rate came from: "file" (the container's), "option" (`--fps`) or "default".
  public var fpsSource: String
  /// The video's codec ("h264", "vp9", ...), or "frames" for a folder.
  public var codec: String
  public var isFolder: Bool

  /// Longer clips are refused: every frame is held in memory while measuring (1,000 frames of 1280x704 are
  /// 2.7 GB).
  public static let maxFrames = 1000
  /// The frame rate assumed when neither the input nor `--fps` says: I2VGen-XL's.
  public static let defaultFPS = 8.0

  public init(path: String, frames: [RGBImage], fps: Double, fpsSource: String, codec: String, isFolder: Bool) {
    self.path = path
    self.frames = frames
    self.fps = fps
    self.fpsSource = fpsSource
    self.codec = codec
    self.isFolder = isFolder
  }

  /// Reads `path` (a video file or a folder of frames, natural order); `fps` overrides the file's frame rate.
  public static func load(path: String, fps: Double? = nil) throws -> MotionClip {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw MotionAnalysisError("'\(path)' does not exist; give a video file or a folder of frames")
    }
    let clip: MotionClip
    do {
      clip = isDir.boolValue ? try loadFolder(path, fps: fps) : try loadVideo(path, fps: fps)
    } catch let e as MediaError {
      throw explain(e, path: path)
    }
    guard clip.frames.count >= 2 else {
      throw MotionAnalysisError("'\(path)' has \(clip.frames.count) frame; motion needs at least 2 (give a video, "
        + "or a folder with two or more frames)")
    }
    return clip
  }

  private static func loadVideo(_ path: String, fps: Double?) throws -> MotionClip {
    let video = try VideoReader.read(path: path, maxFrames: maxFrames)
    let (rate, source) = fps.map { ($0, "option") } ?? (video.fps > 0 ? (video.fps, "file") : (defaultFPS, "default"))
    return MotionClip(path: path, frames: video.frames, fps: rate, fpsSource: source, codec: video.codec, isFolder: false)
  }

  private static func loadFolder(_ path: String, fps: Double?) throws -> MotionClip {
    let files = try FrameFiles.list(folder: path, extensions: FrameFiles.clipFrameExtensions)
    guard !files.isEmpty else {
      throw MotionAnalysisError("no image files (.png, .jpg, ...) in the folder '\(path)'; give a video file or the "
        + "folder that holds the frames")
    }
    guard files.count <= maxFrames else {
      throw MotionAnalysisError("'\(path)' holds \(files.count) frames, more than \(maxFrames); analyse part of it")
    }
    var frames: [RGBImage] = []
    for file in files {
      let frame = try ImageLoader.load(path: file)
      if let first = frames.first, first.width != frame.width || first.height != frame.height {
        throw MotionAnalysisError("'\(file)' is \(frame.width)x\(frame.height) but the first frame '\(files[0])' is "
          + "\(first.width)x\(first.height); all frames of a clip must have one size")
      }
      frames.append(frame)
    }
    return MotionClip(path: path, frames: frames, fps: fps ?? defaultFPS, fpsSource: fps == nil ? "default" : "option",
                      codec: "frames", isFolder: true)
  }

  /// The media layer's errors, said for a video input (its messages speak of images).
  static func explain(_ e: MediaError, path: String) -> MotionAnalysisError {
    let formats = "give a video file (MP4, WebM, GIF, MOV, MKV, AVI, ...) or a folder of frames"
    switch e {
    case .fileNotFound:
      return MotionAnalysisError("'\(path)' does not exist; give a video file or a folder of frames")
    case .emptyFile:
      return MotionAnalysisError("'\(path)' is empty (0 bytes); \(formats)")
    case .notAnImage(_, let reason), .unsupportedFormat(_, let reason):
      return MotionAnalysisError("'\(path)' is not a video i2v can read (\(reason)); \(formats)")
    case .corrupt(_, let reason):
      return MotionAnalysisError("cannot read '\(path)' as a video (\(reason)): it is not a video, or it is damaged "
        + "or incomplete; \(formats)")
    case .tooManyPixels(_, let reason):
      return MotionAnalysisError("'\(path)' is too large to analyse: \(reason) (at most \(maxFrames) frames); cut "
        + "or downscale it first (e.g. ffmpeg -i IN -t 10 -vf scale=1280:-2 OUT.mp4)")
    default:
      return MotionAnalysisError(e.description)
    }
  }
}

/// A problem with what `i2v analyze` was given or asked to write (the message says what to do).
public struct MotionAnalysisError: Error, CustomStringConvertible, Equatable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
