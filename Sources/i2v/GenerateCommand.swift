import ArgumentParser
import Foundation
import I2VApp
import I2VCheckpoint
import I2VMedia
import I2VModels
import I2VTensor

struct GenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Make a video from an image and a prompt.",
    discussion: PresetHelp.lines() + "\n--guidance auto picks the scale from the prompt's motion words, and says "
      + "which words it used: \(GuidanceAdvisor.summary). Settings that run but rarely look good print a warning: "
      + "\(GuidanceAdvisor.warningSummary); impossible ones fail.\n" + """

      The input image is read as diffusers' load_image reads it (Pillow's
      decode, exif_transpose, convert("RGB")), with the libraries Pillow uses,
      so the pixels are Pillow's: PNG, JPEG, WebP, TIFF, GIF, BMP (also PPM,
      QOI). The orientation comes from EXIF, PNG text chunks or XMP. Alpha is
      dropped, not composited. As in Pillow, 16-bit grayscale is clipped at 255
      (mostly white: a warning says so; convert it to 8 bits first), and an
      animation, MPO or multi-page TIFF gives its first frame (with a note).
      Damage a decoder reports is a warning (also in the sidecar); truncated
      files are refused. Refused although Pillow opens them: CIELab TIFF, gray +
      premultiplied alpha TIFF, uncompressed subsampled YCbCr TIFF (Pillow
      scrambles it), lossless JPEG; and HEIC/AVIF/JPEG XL.

      The model: --model DIR, else $I2V_MODEL, else ali-vilab/i2vgen-xl in the Hugging Face cache, else the
      small bundled test model (random weights: it makes noise, not real video).

      Every output gets a provenance sidecar beside it (out.mp4 -> out.mp4.json,
      frames/ -> frames.json): parameters used, seed, SHA-256 of every model
      file read (hashed once, cached in ~/.cache/i2v/hashes.json), versions,
      device, timings and the output's SHA-256.

      Mixed models are refused: components whose sizes cannot fit together,
      files that differ from the model's lock (`i2v verify --lock`), or configs
      that disagree on their release (_diffusers_version, transformers_version,
      _name_or_path). --allow-mixed runs the last two anyway.

      Prompts: diffusers reads 75 tokens and cuts the rest (the run says which words
      it drops). --long-prompt reads all of it in chunks of 75, each encoded on its
      own, with the negative prompt padded to the same length; BREAK starts a new
      chunk. --prompt-syntax weighted reads A1111's emphasis: (word) x1.1,
      ((word)) x1.21, [word] /1.1, (several words:1.3), \\( and \\) for literal
      brackets; each token's embedding is multiplied by its weight, then the chunk
      is rescaled to its unweighted mean. Without weights or --long-prompt the
      frames are diffusers' exactly. `i2v tokenize` shows the chunks and weights.

      --seed S gives the same frames as diffusers' I2VGenXLPipeline called with
      generator=torch.manual_seed(S) on CPU (same model, inputs and settings), on every device.

      Exit status: 0 done, 1 failed (message on stderr), 3 out of memory (with the settings that would fit),
      64 a setting that cannot work (like every flag the parser refuses).

      Examples:
        i2v generate --image cat.png --prompt "a cat turning its head" -o cat.mp4
        i2v generate --image cat.png --prompt "waves crashing" --preset high_motion --seed 42 -o waves.webm
        i2v generate --image in.jpg --prompt "slow zoom" --frames-dir frames/ -o clip.gif --overwrite
        i2v generate --image dog.png --prompt "a dog running" --guidance auto -o dog.mp4
        i2v generate --image in.png --prompt "test" --preset smoke -o t.mp4 --json
        i2v generate --image cat.png --prompt "a cat" --width 1280 --height 704 -o cat.mp4 --dry-run
        i2v generate --image cat.png --prompt "a cat" --offload model -o cat.mp4   # 8 GB GPUs
        i2v generate --image cat.png --prompt "a cat" -o cat.mp4 \\
          --scheduler unipc --steps 20   # a multistep solver, fewer steps
        i2v generate --image city.png --prompt "$(cat story.txt)" --long-prompt \\
          -o city.mp4
        i2v generate --image cat.png --prompt-syntax weighted -o cat.mp4 \\
          --prompt "a (fluffy:1.3) cat, [blurry] background" \\
          --negative-prompt "(low quality:1.2)"
        i2v generate --image cat.png --prompt "a cat walking" --clips 3 -o walk.mp4
        i2v generate --image cat.png --prompt "a cat" --analyze -o cat.mp4   # motion verdict in the sidecar
        i2v generate --image city.png --clips 4 --join-blend 2 -o story.mp4 \\
          --prompt-file story.txt   # one line per clip
        i2v generate --image cat.png --prompt "a cat singing" --audio song.m4a \\
          --fit-to-audio --clips auto -o song.mp4   # clips of <= 16 frames
        i2v generate --image h.png --long-prompt -o h.mp4 \\
          --prompt "a harbour at dawn BREAK boats rocking, gulls circling"
        i2v generate --image cat.png --prompt "a cat" --cache deep:3 -o cat.mp4   # DeepCache
      """
  )

  @Option(name: .long, help: "Input image (PNG, JPEG, WebP, TIFF, GIF, BMP), read as diffusers' load_image reads it.") var image: String
  @Option(name: .long, help: "What should happen in the video.") var prompt: String?
  @Option(name: .long, help: "With --clips: one prompt per clip, one per line (instead of --prompt).")
  var promptFile: String?
  @Option(name: [.short, .customLong("output")], help: "Output video: .mp4, .webm, .gif, or a folder for PNG frames.")
  var output: String
  @Option(name: .long, help: "Also write the frames as PNGs here, before encoding the video.") var framesDir: String?
  @OptionGroup var options: GenerationOptions
  @OptionGroup var modelOptions: ModelOptions
  @Flag(name: .long, inversion: .prefixedNo, help: "Show progress even when stderr is not a terminal.")
  var progress: Bool?
  @Flag(name: .shortAndLong, help: "Print only errors.") var quiet = false
  @Flag(name: .long, help: "Print the result (paths, seed, guidance, hashes, provenance) as JSON on stdout.")
  var json = false
  @Flag(name: .long, help: "Check everything and print the memory estimate, without loading weights or writing.")
  var dryRun = false
  @Option(name: .long, help: .hidden) var saveTensors: String?

  func validate() throws {
    if (prompt == nil) == (promptFile == nil) {
      throw ValidationError("give either --prompt TEXT or --prompt-file FILE (one prompt per clip)")
    }
  }

  func run() throws {
    var session: GenerationSession? = nil
    do {
      let report = ProgressReporter(forced: progress, quiet: quiet)
      InterruptCleanup.installSignalHandlers()
      // Everything that can be checked without weights is checked first, so mistakes fail in milliseconds.
      // What this build's media back end cannot do at all (e.g. MP4 or JPEG without FFmpeg) even before the model.
      try VideoWriter.checkFormat(path: output)
      if let framesDir { try VideoWriter.checkFormat(path: framesDir) }
      try ImageLoader.checkSupported(path: image)
      // A chain runs the encoders once per clip, so they stay loaded.
      let single = options.settings.clips == 1 && !options.settings.clipsFromAudio
      let opened = try GenerationSession(modelOptions.settings(single: single), report: report)
      session = opened
      var settings = options.settings
      var text = prompt ?? ""
      if let promptFile {
        let prompts = try PromptFile.read(promptFile)
        settings.clipPrompts = prompts
        try settings.validate()
        text = prompts[0]
      }
      let item = GenerationSession.Item(image: image, prompt: text, output: output, framesDir: framesDir,
                                        options: settings, saveTensors: saveTensors)
      if dryRun {
        try printPlan(opened, item)
        return
      }
      let r = try opened.run(item)  // checks the item (preset, sizes, image, outputs) before loading weights
      let interpolated = r.provenance.interpolation
      let n = interpolated?.framesWritten ?? r.frames, fps = interpolated?.fpsWritten ?? r.videoFPS
      var how = interpolated.map { " (\($0.framesGenerated) generated, interpolated x\($0.factor))" } ?? ""
      if let clips = r.provenance.clips { how += " from \(clips.count) clips" }
      report.notice("wrote \(output): \(n) frames\(how), \(r.request.width)x\(r.request.height), \(fps) fps "
        + "(\(Format.fixed(Double(n) / Double(fps), 2)) s) in \(Format.fixed(r.seconds, 1)) s, seed \(r.seed); "
        + "provenance in \(r.sidecarPath)")
      if let a = r.provenance.audio { report.notice(SoundTrackText.line(a)) }
      if json { JSONOutput.print(GenerateJSONResult(r, framesDir: framesDir)) }
    } catch let e as ExitCode {
      throw e
    } catch {
      let f = GenerationFailure(error, session: session)
      switch f.kind {
      case .cancelled, .failed: throw failure(f.message)
      case .usage:
        _ = failure(f.message)
        throw ExitCode.validationFailure
      case .memory:
        _ = failure(f.message)
        throw ExitCode(MemoryAdvice.exitStatus)
      }
    }
  }

  /// --dry-run: the checked job and its memory estimate against what the device has free.
  private func printPlan(_ session: GenerationSession, _ item: GenerationSession.Item) throws {
    let job = try session.prepare(item)
    let request = job.request
    let e = try session.memoryEstimate(request)
    let available = MemoryEstimate.available(on: session.device)
    if json {
      JSONOutput.print(DryRunJSON(e, available: available, device: "\(session.device)", dtype: "\(session.dtype)"))
      return
    }
    let gib = { (b: Int) in MemoryAdvice.gib(UInt64(b)) }
    let o = job.item.options  // --clips auto: the count the sound chose
    let joined = job.videoFrames ?? ClipJoin.frameCount(clips: o.clips, framesPerClip: request.frames, blend: o.joinBlend)
    let frames = o.clips == 1
      ? "\(request.frames) frames" : "\(o.clips) clips of \(request.frames) frames (\(joined) joined)"
    print("ok: \(request.width)x\(request.height), \(frames), \(request.steps) steps, guidance "
      + "\(request.guidanceScale), \(session.dtype) on \(session.device), offload \(session.offload.rawValue)")
    let unet = request.featureCache.evaluations(steps: request.steps)
    print("UNet evaluations: \(unet.full) whole" + (unet.shallow > 0 ? " + \(unet.shallow) shallow (--cache "
      + "\(request.featureCache))" : "") + " per clip, scheduler \(request.scheduler.rawValue)")
    print("memory estimate: \(MemoryAdvice.describe(e))")
    for s in e.stages {
      print("  \(s.name.padding(toLength: 16, withPad: " ", startingAt: 0)) weights \(gib(s.weightBytes)), "
        + "activations \(gib(s.activationBytes))")
    }
    if let available {
      let fits = e.peakBytes <= available
      print("available: \(gib(available)) -> \(fits ? "fits" : "does NOT fit")")
      if !fits {
        for alt in MemoryAdvice.alternatives(session: session, request: request, available: available) {
          print("  would fit: \(alt.flags) (about \(gib(alt.bytes)))")
        }
      }
    }
  }

  /// `fail`, plus the error as the JSON result with --json.
  private func failure(_ message: String) -> ExitCode {
    if json { JSONOutput.print(JSONOutput.Failure(error: message)) }
    return fail(message)
  }
}
