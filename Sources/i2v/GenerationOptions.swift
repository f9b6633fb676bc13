import ArgumentParser
import I2VApp
import I2VMedia
import I2VModels
import I2VTensor

/// Generation settings shared by `generate` and `batch` (a batch row may override them).
struct GenerationOptions: ParsableArguments {
  @Option(name: .long, help: "What to avoid (default: empty, as in diffusers).") var negativePrompt: String?
  @Option(name: .long, help: "Preset name or path to a preset .json (default: standard).") var preset: String = "standard"
  @Option(name: .long, parsing: .unconditional, help: "Denoising steps.") var steps: Int?
  @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
    "Guidance scale (classifier-free guidance runs when > 1), or 'auto' to pick it from the prompt's motion words.",
    valueName: "x|auto"))
  var guidance: GuidanceSetting?
  @Option(name: .long, parsing: .unconditional, help: "Number of frames.") var frames: Int?
  @Option(name: .long, parsing: .unconditional, help: "Frame rate of the video; also the model's fps conditioning unless --conditioning-fps.")
  var fps: Int?
  @Option(name: .long, parsing: .unconditional, help: "The model's fps conditioning (target_fps), if different from --fps.") var conditioningFps: Int?
  @Option(name: .long, parsing: .unconditional, help: "Video width in pixels (a multiple of the VAE's scale: 8 for I2VGen-XL).") var width: Int?
  @Option(name: .long, parsing: .unconditional, help: "Video height in pixels (a multiple of the VAE's scale: 8 for I2VGen-XL).") var height: Int?
  @Option(name: .long, parsing: .unconditional, help: "Random seed (default: a random one, printed and recorded).") var seed: UInt64?
  @Option(name: .long, parsing: .unconditional, help: "Frames decoded per VAE call (diffusers' default 1 uses the least memory).")
  var decodeChunkSize = 1
  @Flag(name: .long, inversion: .prefixedNo, help: ArgumentHelp(
    "Read prompts longer than 75 tokens in chunks of 75 (A1111's convention: a chunk ends at its last comma "
      + "within 20 tokens of the end; BREAK starts a new one) instead of cutting them (default: off, or the preset's).",
    valueName: "long-prompt"))
  var longPrompt: Bool?
  @Option(name: .long, help: ArgumentHelp(
    "plain: the prompt as written (diffusers). weighted: A1111's emphasis, (word) x1.1, ((word)) x1.21, [word] "
      + "/1.1, (some words:1.3), \\( \\) for literal brackets; applies to the negative prompt too "
      + "(default: plain, or the preset's).", valueName: "plain|weighted"))
  var promptSyntax: PromptSyntax?
  @Option(name: .long, help: ArgumentHelp(
    "How guidance changes over the steps: constant (diffusers), or linear / cosine from --guidance at the first "
      + "step to --guidance-end at the last, e.g. --guidance 11 --guidance-schedule cosine --guidance-end 7 "
      + "(strong while motion forms, gentle while detail settles; default: constant, or the preset's).",
    valueName: "constant|linear|cosine"))
  var guidanceSchedule: GuidanceSchedule.Shape?
  @Option(name: .long, parsing: .unconditional, help: "The guidance scale at the last step of a linear or cosine schedule.")
  var guidanceEnd: Double?
  @Option(name: .long, help: ArgumentHelp(
    "The sampler, as diffusers swaps it in with from_config of the model's scheduler config: ddim (the model's own), "
      + "dpm++2m (DPM-Solver++ 2M: converges in fewer steps), unipc (UniPC: a second-order predictor plus a "
      + "corrector that reuses each step's UNet output, same cost per step), euler, euler-a (ancestral: fresh noise "
      + "each step, from the seed's generator); dpm++2m-karras is refused (diffusers fails with this model's "
      + "zero-SNR schedule). Default: ddim, or the preset's.",
    valueName: "ddim|dpm++2m|unipc|euler|euler-a"))
  var scheduler: SchedulerKind?
  @Option(name: .long, help: ArgumentHelp(
    "Reuse deep UNet features between steps (DeepCache): deep:N runs the whole UNet every N steps (N from "
      + "\(FeatureCache.intervals.lowerBound) to \(FeatureCache.intervals.upperBound)) and only its outermost blocks "
      + "in between; faster, the frames differ from off (judge on your own images; README, Feature caching). "
      + "Default: off, or the preset's.", valueName: "off|deep:N"), transform: FeatureCache.parse)
  var cache: FeatureCache?
  @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
    "Write N times the frames at N times the frame rate, same duration (FFmpeg's motion-compensated minterpolate; "
      + "e.g. 16 frames at 8 fps -> 32 at 16 fps with --interpolate 2). The sidecar records it.", valueName: "N"))
  var interpolate: Int?
  @Option(name: .long, help: ArgumentHelp("motion, or blend (a cross-fade: cheaper, ghosts on fast motion).",
                                          valueName: "motion|blend"))
  var interpolateMode: FrameInterpolation.Mode = .motion
  @Option(name: .long, help: ArgumentHelp(
    "A sound track (any file FFmpeg reads: WAV, MP3, M4A, FLAC, Ogg, Opus, a video with sound) muxed into .mp4 "
      + "(AAC) or .webm (Opus): cut at the video's end with a 0.25 s fade-out (an eighth of clips under 2 s), or "
      + "padded with silence; a mismatch of more than a frame is warned about. GIF and PNG frames refuse it.",
    valueName: "file"))
  var audio: String?
  @Flag(name: .long, help: ArgumentHelp("With --audio: choose the number of frames so the video lasts as long as the "
    + "sound (round(seconds x fps), at most \(SoundTrackPlan.maxFrames))."))
  var fitToAudio = false
  @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
    "Chain K clips into one video: clip k+1 starts from clip k's last frame, with seed S+k (README, Longer videos). "
      + "With --fit-to-audio the sound's length is shared by the K clips; 'auto': as many clips of at most --frames "
      + "frames as the sound needs.",
    valueName: "K|auto"))
  var clips: ClipCount = .count(1)
  @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
    "Cross-fade N frames at each join of --clips (at most (frames-1)/2; 0: a cut). K clips of F frames "
      + "give F + (K-1)(F-1-N) frames.", valueName: "N"))
  var joinBlend = 0
  @Flag(name: .long, help: ArgumentHelp(
    "Measure the written video's motion as `i2v analyze` does (optical flow: motion, jitter, flicker, sharpness) and "
      + "record the measures and verdict in the sidecar (batch: also in its summary, sortable by jitter)."))
  var analyze = false
  @Flag(name: .long, help: "Replace existing output files.") var overwrite = false
  @Option(name: .long, parsing: .unconditional, help: "Video quality (x264/VP9 CRF; lower is better, default 18).") var crf: Int?
  @Flag(name: .long, help: "Leave the prompt and seed out of the video's metadata (the sidecar still has them).")
  var noMetadata = false
  @Option(name: .long, help: ArgumentHelp(
    "The prompt's text cleanup: ftfy (as CLIP was trained and as transformers runs when ftfy is installed) or basic "
      + "(as transformers without ftfy: CJK characters split apart, zero-width characters dropped).",
    valueName: "ftfy|basic"))
  var textCleanup: TextCleanup = .ftfy

  /// The settings as the application takes them.
  var settings: GenerationSettings {
    var g = GenerationSettings()
    g.negativePrompt = negativePrompt
    g.preset = preset
    g.steps = steps
    g.guidance = guidance
    g.frames = frames
    g.fps = fps
    g.conditioningFps = conditioningFps
    g.width = width
    g.height = height
    g.seed = seed
    g.decodeChunkSize = decodeChunkSize
    g.longPrompt = longPrompt
    g.promptSyntax = promptSyntax
    g.guidanceSchedule = guidanceSchedule
    g.guidanceEnd = guidanceEnd
    g.scheduler = scheduler
    g.cache = cache
    g.interpolate = interpolate
    g.interpolateMode = interpolateMode
    g.audio = audio
    g.fitToAudio = fitToAudio
    g.overwrite = overwrite
    g.crf = crf
    g.metadata = !noMetadata
    g.textCleanup = textCleanup
    switch clips {
    case .count(let k): g.clips = k
    case .auto: g.clipsFromAudio = true
    }
    g.joinBlend = joinBlend
    g.analyze = analyze
    return g
  }

  func validate() throws {
    do { try settings.validate() } catch let e as SettingsError { throw ValidationError(e.message) }
  }
}

