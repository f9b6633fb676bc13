import Foundation
import I2VCheckpoint
import I2VTensor

/// diffusers' `I2VGenXLPipeline` (`pipelines/i2vgen_xl/pipeline_i2vgen_xl.py`, `__call__`), step for step: the
/// same operations, in the same order, with the
/// same random draws, so a seed gives diffusers' video up to float rounding.
public final class I2VGenXLPipeline: @unchecked Sendable {
  public let descriptor: PipelineDescriptor
  public let tokenizer: CLIPTokenizer
  public let clipPreprocessor: CLIPImagePreprocessor
  public let scheduler: DDIMScheduler
  /// The model's scheduler config, from which another scheduler is made as diffusers' `from_config` makes it.
  public let schedulerConfig: JSONConfig
  public let unetConfig: UNetConfig
  public let vaeConfig: VAEConfig
  let model: ModelFolder

  public var dtype: DType { descriptor.dtype }
  public var device: Device { descriptor.device }

  // The network components, loaded at init (offload .none) or for the stage that uses them (.model).
  private var loadedTextEncoder: CLIPTextModel?
  private var loadedImageEncoder: CLIPVisionModelWithProjection?
  private var loadedVAE: AutoencoderKL?
  private var loadedUNet: I2VGenXLUNet?
  private let onComponent: (String) -> Void

  public var textEncoder: CLIPTextModel {
    get throws {
      try loaded(\.loadedTextEncoder, "text_encoder") { try CLIPTextModel(component: $0, dtype: dtype, device: device) }
    }
  }

  public var imageEncoder: CLIPVisionModelWithProjection {
    get throws {
      try loaded(\.loadedImageEncoder, "image_encoder") {
        try CLIPVisionModelWithProjection(component: $0, dtype: dtype, device: device)
      }
    }
  }

  public var vae: AutoencoderKL {
    get throws { try loaded(\.loadedVAE, "vae") { try AutoencoderKL(component: $0, dtype: dtype, device: device) } }
  }

  public var unet: I2VGenXLUNet {
    get throws { try loaded(\.loadedUNet, "unet") { try I2VGenXLUNet(component: $0, dtype: dtype, device: device) } }
  }

  /// The component in `slot`, loaded from its folder first if it is not resident.
  private func loaded<T>(_ slot: ReferenceWritableKeyPath<I2VGenXLPipeline, T?>, _ name: String,
                         _ make: (ComponentFolder) throws -> T) throws -> T
  {
    if let m = self[keyPath: slot] { return m }
    onComponent(name)
    let m = try make(model.component(name))
    self[keyPath: slot] = m
    return m
  }

  /// Components currently holding weights on the device.
  public var residentComponents: [String] {
    [("text_encoder", loadedTextEncoder != nil), ("image_encoder", loadedImageEncoder != nil),
     ("vae", loadedVAE != nil), ("unet", loadedUNet != nil)].filter(\.1).map(\.0)
  }

  /// Drops a component's weights once its stage is done: any component with offload .model, the encoders with
  /// .encoders.
  func release(_ name: String) {
    switch descriptor.offload {
    case .none: return
    case .encoders: guard name == "text_encoder" || name == "image_encoder" else { return }
    case .model: break
    }
    switch name {
    case "text_encoder": loadedTextEncoder = nil
    case "image_encoder": loadedImageEncoder = nil
    case "vae": loadedVAE = nil
    default: loadedUNet = nil
    }
  }

  /// Loads the configs and (offload .none) every component, weights converted to the descriptor's dtype on its
  /// device and bound strictly. `checked`: the folder as `descriptor.check()` returned it, when the caller has
  /// already checked it. `onComponent` is called before each component loads (for progress output).
  public init(_ descriptor: PipelineDescriptor, checked: ModelFolder? = nil,
              onComponent: @escaping (String) -> Void = { _ in }) throws
  {
    self.descriptor = descriptor
    let model = try checked ?? descriptor.check()
    self.model = model
    self.onComponent = onComponent
    onComponent("tokenizer")
    tokenizer = try CLIPTokenizer(directory: URL(fileURLWithPath: model.component("tokenizer").path))
    clipPreprocessor = try CLIPImagePreprocessor(
      featureExtractorDirectory: URL(fileURLWithPath: model.component("feature_extractor").path))
    schedulerConfig = try model.component("scheduler").config()
    scheduler = try DDIMScheduler(config: schedulerConfig)
    unetConfig = try UNetConfig(model.component("unet").config())
    vaeConfig = try VAEConfig(model.component("vae").config())
    if descriptor.offload != .model {  // bound now, so a bad checkpoint fails before any work
      _ = try textEncoder
      _ = try imageEncoder
      _ = try vae
      _ = try unet
    }
  }

