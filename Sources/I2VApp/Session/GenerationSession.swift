import Foundation
import I2VCheckpoint
import I2VMedia
import I2VModels
import I2VTensor

/// One model, resolved and checked once, loaded on first use, serving any number of generations
/// (`generate` runs one; `batch` runs many without reloading).
public final class GenerationSession {
  public struct Item {
    public var image: String
    public var prompt: String
    public var output: String
    public var framesDir: String?
    public var options: GenerationSettings
    public var saveTensors: String?

    public init(image: String, prompt: String, output: String, framesDir: String?, options: GenerationSettings,
                saveTensors: String?)
    {
      self.image = image
      self.prompt = prompt
      self.output = output
      self.framesDir = framesDir
      self.options = options
      self.saveTensors = saveTensors
    }
  }

  public struct Result {
    public var output: String
    public var seed: UInt64
    public var request: GenerationRequest
    /// Frames of the video before `--interpolate` (with `--clips`, all clips joined).
    public var frames: Int
    public var videoFPS: Int
    public var preset: GenerationPreset
    public var seconds: Double
    public var timings: [(stage: String, seconds: Double)]
    /// The provenance sidecar written next to the output (`Provenance.sidecarPath(for: output)`).
    public var sidecarPath: String
    /// The sidecar of the `--frames-dir` folder, when there is one.
    public var framesSidecarPath: String?
    public var guidance: GuidanceChoice
    /// Settings outside their comfortable range (`SafeRanges`), already printed.
    public var warnings: [String]
    public var provenance: Provenance
  }

  public let model: ModelLocator.Found
  public let folder: ModelFolder
  public let latentScale: Int
  public let device: Device
  public let dtype: DType
  public let report: ProgressSink
  public let runtime: RuntimeSettings
  public let offload: OffloadMode
  public let memoryCheck: Bool
  /// --cuda-graphs, where it can take effect.
  public let cudaGraphs: Bool
  private var parameterCounts: [String: Int]?
  /// File hashes and lock status of the model, checked before loading and recorded in every sidecar.
  public let integrity: ModelIntegrity
  public private(set) var pipeline: I2VGenXLPipeline?
  /// The request of the item being run (for out-of-memory advice).
  public private(set) var lastRequest: GenerationRequest?
  /// Seconds the last `loadedPipeline()` spent loading, charged to the run that triggered it.
  private var pendingLoadSeconds = 0.0
  /// Warnings already printed: a batch of 1,000 items with the same settings says each one once (every sidecar
  /// still records the warnings that apply to its run).
  private var printedWarnings: Set<String> = []

  /// Resolves and checks the model folder and the device without loading any weights.
  public init(_ options: ModelSettings, report: ProgressSink) throws {
    self.report = report
    runtime = options.runtime
    offload = options.offload
    memoryCheck = options.memoryCheck
    model = try ModelLocator.locate(argument: options.model)
    folder = try PipelineDescriptor(modelPath: model.path).check()
    latentScale = try Self.latentScale(folder)
    try options.runtime.apply()
    device = try Self.resolveDevice(options.device)
    try options.runtime.check(device: device)
    cudaGraphs = options.cudaGraphs && device.kind == .cuda && CUDAGraph.isSupported
    if options.cudaGraphs && !cudaGraphs {
      report.notice("note: --cuda-graphs needs a CUDA GPU and a shim built with the CUDA runtime headers "
        + "(Scripts/build-shim.sh finds them); running without")
    }
    dtype = options.dtype == "auto" ? (device.kind == .cuda ? .float16 : .float32) : DType(name: options.dtype)!
    // libtorch 1.x has no float16 CPU kernels for convolutions and norms: say so now, not after loading.
    if device.kind == .cpu && dtype == .float16, let major = Int(try Runtime.torchVersion().prefix { $0 != "." }),
      major < 2
    {
      throw PipelineError.invalidRequest("--dtype float16 on the CPU needs libtorch 2.x (this shim's libtorch is "
        + "\(try Runtime.torchVersion()), which has no float16 CPU kernels)\n  fix: --dtype bfloat16 or float32, "
        + "or a shim built against PyTorch 2.x (README, GPUs)")
    }
    integrity = try ModelIntegrity(folder, dtype: dtype, allowMixed: options.allowMixed, report: report)
    if model.source == .bundled {
      FileHandle.standardError.write(Data(("note: using the bundled smoke-test model (random weights): the video "
        + "will be noise. Pass --model DIR or set I2V_MODEL to use ali-vilab/i2vgen-xl.\n").utf8))
    }
  }

