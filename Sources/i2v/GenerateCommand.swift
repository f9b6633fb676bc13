import ArgumentParser
import Foundation
import I2VCheckpoint
import I2VMedia
import I2VModels
import I2VTensor

struct GenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate",
    abstract: "Make a video from an image and a prompt.",
    discussion: """
      Presets (Presets/*.json; flags override their values):
        preview      30 steps, guidance 7.0  — a quick look before a final render
        standard     50 steps, guidance 9.0  — the default: 16 frames at 8 fps, 512x512
        high_motion  60 steps, guidance 11.0 — strong, visible motion
        creative     40 steps, guidance 6.5  — looser, more varied results
        smoke        2 steps, 4 frames, 32x32 — CI smoke test on the bundled model

      The model: --model DIR, else $I2V_MODEL, else ali-vilab/i2vgen-xl in the Hugging Face cache, else the
      small bundled test model (random weights: it makes noise, not real video).

      --seed S gives the same frames as diffusers' I2VGenXLPipeline called with
      generator=torch.manual_seed(S) on CPU (same model, inputs and settings), on every device.

      Examples:
        i2v generate --image cat.png --prompt "a cat turning its head" -o cat.mp4
        i2v generate --image cat.png --prompt "waves crashing" --preset high_motion --seed 42 -o waves.webm
        i2v generate --image in.jpg --prompt "slow zoom" --frames-dir frames/ -o clip.gif --overwrite
        i2v generate --image in.png --prompt "test" --preset smoke -o smoke.mp4
      """
  )

  @Option(name: .long, help: "Input image (PNG, JPEG, WebP, BMP, TIFF).") var image: String
  @Option(name: .long, help: "What should happen in the video.") var prompt: String
  @Option(name: .long, help: "What to avoid (default: empty, as in diffusers).") var negativePrompt: String?
  @Option(name: .long, help: "Preset name or path to a preset .json (default: standard).") var preset: String = "standard"
  @Option(name: .long, help: "Denoising steps.") var steps: Int?
  @Option(name: .long, help: "Guidance scale (classifier-free guidance runs when > 1).") var guidance: Double?
  @Option(name: .long, help: "Number of frames.") var frames: Int?
  @Option(name: .long, help: "Frame rate of the video; also the model's fps conditioning unless --conditioning-fps.")
  var fps: Int?
  @Option(name: .long, help: "The model's fps conditioning (target_fps), if different from --fps.") var conditioningFps: Int?
  @Option(name: .long, help: "Video width in pixels (multiple of 8).") var width: Int?
  @Option(name: .long, help: "Video height in pixels (multiple of 8).") var height: Int?
  @Option(name: .long, help: "Random seed (default: a random one, printed and recorded).") var seed: UInt64?
  @Option(name: .long, help: "A diffusers-layout I2VGen-XL folder.") var model: String?
  @Option(name: .long, help: "auto, cpu, cuda or cuda:N (auto: the first GPU if there is one).") var device = "auto"
  @Option(name: .long, help: "auto, float32, float16 or bfloat16 (auto: float16 on GPU, float32 on CPU).")
  var dtype = "auto"
  @Option(name: .long, help: "Frames decoded per VAE call (diffusers' default 1 uses the least memory).")
  var decodeChunkSize = 1
  @Option(name: [.short, .customLong("output")], help: "Output video: .mp4, .webm, .gif, or a folder for PNG frames.")
  var output: String
  @Option(name: .long, help: "Also write the frames as PNGs here, before encoding the video.") var framesDir: String?
  @Flag(name: .long, help: "Replace existing output files.") var overwrite = false
  @Option(name: .long, help: "Video quality (x264/VP9 CRF; lower is better, default 18).") var crf: Int?
  @Flag(name: .long, inversion: .prefixedNo, help: "Show progress even when stderr is not a terminal.")
  var progress: Bool?
  @Flag(name: .shortAndLong, help: "Print only errors.") var quiet = false
  @Option(name: .long, help: .hidden) var saveTensors: String?
  @OptionGroup var runtime: RuntimeOptions

  func validate() throws {
    if let s = steps, s < 1 { throw ValidationError("--steps must be at least 1 (got \(s))") }
    if let f = frames, f < 1 { throw ValidationError("--frames must be at least 1 (got \(f))") }
    if let f = fps, f < 1 { throw ValidationError("--fps must be at least 1 (got \(f))") }
    if let f = conditioningFps, f < 1 { throw ValidationError("--conditioning-fps must be at least 1 (got \(f))") }
    if let g = guidance, !(g.isFinite && g >= 0) { throw ValidationError("--guidance must be a number >= 0") }
    if let w = width, w < 8 || w % 8 != 0 { throw ValidationError("--width must be a positive multiple of 8 (got \(w))") }
    if let h = height, h < 8 || h % 8 != 0 { throw ValidationError("--height must be a positive multiple of 8 (got \(h))") }
    if decodeChunkSize < 1 { throw ValidationError("--decode-chunk-size must be at least 1") }
    if Device(parsing: device) == nil && device != "auto" {
      throw ValidationError("--device must be auto, cpu, cuda or cuda:N (got '\(device)')")
    }
    if DType(name: dtype) == nil && dtype != "auto" {
      throw ValidationError("--dtype must be auto, float32, float16 or bfloat16 (got '\(dtype)')")
    }
    if let c = crf, c < 0 || c > 63 { throw ValidationError("--crf must be between 0 and 63") }
  }

  func run() throws {
    do {
      try generate()
    } catch let e as ExitCode {
      throw e
    } catch let e as PipelineError where e == .cancelled {
      throw fail("cancelled; no output written")
    } catch {
      throw fail("\(error)")
    }
  }

  func generate() throws {
    let report = ProgressReporter(forced: progress, quiet: quiet)
    InterruptCleanup.installSignalHandlers()

    // Everything that can be checked without weights is checked first, so mistakes fail in milliseconds.
    let settings = try GenerationPreset.load(preset)
    let found = try ModelLocator.locate(argument: model)
    let descriptorModel = try PipelineDescriptor(modelPath: found.path).check()
    let latentScale = try Self.latentScale(descriptorModel)
    let w = width ?? settings.width, h = height ?? settings.height
    guard w % latentScale == 0 && h % latentScale == 0 else {
      throw PipelineError.invalidRequest("width and height must be multiples of \(latentScale) for this model (got \(w)x\(h))")
    }
    let videoFPS = fps ?? settings.fps
    let writeOptions = VideoWriteOptions(
      fps: Double(videoFPS), crf: crf, overwrite: overwrite,
      metadata: VideoMetadata(prompt: prompt, seed: nil, toolVersion: "i2v \(I2VVersion.string)"))
    _ = try VideoWriter.checkOutput(path: output, options: writeOptions)
    if let dir = framesDir { _ = try VideoWriter.checkOutput(path: dir, options: writeOptions) }
    let input = try ImageLoader.load(path: image)
    if found.source == .bundled {
      FileHandle.standardError.write(Data(("note: using the bundled smoke-test model (random weights): the video "
        + "will be noise. Pass --model DIR or set I2V_MODEL to use ali-vilab/i2vgen-xl.\n").utf8))
    }

    try runtime.apply()
    let runDevice = try Self.resolveDevice(device)
    let runDType = dtype == "auto" ? (runDevice.kind == .cuda ? DType.float16 : .float32) : DType(name: dtype)!
    let runSeed = seed ?? UInt64.random(in: 0..<(1 << 32))
    report.note("seed \(runSeed)\(seed == nil ? " (random; pass --seed \(runSeed) to repeat)" : "")")

    var request = GenerationRequest(image: RGB8Image(input), prompt: prompt, negativePrompt: negativePrompt)
    request.width = w
    request.height = h
    request.frames = frames ?? settings.frames
    request.steps = steps ?? settings.steps
    request.guidanceScale = guidance ?? settings.guidance
    request.conditioningFPS = conditioningFps ?? videoFPS
    request.seed = runSeed
    request.decodeChunkSize = decodeChunkSize
    try request.validate(latentScale: latentScale)

    let started = Date()
    report.note("loading \(found.path) (\(runDType) on \(runDevice))")
    let pipeline = try I2VGenXLPipeline(PipelineDescriptor(modelPath: found.path, dtype: runDType, device: runDevice))
    let prompts = pipeline.tokenizer.encode(prompt)
    if prompts.truncated {
      report.note("note: the prompt has \(prompts.count) tokens; the model reads the first \(prompts.maxContentTokens). "
        + "Dropped: \"\(prompts.droppedText)\"")
    }
    let result = try pipeline.generate(request, onEvent: { event in
      switch event {
      case .stage(let s): if s == "decoding" { report.begin("decoding ") }
      case .denoisingStep(let i, let n, _):
        if i == 0 { report.begin("denoising") }
        report.update(i, of: n)
      case .decodedFrames(let done, let n): report.update(done, of: n)
      }
    })

    let images = try result.images().map { try RGBImage($0) }
    if let dir = framesDir { try writeVideo(frames: images, to: dir, options: writeOptions) }
    var finalOptions = writeOptions
    finalOptions.metadata.seed = runSeed
    try writeVideo(frames: images, to: output, options: finalOptions)
    if let dump = saveTensors {
      try SafeTensorsWriter.write(["frames_float": result.framesFloat, "frames_uint8": result.framesUInt8],
                                  metadata: ["seed": String(runSeed)], to: dump)
    }
    let seconds = Date().timeIntervalSince(started)
    report.note("wrote \(output): \(images.count) frames, \(w)x\(h), \(videoFPS) fps "
      + "(\(Format.fixed(Double(images.count) / Double(videoFPS), 2)) s) in \(Format.fixed(seconds, 1)) s, seed \(runSeed)")
  }

  /// Pixels per latent from the VAE config (2^(len(block_out_channels) − 1)), read without loading weights.
  static func latentScale(_ model: ModelFolder) throws -> Int {
    let blocks = try model.component("vae").config().ints("block_out_channels")
    return 1 << max(0, blocks.count - 1)
  }

  static func resolveDevice(_ text: String) throws -> Device {
    let gpus = try Runtime.cudaDeviceCount()
    if text == "auto" { return gpus > 0 ? .cuda(0) : .cpu }
    let d = Device(parsing: text)!
    if d.kind == .cuda {
      guard gpus > 0 else {
        throw PipelineError.invalidRequest("--device \(text): no CUDA device is available (this libtorch: "
          + "\(try Runtime.torchVersion()); build the shim against a CUDA libtorch, see README)")
      }
      if let i = d.index, i >= gpus {
        throw PipelineError.invalidRequest("--device \(text): only \(gpus) CUDA device(s) (cuda:0…cuda:\(gpus - 1))")
      }
      return d.index == nil ? .cuda(0) : d
    }
    return d
  }
}
