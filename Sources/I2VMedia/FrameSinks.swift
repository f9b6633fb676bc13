// The per-format back ends of VideoWriter. Each writes into the AtomicOutput's temporary path and reports
// errors against the user's destination path.
import CMedia
import Foundation

protocol FrameSink: AnyObject {
  func add(_ frame: RGBImage) throws
  func finish() throws
  /// Releases resources without finishing (after an error, or after finish()).
  func close()
}

private let ok = Int32(CM_OK.rawValue)

/// "frame_0000.png": at least 4 digits so names sort in order for clips up to 10,000 frames.
func frameFileName(_ index: Int) -> String {
  let digits = String(index)
  return "frame_" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits + ".png"
}

/// MP4 (H.264) and WebM (VP9) through libavcodec.
final class EncoderSink: FrameSink {
  private var encoder: OpaquePointer?
  private let destination: String
  let codedWidth: Int
  let codedHeight: Int
  /// What was done with the sound track, after `finish()`.
  private(set) var soundTrack: SoundTrackReport?

  init(temporary: String, destination: String, format: VideoFormat, width: Int, height: Int,
       options: VideoWriteOptions, frameCount: Int = 0) throws {
    self.destination = destination
    let rate = options.frameRate
    var config = cm_encoder_config()
    config.format = Int32(format == .mp4 ? CM_FORMAT_MP4.rawValue : format == .webm ? CM_FORMAT_WEBM.rawValue : CM_FORMAT_GIF.rawValue)
    config.width = Int32(width)
    config.height = Int32(height)
    config.fps_num = rate.num
    config.fps_den = rate.den
    config.crf = Int32(options.crf ?? -1)
    config.gif_frame_count = Int32(frameCount)
    let tags = options.metadata.tags(for: format).flatMap { [$0.0, $0.1] }
    var err = CErrorBuffer()
    var handle: OpaquePointer?
    config.audio_fade = options.audioFade
    let audio = format == .gif ? nil : options.audio  // GIF's own sink never gets one (validate refuses it)
    let status = withCStringList(tags) { list in
      options.x264Preset.withCString { preset in
        withOptionalCString(audio) { audioPath in
          config.metadata = tags.isEmpty ? nil : list
          config.preset = preset
          config.audio_path = audioPath
          return err.call { cm_encoder_open(temporary, &config, &handle, $0, $1) }
        }
      }
    }
    guard status == ok, let handle else {
      throw mediaError(status: status, detail: err.message, path: destination, role: .output)
    }
    encoder = handle
    var w: Int32 = 0, h: Int32 = 0
    cm_encoder_coded_size(handle, &w, &h)
    codedWidth = Int(w)
    codedHeight = Int(h)
  }

  deinit { close() }

  func add(_ frame: RGBImage) throws {
    var err = CErrorBuffer()
    let status = frame.pixels.withUnsafeBufferPointer { buf in
      err.call { cm_encoder_add_rgb(encoder, buf.baseAddress, $0, $1) }
    }
    guard status == ok else { throw mediaError(status: status, detail: err.message, path: destination, role: .output) }
  }

  func addIndexed(_ indices: [UInt8], palette: [UInt8]) throws {
    var err = CErrorBuffer()
    let status = indices.withUnsafeBufferPointer { idx in
      palette.withUnsafeBufferPointer { pal in
        err.call { cm_encoder_add_indexed(encoder, idx.baseAddress, pal.baseAddress, Int32(palette.count / 3), $0, $1) }
      }
    }
    guard status == ok else { throw mediaError(status: status, detail: err.message, path: destination, role: .output) }
  }

  func finish() throws {
    var err = CErrorBuffer()
    let status = err.call { cm_encoder_finish(encoder, $0, $1) }
    guard status == ok else { throw mediaError(status: status, detail: err.message, path: destination, role: .output) }
    soundTrack = cm_encoder_audio_report(encoder).map { SoundTrackReport($0.pointee) }
  }

  func close() {
    cm_encoder_free(encoder)
    encoder = nil
  }
}

/// Calls `body` with a C string for `text`, or NULL.
func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) throws -> R) rethrows -> R {
  guard let text else { return try body(nil) }
  return try text.withCString { try body($0) }
}

/// GIF: needs every frame before encoding (one palette for the whole clip), so frames are kept until finish.
final class GIFSink: FrameSink {
  private let temporary: String
  private let destination: String
  private let options: VideoWriteOptions
  private var frames: [RGBImage] = []
  private var encoder: EncoderSink?

  init(temporary: String, destination: String, options: VideoWriteOptions) {
    self.temporary = temporary
    self.destination = destination
    self.options = options
  }

  func add(_ frame: RGBImage) throws { frames.append(frame) }

  func finish() throws {
    guard let first = frames.first else { return }
    guard let builder = cm_palette_builder_new() else {
      throw MediaError.outOfMemory(path: destination, reason: "GIF palette")
    }
    for frame in frames {
      frame.pixels.withUnsafeBufferPointer { cm_palette_builder_add(builder, $0.baseAddress, frame.pixelCount) }
    }
    var palette = [UInt8](repeating: 0, count: 256 * 3)
    var exact: Int32 = 0
    let count = Int(cm_palette_builder_finish(builder, Int32(options.gifColors), &palette, &exact))
    cm_palette_builder_free(builder)
    palette = Array(palette[0..<(count * 3)])
    // A palette holding every colour of the clip is lossless: dithering would only add noise then.
    guard let mapper = cm_palette_mapper_new(palette, Int32(count), options.gifDither && exact == 0 ? 1 : 0) else {
      throw MediaError.outOfMemory(path: destination, reason: "GIF palette")
    }
    defer { cm_palette_mapper_free(mapper) }
    let sink = try EncoderSink(temporary: temporary, destination: destination, format: .gif, width: first.width,
                               height: first.height, options: options, frameCount: frames.count)
    encoder = sink
    var indices = [UInt8](repeating: 0, count: first.pixelCount)
    for i in frames.indices {
      frames[i].pixels.withUnsafeBufferPointer {
        cm_palette_mapper_map(mapper, $0.baseAddress, Int32(first.width), Int32(first.height), &indices)
      }
      try sink.addIndexed(indices, palette: palette)
      frames[i] = RGBImage(width: 1, height: 1)  // release memory as we go
    }
    try sink.finish()
  }

  func close() {
    encoder?.close()
    encoder = nil
    frames = []
  }
}

/// A folder of PNG frames through libpng.
final class PNGFramesSink: FrameSink {
  private let folder: String
  private let destination: String
  private let options: VideoWriteOptions
  private var count = 0

  init(folder: String, destination: String, options: VideoWriteOptions) {
    self.folder = folder
    self.destination = destination
    self.options = options
  }

  func add(_ frame: RGBImage) throws {
    let name = frameFileName(count)
    let tags = options.metadata.tags(for: .pngFrames).flatMap { [$0.0, $0.1] }
    var err = CErrorBuffer()
    let status = withCStringList(tags) { list in
      frame.pixels.withUnsafeBufferPointer { buf in
        err.call {
          cm_png_write_file(folder + "/" + name, buf.baseAddress, Int32(frame.width), Int32(frame.height),
                            tags.isEmpty ? nil : list, Int32(options.pngCompressionLevel), $0, $1)
        }
      }
    }
    guard status == ok else {
      throw mediaError(status: status, detail: "\(name): \(err.message)", path: destination, role: .output)
    }
    count += 1
  }

  func finish() throws {}
  func close() {}
}