  /// A session that ends stops its background hashing first (the process may exit right after).
  deinit { integrity.stop() }

  /// One item, resolved and checked once without weights: its preset, the request the pipeline will run (sizes
  /// against the model's VAE, the decoded image, guidance, seed), output paths and write options, and the
  /// settings outside their comfortable range.
  public struct PreparedJob {
    public var item: Item
    public var request: GenerationRequest
    public var preset: GenerationPreset
    public var guidance: GuidanceChoice
    public var writeOptions: VideoWriteOptions
    public var videoFPS: Int
    public var warnings: [String]
    /// `--audio`: the probed sound and how it fits the video (the frame count already follows it).
    public var sound: SoundTrackPlan?
    /// `--fit-to-audio` over chained clips: the joined video's frames, fewer than the clips make (`AudioClipFit`).
    public var videoFrames: Int? = nil
  }

  /// The size of an item's video (its settings over its preset), without reading its image.
  public struct VideoShape: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var frames: Int
    public var decodeChunkSize: Int
  }

  public func videoShape(_ item: Item) throws -> VideoShape {
    let o = item.options
    let settings = try GenerationPreset.load(o.preset)
    let w = o.width ?? settings.width, h = o.height ?? settings.height
    guard w % latentScale == 0 && h % latentScale == 0 else {
      throw PipelineError.invalidRequest("--width and --height must each be a multiple of \(latentScale) for this "
        + "model (its VAE's scale; got \(w)x\(h)), e.g. \(w / latentScale * latentScale)x\(h / latentScale * latentScale)")
    }
    return VideoShape(width: w, height: h, frames: o.frames ?? settings.frames, decodeChunkSize: o.decodeChunkSize)
  }

  /// Everything about an item that can be checked without weights: preset, sizes, image, output paths. Decodes
  /// the image (once: the job carries it to `run`).
  public func prepare(_ item: Item) throws -> PreparedJob {
    try resolve(item) { .decoded(try ImageLoader.loadDetailed(path: item.image)) }
  }

  /// `prepare`'s checks and warnings from the image's header instead of its pixels (batch triage: every item is
  /// checked before the model loads, and its pixels are decoded once, when it runs). Damage past the header and
  /// the warnings that need pixels (blur, exposure, decoder notes) come with `prepare`. Falls back to a decode for
  /// the few formats whose header does not settle the size.
  public func check(_ item: Item) throws -> [String] {
    try resolve(item) {
      if let header = try ImageLoader.probe(path: item.image) { return .header(header) }
      return .decoded(try ImageLoader.loadDetailed(path: item.image))
    }.warnings
  }

  /// The input image as `resolve` gets it: decoded, or only its header.
  private enum InputImage {
    case decoded(DecodedImage)
    case header(ImageHeader)
  }

  /// `prepare` and `check`: `image` is read where its errors have always come, after the output and sound checks.
  /// With a header only, the job's request holds no pixels; it never leaves `check`.
  private func resolve(_ item: Item, image readImage: () throws -> InputImage) throws -> PreparedJob {
    let o = item.options
    let settings = try GenerationPreset.load(o.preset)
    let shape = try videoShape(item)
    let w = shape.width, h = shape.height
    let videoFPS = o.fps ?? settings.fps
    let writeOptions = VideoWriteOptions(
      fps: Double(videoFPS * max(1, o.interpolate ?? 1)), crf: o.crf, overwrite: o.overwrite,
      metadata: VideoMetadata(prompt: o.metadata ? item.prompt : nil, seed: nil, toolVersion: "i2v \(I2VVersion.string)"))
    try Self.checkDistinct(item)
    var soundOptions = writeOptions
    if let audio = o.audio {
      let format = try VideoWriter.checkFormat(path: item.output)
      guard format == .mp4 || format == .webm else {
        throw SettingsError("--audio: \(format.displayName) output ('\(item.output)') has no sound track; write .mp4 "
          + "(AAC sound) or .webm (Opus sound), or leave out --audio")
      }
      soundOptions.audio = audio
    }
    _ = try VideoWriter.checkOutput(path: item.output, options: soundOptions)
    if let dir = item.framesDir { _ = try VideoWriter.checkOutput(path: dir, options: writeOptions) }
    // The whole sound is decoded now, so a bad file fails before any weights load.
    let chainedFit = o.fitToAudio && (o.clips > 1 || o.clipsFromAudio)
    let sound = try o.audio.map {
      try SoundTrackPlan(audio: SoundTrack.probe(path: $0), fit: o.fitToAudio, frames: shape.frames, fps: videoFPS,
                         chained: chainedFit)
    }
    // --fit-to-audio over chained clips: the clip count (--clips auto) and frames per clip follow the sound.
    var item = item
    var clipFit: AudioClipFit?
    if chainedFit, let sound {
      let fit = try AudioClipFit(target: sound.frames, clips: o.clipsFromAudio ? nil : o.clips,
                                 maxFramesPerClip: min(o.frames ?? settings.frames, SoundTrackPlan.maxFrames),
                                 blend: o.joinBlend)
      item.options.clips = fit.clips
      item.options.clipsFromAudio = false
      clipFit = fit
    }
    // With --clips the sound goes with the joined video, so its length is compared with that.
    var soundWarnings = sound?.warnings ?? []
    if let sound, o.clips > 1, clipFit == nil {
      let joined = ClipJoin.frameCount(clips: o.clips, framesPerClip: sound.frames, blend: o.joinBlend)
      soundWarnings = SoundTrackPlan.mismatch(audio: sound.audio, frames: joined, fps: Double(videoFPS), fade: sound.fade,
                                              fix: "change --frames or --clips to match it").map { [$0] } ?? []
    }
    let image = try readImage()
    let decoded: DecodedImage?, imageSize: (width: Int, height: Int)
    switch image {
    case .decoded(let d): (decoded, imageSize) = (d, (d.image.width, d.image.height))
    case .header(let h): (decoded, imageSize) = (nil, (h.width, h.height))
    }
    var request = GenerationRequest(image: decoded?.image ?? RGBImage(unchecked: 0, 0, []), prompt: item.prompt,
                                    negativePrompt: o.negativePrompt)
    request.width = w
    request.height = h
    request.frames = clipFit?.framesPerClip ?? sound?.frames ?? shape.frames
    request.steps = o.steps ?? settings.steps
    request.promptSyntax = o.promptSyntax ?? settings.promptSyntax
    request.longPrompt = o.longPrompt ?? settings.longPrompt
    // A flag's schedule comes with the flag's end (or the preset's when the preset's schedule changes too).
    let schedule = o.guidanceSchedule ?? settings.guidanceSchedule
    if o.guidanceEnd != nil && schedule == .constant {
      throw SettingsError("--guidance-end needs a changing schedule: add --guidance-schedule linear or cosine")
    }
    request.guidanceSchedule = GuidanceSchedule(
      shape: schedule, end: schedule == .constant ? nil : o.guidanceEnd ?? settings.guidanceEnd)
    request.scheduler = o.scheduler ?? settings.scheduler
    request.featureCache = o.cache ?? settings.cache
    // Made once here from the model's config, so a scheduler that cannot run is refused before any weights load.
    do {
      let config = try folder.component("scheduler").config()
      if try request.scheduler.sampler(config: config, steps: request.steps) == nil {
        _ = try DDIMScheduler(config: config).timesteps(steps: request.steps)  // the model's own: steps it has
      }
    } catch let e as TorchError {
      throw SettingsError("--scheduler \(request.scheduler.rawValue): \(e.message)")
    }
    // Malformed weighted syntax fails here, before any weights load; the advisor reads the text without brackets.
    var readPrompt = item.prompt
    if request.promptSyntax == .weighted {
      do {
        readPrompt = try WeightedPromptParser.parse(item.prompt).map(\.text).joined()
        for p in ClipChain.prompts(item) { _ = try WeightedPromptParser.parse(p) }
        _ = try o.negativePrompt.map { try WeightedPromptParser.parse($0, field: "negative prompt") }
      } catch let e as PromptSyntaxError {
        throw SettingsError(e.description)
      }
    }
    let guidance = GuidanceSetting.resolve(o.guidance, prompt: readPrompt, preset: settings)
    request.guidanceScale = guidance.scale
    request.conditioningFPS = o.conditioningFps ?? videoFPS
    request.seed = o.seed ?? UInt64.random(in: 0..<(1 << 32))
    request.decodeChunkSize = o.decodeChunkSize
    request.textCleanup = o.textCleanup
    if decoded != nil {
      try request.validate(latentScale: latentScale)
    } else {
      try request.validateSettings(latentScale: latentScale)
      try request.validateImageSize(width: imageSize.width, height: imageSize.height)
    }
    try ClipChain.check(item, frames: request.frames)
    if o.analyze { try MotionAnalyzer.checkCanAnalyze(frames: ClipJoin.frameCount(
      clips: o.clips, framesPerClip: request.frames, blend: o.joinBlend)) }
    // An input is never used silently when its decoding noted something (damage the decoder reported, 16-bit gray
    // clipped as Pillow clips it, frames or pages left out): a warning printed and kept in the sidecar.
    let imageWarnings = decoded?.warning.map { ["\(item.image): \($0)"] } ?? []
    let pixelWarnings = decoded.map { InputImageAdvisor.warnings($0.image, width: request.width, height: request.height) }
    return PreparedJob(item: item, request: request, preset: settings, guidance: guidance, writeOptions: writeOptions,
                       videoFPS: videoFPS, warnings: imageWarnings + SafeRanges.warnings(for: request)
                         + (pixelWarnings ?? []) + soundWarnings, sound: sound,
                       videoFrames: clipFit.map { $0.clips > 1 ? $0.frames : nil } ?? nil)
  }

  public func loadedPipeline() throws -> I2VGenXLPipeline {
    if let pipeline { return pipeline }
    report.stage("loading the model")
    report.note("loading \(model.path) (\(dtype) on \(device))")
    let started = Date()
    var component = "tokenizer"
    let p: I2VGenXLPipeline
    do {
      p = try I2VGenXLPipeline(PipelineDescriptor(modelPath: model.path, dtype: dtype, device: device,
                                                  offload: offload, cudaGraphs: cudaGraphs), checked: folder) {
        component = $0
      }
    } catch let e as TorchError where e.isOutOfMemory {
      throw PipelineError.outOfMemory(stage: "loading the \(component) weights (\(dtype)) onto \(device)", detail: e.message)
    }
    pipeline = p
    pendingLoadSeconds = Date().timeIntervalSince(started)
    return p
  }

  /// Generates one item and writes its outputs (PNG frames first, then the video, each atomically).
  public func run(_ item: Item, isCancelled: () -> Bool = { false }) throws -> Result {
    try run(prepare(item), isCancelled: isCancelled)
  }

  /// Generates a prepared job (see `prepare`).
  public func run(_ job: PreparedJob, isCancelled: () -> Bool = { false }) throws -> Result {
    let (item, preset, guidance) = (job.item, job.preset, job.guidance)
    var request = job.request
    let (writeOptions, videoFPS, warnings) = (job.writeOptions, job.videoFPS, job.warnings)
    let keyContext = ("\(dtype)", model.path)
    if let kept = ClipChain.resumableSeed(request, item: item, keyContext: keyContext) {
      request.seed = kept
      report.notice("continuing the clips an interrupted run kept for \(item.output), with their seed")
    }
    lastRequest = request
    report.notice("seed \(request.seed)\(item.options.seed == nil ? " (random; pass --seed \(request.seed) to repeat)" : "")")
    if guidance.source == .auto { report.notice("guidance auto: \(guidance.scale) — \(guidance.reason)") }
    for w in warnings where printedWarnings.insert(w).inserted { report.notice("warning: \(w)") }
    try preflight(request)
    integrity.startHashing()  // overlaps loading and generating; the sidecar waits for it
    // What an earlier, killed run left for these outputs (hidden temporaries) goes now.
    let clipFiles = (1...item.options.clips).map { ClipFile.path(for: item.output, clip: $0) }
    for path in [item.output] + (item.framesDir.map { [$0] } ?? []) + clipFiles {
      let trimmed = BatchOutputs.trimmed(path)
      let folder = (trimmed as NSString).deletingLastPathComponent
      _ = BatchOutputs.removeStaleTemporaries(in: folder.isEmpty ? "." : folder, for: [path])
    }
    let started = Date()
    let pipeline = try loadedPipeline()
    let loadSeconds = pendingLoadSeconds
    pendingLoadSeconds = 0
    // Laid out once per clip: for the notes below and for the pipeline (syntax errors were caught by `prepare`).
    let report = self.report
    let count = item.options.clips
    let chain = try ClipChain.run(request, item: item, blend: item.options.joinBlend, length: job.videoFrames,
                                  report: report, keyContext: keyContext) { k, clip in
      var clip = clip
      let prompts = try PromptPlan(request: clip, tokenizer: pipeline.tokenizer)
      clip.prompts = prompts
      if k == 1 { request.prompts = prompts }  // the first clip's, for the sidecar
      for note in PromptNotes.notes(prompts) { report.note(note) }
      return try pipeline.generate(clip, onEvent: { event in
        let label = count > 1 ? " (clip \(k) of \(count))" : ""
        switch event {
        case .stage(let s):
          report.stage(s + label)
          if s == "decoding" { report.begin("decoding" + label + " ") }
        case .denoisingStep(let i, let n, _):
          if i == 0 {
            report.stage("denoising" + label)
            report.begin("denoising" + label)
          }
          report.update(i, of: n)
        case .decodedFrames(let done, let n): report.update(done, of: n)
        }
      }, isCancelled: isCancelled)
    }
    let writeStarted = Date()
    report.stage("writing")
    var images = chain.frames
    var interpolation: Provenance.InterpolationRecord?
    if let factor = item.options.interpolate, factor > 1 {
      report.note("interpolating \(images.count) frames x\(factor) (\(item.options.interpolateMode.rawValue))")
      let generated = images.count
      images = try FrameInterpolation.interpolate(images, factor: factor, mode: item.options.interpolateMode)
      interpolation = .init(factor: factor, mode: item.options.interpolateMode.rawValue, framesGenerated: generated,
                            framesWritten: images.count, fpsWritten: videoFPS * factor)
    }
    if let dir = item.framesDir { try writeVideo(frames: images, to: dir, options: writeOptions) }
    var finalOptions = writeOptions
    if item.options.metadata { finalOptions.metadata.seed = request.seed }
    finalOptions.audio = job.sound?.audio.path  // the video only: PNG frames have no sound track
    finalOptions.audioFade = job.sound?.fade ?? SoundTrack.defaultFade
    let soundReport = try writeVideo(frames: images, to: item.output, options: finalOptions)
    var timings = ["load": loadSeconds, "write": Date().timeIntervalSince(writeStarted)]
    timings.merge(chain.timings) { $1 }
    var runWarnings = warnings
    var motion: MotionAnalysis?
    if item.options.analyze {
      let analyzeStarted = Date()
      do {
        motion = try analyzeMotion(images, fps: Double(interpolation?.fpsWritten ?? videoFPS))
      } catch {
        // The video is written and fine: a failed measurement is said and recorded, not the run's failure.
        let warning = "motion analysis failed: \(error)"
        report.notice("warning: \(warning)")
        runWarnings.append(warning)
      }
      timings["analyze"] = Date().timeIntervalSince(analyzeStarted)
    }
    timings["total"] = Date().timeIntervalSince(started)
    var provenance = try Provenance(session: self, item: item, request: request, preset: preset, guidance: guidance,
                                    videoFPS: videoFPS, warnings: runWarnings, timings: timings,
                                    gpuMemory: chain.last?.gpuMemory, guidanceScales: chain.last?.guidanceScales ?? [],
                                    unetEvaluations: chain.last?.unetEvaluations)
    provenance.interpolation = interpolation
    provenance.motion = motion
    if let plan = job.sound, let soundReport {
      provenance.audio = try Provenance.AudioRecord(plan, written: soundReport)
    }
    if count > 1 {
      provenance.clips = chain.clips
      provenance.joinBlend = item.options.joinBlend
    }
    let sidecar = try provenance.write(beside: item.output)
    var framesSidecar: String?
    if let dir = item.framesDir {
      var record = provenance
      record.output = try Provenance.outputRecord(dir)
      record.audio = nil  // PNG frames carry no sound
      framesSidecar = try record.write(beside: dir)
    }
    // The video is whole: the clips kept for resuming go (and any a longer chain left for this output).
    ClipFile.removeAll(for: item.output, upTo: count)
    if let dump = item.saveTensors, let output = chain.last {
      try SafeTensorsWriter.write(["frames_float": output.framesFloat, "frames_uint8": output.framesUInt8],
                                  metadata: ["seed": String(request.seed)], to: dump)
    }
    return Result(output: item.output, seed: request.seed, request: request, frames: chain.frames.count,
                  videoFPS: videoFPS, preset: preset,
                  seconds: Date().timeIntervalSince(started), timings: chain.last?.timings ?? [], sidecarPath: sidecar,
                  framesSidecarPath: framesSidecar, guidance: guidance, warnings: runWarnings, provenance: provenance)
  }

  /// `--analyze`: the written frames' motion, with progress and the verdict as a notice.
  private func analyzeMotion(_ frames: [RGBImage], fps: Double) throws -> MotionAnalysis {
    report.begin("analysing motion ")
    let analysis = try MotionAnalyzer.analyze(frames, fps: fps, fpsSource: "generated") { report.update($0, of: $1) }.0
    let c = analysis.clip
    report.notice("motion: \(analysis.verdict.summary) (motion \(Format.fixed(c.motionPercentPerSecond, 2))% of the "
      + "diagonal per second, jitter \(Format.fixed(c.jitterPercent, 3))%, warp error \(Format.fixed(c.warpError, 2)))")
    return analysis
  }

  /// The job's estimated peak memory (configs and weight headers only).
  public func memoryEstimate(_ request: GenerationRequest, dtype: DType? = nil, offload: OffloadMode? = nil,
                      blockBytes: Int = ActivationBudget.blockBytes) throws -> MemoryEstimate
  {
    if parameterCounts == nil { parameterCounts = try MemoryEstimate.parameterCounts(folder) }
    return try MemoryEstimate.forModel(folder, request: request, dtype: dtype ?? self.dtype, device: device,
                                       offload: offload ?? self.offload, blockBytes: blockBytes,
                                       parameters: parameterCounts)
  }

  /// Refuses, before any weight loads, a job whose estimated peak exceeds what the device has free, naming the
  /// settings that would fit. Once the model is loaded only the activations still need room.
  public func preflight(_ request: GenerationRequest) throws {
    guard memoryCheck, let available = MemoryEstimate.available(on: device) else { return }
    let estimate = try memoryEstimate(request)
    let needed = pipeline != nil && offload == .none ? estimate.peak.activationBytes : estimate.peakBytes
    guard needed > available else { return }
    throw MemoryPreflightError(
      message: MemoryAdvice.preflightMessage(estimate: estimate, needed: needed, available: available, session: self,
                                             request: request))
  }

  /// The input, the output and the frames folder must be three different places (an `--overwrite` run would
  /// otherwise replace the picture it reads, or write the frames over the video).
  static func checkDistinct(_ item: Item) throws {
    func real(_ p: String) -> String {
      var q = p
      while q.count > 1 && q.hasSuffix("/") { q.removeLast() }
      return URL(fileURLWithPath: q).resolvingSymlinksInPath().standardizedFileURL.path
    }
    let image = real(item.image), output = real(item.output)
    if image == output {
      throw PipelineError.invalidRequest("-o \(item.output) is the input image itself; choose another output name")
    }
    if let dir = item.framesDir {
      let frames = real(dir)
      if frames == output { throw PipelineError.invalidRequest("--frames-dir and -o are the same path (\(dir))") }
      if frames == image { throw PipelineError.invalidRequest("--frames-dir \(dir) is the input image itself") }
    }
  }

  /// Pixels per latent from the VAE config (2^(len(block_out_channels) − 1)), read without loading weights.
  public static func latentScale(_ model: ModelFolder) throws -> Int {
    let blocks = try model.component("vae").config().ints("block_out_channels")
    return 1 << max(0, blocks.count - 1)
  }

  public static func resolveDevice(_ text: String) throws -> Device {
    let gpus = try Runtime.cudaDeviceCount()
    // A CUDA libtorch whose CUDA failed to start is a broken setup, not a CPU machine: never fall back silently.
    if text != "cpu", case .failed(let reason) = try Runtime.cudaState() {
      throw PipelineError.invalidRequest("the shim's libtorch has CUDA, but CUDA did not start: \(reason)\n"
        + "  fix: check the NVIDIA driver (nvidia-smi) and CUDA_VISIBLE_DEVICES, or pass --device cpu")
    }
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
