// Writing clips: format from the output path, frames streamed in, output appearing atomically at the end.
import CMedia

/// Writes frames to MP4 / WebM / GIF / a folder of PNG frames (see `VideoFormat` for how the path decides).
///
/// - Nothing half-written: data goes to a hidden temporary name beside the output and is renamed into place
///   by `finish()`. An error, `cancel()`, or dropping the writer removes it; so does Ctrl-C once the program
///   has called `InterruptCleanup.installSignalHandlers()`.
/// - An existing output is an error unless `options.overwrite`; a PNG-frame folder is only replaced if it
///   holds nothing but `frame_NNNN.png` files.
/// - MP4 and WebM use yuv420p, which needs even sizes: odd widths / heights are padded by one column / row
///   repeating the edge pixels (`codedSize` tells the result). GIF and PNG keep the exact size.
/// - Timing is exact: frame k starts at k / fps and the clip lasts frameCount / fps (GIF: in 1/100 s steps
///   that add up exactly, e.g. 12, 13, 12, 13 cs at 8 fps).
///
/// Frames are encoded as they arrive (GIF keeps them until `finish()` to build one palette for the clip).
/// Not thread-safe: use one writer from one thread at a time.
public final class VideoWriter {
  public let path: String
  public let format: VideoFormat
  public let options: VideoWriteOptions
  public private(set) var frameCount = 0
  /// Size of the frames, known after the first one.
  public private(set) var frameSize: (width: Int, height: Int)?
  /// Size actually encoded (odd sizes padded to even for MP4 / WebM), known after the first frame.
  public private(set) var codedSize: (width: Int, height: Int)?
  /// What was done with `options.audio` (cut, faded, padded), after `finish()`.
  public private(set) var soundTrack: SoundTrackReport?

  private var output: AtomicOutput?
  private var sink: FrameSink?

  /// Checks the output path and options and creates the temporary output. Throws before anything is
  /// written if the format is unknown, an option is out of range, the folder is missing, or the output exists
  /// (without overwrite).
  public init(path: String, options: VideoWriteOptions = VideoWriteOptions()) throws {
    let format = try VideoWriter.checkOutput(path: path, options: options)
    self.path = path
    self.format = format
    self.options = options
    output = try AtomicOutput(destination: path, kind: format == .pngFrames ? .directory : .file,
                              overwrite: options.overwrite)
  }

  deinit { cancel() }

  /// Everything `init` checks, without creating anything: call it before long work (e.g. generation) so a bad
  /// `-o` fails in a second, not after ten minutes. Returns the format the path selects.
  @discardableResult
  public static func checkOutput(path: String, options: VideoWriteOptions = VideoWriteOptions()) throws -> VideoFormat {
    let format = try checkFormat(path: path)
    try options.validate(for: format)
    try AtomicOutput.check(destination: AtomicOutput.normalize(path), kind: format == .pngFrames ? .directory : .file,
                           overwrite: options.overwrite)
    return format
  }

  /// The format `path` selects, if this build can write it: a build without FFmpeg (`I2V_MEDIA=png`) writes only
  /// PNG frames, and an FFmpeg without the format's encoder cannot write that format. Looks at nothing on disk
  /// but an existing folder (see `VideoFormat.forOutput`).
  @discardableResult
  public static func checkFormat(path: String) throws -> VideoFormat {
    let format = try VideoFormat.forOutput(path: path)
    if format != .pngFrames && !MediaLibraries.hasFFmpeg {
      throw MediaError.unsupportedFormat(
        path: path, reason: "\(format.displayName) output needs FFmpeg, but \(MediaLibraries.noFFmpegMessage); "
          + "write PNG frames (-o DIR/) or use a full build")
    }
    let needed: cm_video_format? = format == .mp4 ? CM_FORMAT_MP4 : format == .webm ? CM_FORMAT_WEBM : format == .gif ? CM_FORMAT_GIF : nil
    if let needed, cm_encoder_available(Int32(needed.rawValue)) == 0 {
      let name = format == .mp4 ? "libx264" : format == .webm ? "libvpx-vp9" : "gif"
      throw MediaError.unsupportedFormat(
        path: path, reason: "this FFmpeg build has no \(name) encoder for \(format.displayName); choose another format")
    }
    return format
  }

  /// Adds the next frame. All frames must have the first frame's size. After an error the writer is closed
  /// and its temporary output removed.
  public func append(_ frame: RGBImage) throws {
    guard let output, output.isOpen else {
      throw MediaError.invalidFrames(reason: "cannot add frames to '\(path)': the writer is already finished or failed")
    }
    do {
      if let size = frameSize {
        guard frame.width == size.width, frame.height == size.height else {
          throw MediaError.invalidFrames(
            reason: "frame \(frameCount) is \(frame.width)x\(frame.height) but the first frame is "
              + "\(size.width)x\(size.height); all frames of a clip must have one size")
        }
      } else {
        try open(firstFrame: frame, output: output)
      }
      try sink?.add(frame)
      frameCount += 1
    } catch {
      cancel()
      throw error
    }
  }

  private func open(firstFrame frame: RGBImage, output: AtomicOutput) throws {
    frameSize = (frame.width, frame.height)
    codedSize = frameSize
    switch format {
    case .mp4, .webm:
      let encoder = try EncoderSink(temporary: output.temporary, destination: path, format: format,
                                    width: frame.width, height: frame.height, options: options)
      codedSize = (encoder.codedWidth, encoder.codedHeight)
      sink = encoder
    case .gif:
      sink = GIFSink(temporary: output.temporary, destination: path, options: options)
    case .pngFrames:
      sink = PNGFramesSink(folder: output.temporary, destination: path, options: options)
    }
  }

  /// Completes the output and renames it into place. Throws (leaving nothing behind) if no frame was added.
  public func finish() throws {
    guard let output, output.isOpen else {
      throw MediaError.invalidFrames(reason: "cannot finish '\(path)': the writer is already finished or failed")
    }
    do {
      guard frameCount > 0, let sink else {
        throw MediaError.invalidFrames(reason: "no frames to write to '\(path)'")
      }
      try sink.finish()
      soundTrack = (sink as? EncoderSink)?.soundTrack
      sink.close()
      try output.commit()
      self.sink = nil
      self.output = nil
    } catch {
      cancel()
      throw error
    }
  }

  /// Abandons the output: the temporary data is removed and the destination is left untouched.
  public func cancel() {
    sink?.close()
    sink = nil
    output?.discard()
    output = nil
  }
}

/// Writes a whole clip in one call (see `VideoWriter`); returns what was done with the sound track, if any.
@discardableResult
public func writeVideo(frames: [RGBImage], to path: String, options: VideoWriteOptions = VideoWriteOptions()) throws
  -> SoundTrackReport?
{
  guard !frames.isEmpty else { throw MediaError.invalidFrames(reason: "no frames to write to '\(path)'") }
  let writer = try VideoWriter(path: path, options: options)
  for frame in frames { try writer.append(frame) }
  try writer.finish()
  return writer.soundTrack
}
