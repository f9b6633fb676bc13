import ArgumentParser
import I2VModels
import I2VTensor

/// Generation settings shared by `generate` and `batch` (a batch row may override them).
struct GenerationOptions: ParsableArguments {
  @Option(name: .long, help: "What to avoid (default: empty, as in diffusers).") var negativePrompt: String?
  @Option(name: .long, help: "Preset name or path to a preset .json (default: standard).") var preset: String = "standard"
  @Option(name: .long, help: "Denoising steps.") var steps: Int?
  @Option(name: .long, help: ArgumentHelp(
    "Guidance scale (classifier-free guidance runs when > 1), or 'auto' to pick it from the prompt's motion words.",
    valueName: "x|auto"))
  var guidance: GuidanceArgument?
  @Option(name: .long, help: "Number of frames.") var frames: Int?
  @Option(name: .long, help: "Frame rate of the video; also the model's fps conditioning unless --conditioning-fps.")
  var fps: Int?
  @Option(name: .long, help: "The model's fps conditioning (target_fps), if different from --fps.") var conditioningFps: Int?
  @Option(name: .long, help: "Video width in pixels (multiple of 8).") var width: Int?
  @Option(name: .long, help: "Video height in pixels (multiple of 8).") var height: Int?
  @Option(name: .long, help: "Random seed (default: a random one, printed and recorded).") var seed: UInt64?
  @Option(name: .long, help: "Frames decoded per VAE call (diffusers' default 1 uses the least memory).")
  var decodeChunkSize = 1
  @Flag(name: .long, help: "Replace existing output files.") var overwrite = false
  @Option(name: .long, help: "Video quality (x264/VP9 CRF; lower is better, default 18).") var crf: Int?

  func validate() throws {
    if let s = steps, s < 1 { throw ValidationError("--steps must be at least 1 (got \(s))") }
    if let f = frames, f < 1 { throw ValidationError("--frames must be at least 1 (got \(f))") }
    if let f = fps, f < 1 { throw ValidationError("--fps must be at least 1 (got \(f))") }
    if let f = conditioningFps, f < 1 { throw ValidationError("--conditioning-fps must be at least 1 (got \(f))") }
    if case .scale(let g)? = guidance, !(g.isFinite && g >= 0) {
      throw ValidationError("--guidance must be a number >= 0 or 'auto' (got \(g))")
    }
    if let w = width, w < 8 || w % 8 != 0 { throw ValidationError("--width must be a positive multiple of 8 (got \(w))") }
    if let h = height, h < 8 || h % 8 != 0 { throw ValidationError("--height must be a positive multiple of 8 (got \(h))") }
    if decodeChunkSize < 1 { throw ValidationError("--decode-chunk-size must be at least 1") }
    if let c = crf, c < 0 || c > 63 { throw ValidationError("--crf must be between 0 and 63") }
  }
}

/// Which model to run, where, in which precision (loaded once per process).
struct ModelOptions: ParsableArguments {
  @Option(name: .long, help: "A diffusers-layout I2VGen-XL folder.") var model: String?
  @Option(name: .long, help: "auto, cpu, cuda or cuda:N (auto: the first GPU if there is one).") var device = "auto"
  @Option(name: .long, help: "auto, float32, float16 or bfloat16 (auto: float16 on GPU, float32 on CPU).")
  var dtype = "auto"
  @Flag(name: .long, help: """
    Run a model whose components look mixed (files differ from its lock, or configs disagree on their \
    release); recorded in the sidecar.
    """)
  var allowMixed = false
  @Option(name: .long, help: ArgumentHelp(
    "none: keep every component loaded (fastest); model: each component on the device only while it runs (least "
      + "memory, for 8 GB GPUs; weights are re-read for every video).", valueName: "none|model"))
  var offload = "none"
  @Flag(name: .long, help: "Run even when the memory pre-flight estimate says the job will not fit.")
  var noMemoryCheck = false
  @Flag(name: .long, help: """
    Replay each denoising step's UNet evaluation as one CUDA graph (fewer launches; needs a shim built with the \
    CUDA headers; ignored elsewhere).
    """)
  var cudaGraphs = false
  @OptionGroup var runtime: RuntimeOptions

  var offloadMode: OffloadMode { OffloadMode(rawValue: offload) ?? .none }

  func validate() throws {
    if OffloadMode(rawValue: offload) == nil { throw ValidationError("--offload must be none or model (got '\(offload)')") }
    if Device(parsing: device) == nil && device != "auto" {
      throw ValidationError("--device must be auto, cpu, cuda or cuda:N (got '\(device)')")
    }
    if dtype != "auto" && !(DType(name: dtype).map { [.float32, .float16, .bfloat16].contains($0) } ?? false) {
      throw ValidationError("--dtype must be auto, float32, float16 or bfloat16 (got '\(dtype)')")
    }
  }
}
