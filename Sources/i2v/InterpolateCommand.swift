import ArgumentParser
import Foundation
import I2VApp
import I2VMedia

/// More frames for an existing clip: motion-compensated interpolation at N times the frame rate.
struct InterpolateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "interpolate",
    abstract: "Interpolate a video to N times its frames and frame rate (same duration).",
    discussion: """
      Smooths stutter: FFmpeg's minterpolate makes the frames between each pair
      (motion-compensated; --mode blend cross-fades instead, cheaper and
      ghostly on fast motion). Input frame i becomes output frame i*N,
      unchanged; the last frame is held N-1 times, so F frames at R fps become
      F*N frames at N*R fps and the clip lasts exactly as long (F/R seconds).
      The input is any video i2v writes or FFmpeg reads, or a folder of PNG
      frames (then give --fps). The output format follows -o as for generate.
      generate and batch do the same with --interpolate N.

      Examples:
        i2v interpolate cat.mp4 -o cat-smooth.mp4 --factor 2
        i2v interpolate cat.mp4 -o cat-24fps.webm --factor 3 --mode blend
        i2v interpolate frames/ -o cat.mp4 --factor 2 --fps 8
      """
  )

  @Argument(help: "The video (or folder of PNG frames) to interpolate.")
  var input: String
  @Option(name: .shortAndLong, help: "Output: .mp4, .webm, .gif, or a folder for PNG frames.") var output: String
  @Option(help: "Frames out per frame in (2-16).") var factor: Int = 2
  @Option(help: ArgumentHelp("motion (motion-compensated) or blend (cross-fade).", valueName: "motion|blend"))
  var mode: FrameInterpolation.Mode = .motion
  @Option(help: "The input's frame rate, when it does not say (PNG frames); default: the file's.") var fps: Double?
  @Option(help: "Quality, lower is better and bigger (as generate's --crf).") var crf: Int?
  @Flag(help: "Replace the output if it already exists.") var overwrite = false

  func validate() throws {
    guard (2...16).contains(factor) else { throw ValidationError("--factor must be between 2 and 16 (got \(factor))") }
    if let f = fps, !(f.isFinite && f > 0) { throw ValidationError("--fps must be positive (got \(f))") }
  }

  func run() throws {
    InterruptCleanup.installSignalHandlers()
    do {
      guard BatchOutputs.trimmed(input) != BatchOutputs.trimmed(output) else {
        throw fail("the output '\(output)' is the input; write the interpolated clip somewhere else")
      }
      let placeholder = VideoWriteOptions(fps: 1, crf: crf, overwrite: overwrite)
      _ = try VideoWriter.checkOutput(path: output, options: placeholder)  // a bad -o fails before decoding
      let clip = try VideoReader.read(path: input)
      guard let inputFPS = fps ?? (clip.fps > 0 ? clip.fps : nil) else {
        throw fail("'\(input)' does not say its frame rate; give it with --fps")
      }
      let frames = try FrameInterpolation.interpolate(clip.frames, factor: factor, mode: mode)
      let outFPS = inputFPS * Double(factor)
      let options = VideoWriteOptions(fps: outFPS, crf: crf, overwrite: overwrite,
                                      metadata: VideoMetadata(toolVersion: I2VVersion.string))
      try writeVideo(frames: frames, to: output, options: options)
      print("wrote \(output): \(frames.count) frames (\(clip.frames.count) x \(factor), \(mode.rawValue)) at "
        + "\(Format.fixed(outFPS, outFPS == outFPS.rounded() ? 0 : 3)) fps, "
        + "\(Format.fixed(Double(frames.count) / outFPS, 3)) s")
    } catch let error as MediaError {
      throw fail(error.description)
    }
  }
}

extension FrameInterpolation.Mode: ExpressibleByArgument {}