  /// Pixels per latent (8 for the real model).
  public var latentScale: Int { vaeConfig.scaleFactor }

  /// Runs the pipeline. `isCancelled` is polled between steps; a cancelled run throws `PipelineError.cancelled`.
  /// A failed allocation throws `PipelineError.outOfMemory` naming the stage.
  public func generate(_ r: GenerationRequest, onEvent: (PipelineEvent) -> Void = { _ in },
                       isCancelled: () -> Bool = { false }) throws -> GenerationOutput
  {
    var stage = "encoding prompt"
    do {
      return try run(r, onEvent: { event in
        switch event {
        case .stage(let s): stage = s
        case .denoisingStep(let i, let n, _): stage = "denoising, step \(min(i + 1, n)) of \(n)"
        case .decodedFrames(let done, let n): stage = "decoding frames \(done + 1)-\(min(done + r.decodeChunkSize, n)) of \(n)"
        }
        onEvent(event)
      }, isCancelled: isCancelled)
    } catch let e as TorchError where e.isOutOfMemory {
      throw PipelineError.outOfMemory(stage: stage, detail: e.message)
    }
  }

  func run(_ r: GenerationRequest, onEvent: (PipelineEvent) -> Void, isCancelled: () -> Bool) throws
    -> GenerationOutput
  {
    try r.validate(latentScale: latentScale)
    var timings: [(String, Double)] = []
    let gpu = device.kind == .cuda ? device.index ?? 0 : nil
    if let gpu { try Runtime.cudaResetPeakMemory(gpu) }
    var clock = Date()
    // Work is queued asynchronously on a GPU: each stage ends when the device has finished it, so the time of
    // denoising is not billed to decoding.
    func lap(_ stage: String) throws {
      try Runtime.synchronize(device)
      timings.append((stage, Date().timeIntervalSince(clock)))
      clock = Date()
    }
    func checkCancel() throws { if isCancelled() { throw PipelineError.cancelled } }
    let cfg = r.usesGuidance
    // One CPU generator for both draws, VAE posterior noise first (diffusers with torch.manual_seed(seed)).
    let generator = try Generator(seed: r.seed)

    // 3.1 Text: [negative ; positive] along the batch, each 77 tokens per chunk (one chunk unless --long-prompt).
    onEvent(.stage("encoding prompt"))
    let prompts = try r.prompts ?? PromptPlan(request: r, tokenizer: tokenizer)
    guard (prompts.negative != nil) == cfg else {
      throw PipelineError.invalidRequest("the request's prompt plan \(cfg ? "lacks" : "has") a negative prompt, but "
        + "guidance \(r.guidanceScale) \(cfg ? "needs" : "has no use for") one; make it with PromptPlan(request:tokenizer:)")
    }
    let promptEmbeds = try PromptEncoder.embeddings(prompts.positive, textEncoder: textEncoder)
    let textContext = try prompts.negative.map {
      try Tensor.cat([PromptEncoder.embeddings($0, textEncoder: textEncoder), promptEmbeds])
    } ?? promptEmbeds
    release("text_encoder")
    try checkCancel()

    // 3.2.1 CLIP image embedding; the unconditional one is zeros.
    onEvent(.stage("encoding image"))
    let pixels = clipPreprocessor.pixelValues(from: r.image, videoWidth: r.width)
    let embeds = try imageEncoder.imageEmbeds(pixelValues: Tensor(pixels.values, shape: pixels.shape)).unsqueeze(1)
    release("image_encoder")
    let imageEmbeddings = cfg ? try Tensor.cat([Tensor.zeros(embeds.shape, dtype: embeds.dtype, device: device), embeds])
      : embeds

    // 3.2.2 VAE latents of the first frame (the first random draw), plus the position-mask frames.
    let imageLatents = try prepareImageLatents(r, generator: generator, dtype: imageEmbeddings.dtype)
    let conditioning = cfg ? try Tensor.cat([imageLatents, imageLatents]) : imageLatents
    release("vae")
    try checkCancel()

    // 3.3 fps conditioning, one entry per UNet batch row.
    let fps = try Tensor([Int64](repeating: Int64(r.conditioningFPS), count: cfg ? 2 : 1), shape: [cfg ? 2 : 1])
      .to(.int64, device: device)
    try lap("encode")

    // 4-5. Timesteps and the initial noise (the second draw), drawn on the CPU in the pipeline dtype, times
    //      `init_noise_sigma` (1 for DDIM and DPM-Solver, so skipped: DDIM stays bit for bit what it was).
    let sampler = try r.scheduler.sampler(config: schedulerConfig, steps: r.steps)
    let timesteps = try sampler?.timesteps ?? scheduler.timesteps(steps: r.steps)
    let h = r.height / latentScale, w = r.width / latentScale
    let channels = unetConfig.inChannels
    var latents = try generator.randn([1, channels, r.frames, h, w], dtype: textContext.dtype, device: device)
    if let sigma = sampler?.initNoiseSigma { latents = try latents * Double(sigma) }

    // 7. Denoising loop: everything stays on the device; the scheduler's coefficients are host scalars, so no
    //    step waits for the GPU (counted: `denoisingHostSyncs`). The UNet's step-invariant inputs (context tokens,
    //    encoded image latents, fps embedding) are computed once. The UNet, its conditioning and any CUDA graph
    //    live only in this scope, so offloading frees them before decoding.
    var loopSyncs: UInt64 = 0
    // Host numbers, fixed before the loop: a schedule costs no device work or synchronisation.
    let scales = r.guidanceScales
    var scalesUsed: [Double] = []
    var passes: [UNetPassKind] = []
    do {
      let unet = try self.unet
      let unetConditioning = try unet.conditioning(fps: fps, imageLatents: conditioning, imageEmbeddings: imageEmbeddings,
                                                   encoderHiddenStates: textContext)
      // With --cuda-graphs the UNet runs through fixed tensors; its timesteps are uploaded once, here.
      var runner: UNetStepRunner? = nil
      var stepTimesteps: Tensor? = nil
      if descriptor.cudaGraphs {
        var shape = latents.shape
        shape[0] = cfg ? 2 : 1
        runner = try UNetStepRunner(unet: unet, conditioning: unetConditioning, sampleShape: shape, graphs: true,
                                    cache: r.featureCache)
        stepTimesteps = try Tensor(timesteps.map { Int64($0) }, shape: [timesteps.count]).to(.int64, device: device)
      }
      var cachedFeatures: Tensor? = nil  // DeepCache: what the last full pass kept (on the device)
      let syncsBefore = try Runtime.hostSyncCount()
      for (i, t) in timesteps.enumerated() {
        try checkCancel()
        onEvent(.denoisingStep(index: i, of: timesteps.count, timestep: t))
        var input = cfg ? try Tensor.cat([latents, latents]) : latents
        if let sampler { input = try sampler.scaleModelInput(input, index: i) }
        // --cache deep:N: the whole UNet every N steps, keeping its deep features; else only its shallow branch.
        let pass = r.featureCache.pass(step: i)
        var v: Tensor
        if let runner {
          v = try runner(input, timestep: stepTimesteps!.narrow(0, start: i, length: 1), pass: pass)
        } else {
          let stepT = try Tensor.full([input.size(0)], Double(t), dtype: .int64, device: device)
          v = try unet(sample: input, timesteps: stepT, conditioning: unetConditioning, pass: pass,
                       features: &cachedFeatures)
        }
        passes.append(pass)
        if cfg {
          let halves = try v.chunk(2)
          v = try halves[0] + (halves[1] - halves[0]) * scales[i]
          scalesUsed.append(scales[i])
        }
        latents = try step(v, index: i, timestep: t, latents: latents, request: r, sampler: sampler,
                           generator: generator)
      }
      loopSyncs = try Runtime.hostSyncCount() - syncsBefore
    }
    release("unet")
    // One host check per stage, never per step: a video of NaNs would come out black (diffusers #8655).
    try requireFinite(latents, "denoising")
    try lap("denoise")
    onEvent(.denoisingStep(index: timesteps.count, of: timesteps.count, timestep: 0))

    // 8. Decode in chunks of frames, then diffusers' postprocess.
    onEvent(.stage("decoding"))
    let video = try decode(latents, request: r, onEvent: onEvent, isCancelled: isCancelled)
    release("vae")
    try requireFinite(video, "decoding")
    let frames = try (video.narrow(0, start: 0, length: 1).squeeze(0).permute(1, 0, 2, 3) * 0.5 + 0.5)
      .clamp(min: 0, max: 1)
    let framesFloat = try frames.permute(0, 2, 3, 1).to(device: .cpu).contiguous()
    let framesUInt8 = try (framesFloat * 255).round().to(.uint8)
    try lap("decode")
    var output = GenerationOutput(framesFloat: framesFloat, framesUInt8: framesUInt8, seed: r.seed, timings: timings)
    output.denoisingHostSyncs = loopSyncs
    output.guidanceScales = scalesUsed
    output.unetPasses = passes
    if let gpu { output.gpuMemory = try Runtime.cudaMemoryStats(gpu) }
    return output
  }

