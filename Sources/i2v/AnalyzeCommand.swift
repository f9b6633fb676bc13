import ArgumentParser
import Foundation
import I2VApp
import I2VCheckpoint
import I2VMedia

/// Measures a clip's motion with dense optical flow and says, in the decision tree's terms, what to change.
struct AnalyzeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract: "Measure a video's motion, jitter, flicker and sharpness, and say what to change.",
    discussion: """
      Dense optical flow (OpenCV's DIS) between every pair of consecutive
      frames, checked forwards and backwards, gives per pair and for the clip:
        motion     mean flow length (px, % of the diagonal, % per second)
        jitter     how much the flow changes from one pair to the next
        flicker    warp error: brightness change the motion does not explain
        frozen     pairs whose frames do not visibly differ
        scene cuts pairs the motion cannot connect at all
        sharpness  variance of the Laplacian (as the input-image check)
      and a verdict: motion too weak -> raise --guidance or --steps; distorted
      or jittery -> lower --guidance or the size; blurry -> 60-80 --steps.
      The thresholds and exact definitions are in README ("Analysing motion").

      The input is a video file FFmpeg reads (MP4, WebM, GIF, MOV, ...) or a
      folder of frame images (natural order; give their rate with --fps,
      else 8 fps is assumed). --json prints everything as one object.
      --report FILE.html writes one self-contained page (nothing fetched,
      no script): the clip and its flow (colour wheel: hue = direction,
      saturation = length) as videos, the verdict, a chart per measure and
      the per-pair values; written atomically, replaced only with --overwrite.
      generate --analyze and batch --analyze record it in the sidecar.

      Exit status: 0 analysed (whatever the verdict), 1 the input cannot be
      read or has fewer than 2 frames, 64 a bad option.

      Examples:
        i2v analyze cat.mp4
        i2v analyze frames/ --fps 8
        i2v analyze cat.mp4 --report cat-motion.html
        i2v analyze cat.mp4 --json | jq .analysis.verdict
      """
  )

  @Argument(help: ArgumentHelp("The video file, or a folder of frames.", valueName: "video|frames-dir"))
  var input: String
  @Option(help: "The frame rate (default: the video's; 8 for a folder of frames).") var fps: Double?
  @Flag(help: "Print the measures and verdict as one JSON object on stdout.") var json = false
  @Option(help: ArgumentHelp("Also write an HTML report: the clip and its flow as videos, the verdict, charts.",
                             valueName: "file.html"))
  var report: String?
  @Flag(help: "Replace the report if it exists.") var overwrite = false
  @Flag(name: .long, inversion: .prefixedNo, help: "Show progress even when stderr is not a terminal.")
  var progress: Bool?
  @Flag(name: .shortAndLong, help: "Print only the verdict (and errors).") var quiet = false

  func validate() throws {
    if let f = fps, !(f.isFinite && f > 0 && f <= 240) {
      throw ValidationError("--fps must be a frame rate above 0 and at most 240 (got \(f))")
    }
    if let r = report, !["html", "htm"].contains((r as NSString).pathExtension.lowercased()) {
      throw ValidationError("--report \(r): the report is an HTML page; give a name ending in .html")
    }
  }

  func run() throws {
    do {
      InterruptCleanup.installSignalHandlers()
      let reporter = ProgressReporter(forced: progress, quiet: quiet || json)
      if let path = report { try MotionReport.check(path: path, overwrite: overwrite) }  // before the slow part
      let clip = try MotionClip.load(path: input, fps: fps)
      reporter.begin("measuring motion")
      let (analysis, flows) = try MotionAnalyzer.analyze(
        clip.frames, fps: clip.fps, fpsSource: clip.fpsSource, keepFlow: report != nil
      ) { reporter.update($0, of: $1) }
      if let path = report, let flows {
        reporter.note("writing \(path)")
        try MotionReport.write(analysis, clip: clip, flows: flows, to: path, overwrite: overwrite)
      }
      if json {
        JSONOutput.print(AnalyzeJSON(input: Provenance.absolute(input), report: report.map(Provenance.absolute),
                                     analysis: analysis))
      } else if quiet {
        print("verdict: \(analysis.verdict.summary)")
      } else {
        print(AnalyzeTable.text(analysis, clip: clip), terminator: "")
        if let path = report { print("report: \(path)") }
      }
    } catch let e as MotionAnalysisError {
      throw failure(e.description)
    } catch let e as OpticalFlowError {
      throw failure(e.description)
    } catch let e as MediaError {
      throw failure(e.description)
    } catch let e as CheckpointError {  // writing the report (AtomicFile)
      throw failure(e.description)
    }
  }

  private func failure(_ message: String) -> ExitCode {
    if json { JSONOutput.print(JSONOutput.Failure(error: message)) }
    return fail(message)
  }
}

/// `i2v analyze --json`.
struct AnalyzeJSON: Encodable {
  var status = "done"
  var input: String
  var report: String?
  var analysis: MotionAnalysis

  init(input: String, report: String? = nil, analysis: MotionAnalysis) {
    self.input = input
    self.report = report
    self.analysis = analysis
  }
}