/// `--clips K` or `--clips auto`.
enum ClipCount: ExpressibleByArgument {
  case count(Int)
  case auto

  init?(argument: String) {
    if argument == "auto" { self = .auto } else if let k = Int(argument) { self = .count(k) } else { return nil }
  }
}

extension TextCleanup: ExpressibleByArgument {}
extension SchedulerKind: ExpressibleByArgument {}
extension GuidanceSchedule.Shape: ExpressibleByArgument {}

extension PromptSyntax: ExpressibleByArgument {
  public static var defaultCompletionKind: CompletionKind { .list(allCases.map(\.rawValue)) }
}

extension GuidanceSetting: ExpressibleByArgument {
  public init?(argument: String) { self.init(text: argument) }
  public static var defaultCompletionKind: CompletionKind { .list(["auto"]) }
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
    "none: keep every component loaded; encoders: drop the text and image encoders once used (the default for "
      + "generate of one clip; batch and --clips keep them: none); model: each component on the device only while "
      + "it runs (least memory, for 8 GB GPUs; weights are re-read for every video).", valueName: "auto|none|encoders|model"))
  var offload = "auto"
  @Flag(name: .long, help: "Run even when the memory pre-flight estimate says the job will not fit.")
  var noMemoryCheck = false
  @Flag(name: .long, help: """
    Replay each denoising step's UNet evaluation as one CUDA graph (fewer launches; needs a shim built with the \
    CUDA headers; ignored elsewhere).
    """)
  var cudaGraphs = false
  @OptionGroup var runtime: RuntimeOptions

  /// `auto` is the command's choice (`single`: one video, so the encoders are not needed after it).
  func offloadMode(single: Bool) -> OffloadMode {
    OffloadMode(rawValue: offload) ?? (single ? .encoders : .none)
  }

  /// The settings for `generate` (`single`) or `batch`.
  func settings(single: Bool) -> ModelSettings {
    var m = ModelSettings()
    m.model = model
    m.device = device
    m.dtype = dtype
    m.allowMixed = allowMixed
    m.offload = offloadMode(single: single)
    m.memoryCheck = !noMemoryCheck
    m.cudaGraphs = cudaGraphs
    m.runtime = runtime.settings
    return m
  }

  func validate() throws {
    if offload != "auto" && OffloadMode(rawValue: offload) == nil {
      throw ValidationError("--offload must be auto, none, encoders or model (got '\(offload)')")
    }
    do { try settings(single: true).validate() } catch let e as SettingsError { throw ValidationError(e.message) }
  }
}