  /// Throws `PipelineError.nonFinite` when `x` holds a NaN or an infinity (one reduction and one read-back).
  func requireFinite(_ x: Tensor, _ stage: String) throws {
    let largest = try x.abs().amax().to(.float32).item()
    guard largest.isFinite else { throw PipelineError.nonFinite(stage: stage, dtype: "\(dtype)") }
  }

  /// `prepare_image_latents` (pipeline_i2vgen_xl.py): centre-crop-wide to the video size, to [−1, 1], VAE posterior sample
  /// times the scaling factor, then frames 1…F−1 filled with i/(F−1). Returns (1, C, F, h, w).
  func prepareImageLatents(_ r: GenerationRequest, generator: Generator, dtype: DType) throws -> Tensor {
    let cropped = CenterCropWide.apply(r.image, targetWidth: r.width, targetHeight: r.height)
    let bytes = try Tensor(cropped.pixels, shape: [1, r.height, r.width, 3])
    // float32(u8) / 255, NHWC → NCHW, 2x − 1, then the pipeline dtype (the image embeddings' dtype).
    let x = try ((bytes.to(.float32) / 255).permute(0, 3, 1, 2) * 2.0 - 1.0).to(dtype, device: device)
    let z = try vae.encodeLatents(x, generator: generator).unsqueeze(2)
    guard r.frames > 1 else { return z }
    let ones = try Tensor.ones(z.shape, dtype: z.dtype, device: device)
    var frames = [z]
    for i in 1..<r.frames { frames.append(try ones * (Double(i) / Double(r.frames - 1))) }
    return try Tensor.cat(frames, dim: 2)
  }

