import ArgumentParser
import Foundation
import I2VApp
import I2VMedia

/// Re-encodes a folder of saved frames: the media layer by hand, and a way to turn PNG frames into a clip.
struct FramesToVideoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "frames-to-video",
    abstract: "Encode a folder of image frames as MP4, WebM, GIF or PNG frames.",
    discussion: """
      The frames are the folder's image files (.png .jpg .jpeg .webp .bmp .tif
      .tiff .gif; the output itself excepted) in natural order (frame2 before
      frame10), all of one size, each read as an input image is (an animated
      GIF or WebP gives its first frame, with a warning).
      The output format follows -o:
        .mp4   H.264 High profile, yuv420p, +faststart (browsers, phones);
               odd widths / heights get one padding pixel repeating the edge
        .webm  VP9, yuv420p (padded the same way)
        .gif   looping, one 256-colour palette for the clip, ordered dither
        DIR/   a folder of PNG frames frame_0000.png, frame_0001.png, ...
      --audio FILE adds a sound track (MP4: AAC, WebM: Opus) cut at the clip's
      end with a fade-out of 0.25 s (an eighth of clips under 2 s), or padded
      with silence; a length mismatch over one frame is warned about.
      The clip lasts exactly frames / fps. The output is written under a hidden
      temporary name beside the target and renamed when complete, so an error
      or Ctrl-C leaves nothing behind. An existing output is only replaced
      with --overwrite.

      Examples:
        i2v frames-to-video out/frames -o clip.mp4 --fps 8
        i2v frames-to-video out/frames -o clip.webm --fps 8 --crf 28
        i2v frames-to-video out/frames -o clip.gif --fps 10
        i2v frames-to-video shots/ -o clip.mp4 --fps 29.97 --crf 14 --overwrite
        i2v frames-to-video shots/ -o renumbered/
        i2v frames-to-video out/frames -o clip.mp4 --fps 8 --audio voice.m4a
      """
  )

  @Argument(help: "Folder holding the frames.")
  var directory: String

  @Option(name: .shortAndLong, help: "Output: a .mp4, .webm or .gif file, or a folder ending in / for PNG frames.")
  var output: String

  @Option(help: "Frames per second (fractions such as 29.97 are kept exact).")
  var fps: Double = 8

  @Option(help: "Quality, lower is better and bigger: MP4 0-51 (default 18), WebM 0-63 (default 32).")
  var crf: Int?

  @Flag(help: "Replace the output if it already exists.")
  var overwrite = false

  @Option(help: ArgumentHelp("A sound track for .mp4 (AAC) or .webm (Opus): any file FFmpeg reads.", valueName: "file"))
  var audio: String?

  func run() throws {
    InterruptCleanup.installSignalHandlers()
    do {
      var options = VideoWriteOptions(
        fps: fps, crf: crf, overwrite: overwrite, metadata: VideoMetadata(toolVersion: I2VVersion.string))
      options.audio = audio
      // Cheap checks first, so a bad -o fails before any frame is read.
      if audio != nil, case let f = try VideoWriter.checkFormat(path: output), f == .gif || f == .pngFrames {
        _ = fail("--audio: \(f.displayName) output ('\(output)') has no sound track; write .mp4 (AAC sound) or .webm "
          + "(Opus sound), or leave out --audio")
        throw ExitCode.validationFailure
      }
      let format = try VideoWriter.checkOutput(path: output, options: options)
      let files = try FrameFiles.list(
        folder: directory, extensions: FrameFiles.clipFrameExtensions, excluding: [output])
      if files.isEmpty {
        throw fail("no image files (.png, .jpg, ...) in '\(directory)'; give the folder that holds the frames")
      }
      let sound = try audio.map { try SoundTrack.probe(path: $0) }
      if let sound, let note = SoundTrackPlan.mismatch(
        audio: sound, frames: files.count, fps: fps, fade: options.audioFade,
        fix: "trim the sound, or change --fps or the frames")
      {
        FileHandle.standardError.write(Data("warning: \(note)\n".utf8))
      }
      let writer = try VideoWriter(path: output, options: options)
      for file in files {
        let decoded = try ImageLoader.loadDetailed(path: file)
        if let warning = decoded.warning { FileHandle.standardError.write(Data("warning: \(file): \(warning)\n".utf8)) }
        let frame = decoded.image
        if let size = writer.frameSize, size != (frame.width, frame.height) {
          writer.cancel()
          throw fail(
            "'\(file)' is \(frame.width)x\(frame.height) but the first frame '\(files[0])' is "
              + "\(size.width)x\(size.height); all frames of a clip must have one size")
        }
        try writer.append(frame)
      }
      try writer.finish()
      var size = writer.frameSize.map { "\($0.width)x\($0.height)" } ?? "?"
      if let coded = writer.codedSize, let frame = writer.frameSize, coded != frame {
        size += " (padded to \(coded.width)x\(coded.height))"
      }
      let seconds = Double(writer.frameCount) / fps
      print("wrote \(output): \(format.displayName), \(writer.frameCount) frames, \(size), \(Format.fixed(seconds, 3)) s at \(Format.fixed(fps, fps == fps.rounded() ? 0 : 3)) fps")
      if let sound, let report = writer.soundTrack { print(SoundTrackText.line(report, source: sound)) }
    } catch let error as MediaError {
      throw fail(error.description)
    }
  }
}