  /// One scheduler step on the (B·F, C, h, w) layout diffusers uses, so an η > 0 draw has its shape.
  func step(_ v: Tensor, index i: Int, timestep t: Int, latents: Tensor, request r: GenerationRequest,
            sampler: DiffusionSampler?, generator: Generator) throws -> Tensor
  {
    let (b, c, f, h, w) = (latents.size(0), latents.size(1), latents.size(2), latents.size(3), latents.size(4))
    let rows = try latents.permute(0, 2, 1, 3, 4).reshape(b * f, c, h, w)
    let vRows = try v.permute(0, 2, 1, 3, 4).reshape(b * f, c, h, w)
    if let sampler {
      return try sampler.step(modelOutput: vRows, index: i, sample: rows, generator: generator).reshape(b, f, c, h, w).permute(0, 2, 1, 3, 4)
    }
    var noise: Tensor? = nil
    if r.eta > 0 { noise = try generator.randn(vRows.shape, dtype: vRows.dtype, device: device) }
    let next = try scheduler.step(modelOutput: vRows, timestep: t, sample: rows, steps: r.steps, eta: Float(r.eta),
                                  noise: noise)
    return try next.reshape(b, f, c, h, w).permute(0, 2, 1, 3, 4)
  }

  /// `decode_latents` with progress per chunk: (1, 3, F, H, W) float32.
  func decode(_ latents: Tensor, request r: GenerationRequest, onEvent: (PipelineEvent) -> Void,
              isCancelled: () -> Bool) throws -> Tensor
  {
    let f = latents.size(2)
    var pieces: [Tensor] = []
    var done = 0
    onEvent(.decodedFrames(done: 0, of: f))
    while done < f {
      if isCancelled() { throw PipelineError.cancelled }
      let n = min(r.decodeChunkSize, f - done)
      pieces.append(try vae.decodeVideo(latents.narrow(2, start: done, length: n), chunkSize: n))
      done += n
      onEvent(.decodedFrames(done: done, of: f))
    }
    return pieces.count == 1 ? pieces[0] : try Tensor.cat(pieces, dim: 2)
  }
}
