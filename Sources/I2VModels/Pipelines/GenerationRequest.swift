import Foundation
import I2VTensor

/// One generation's settings (the per-run configuration; what to load is `PipelineDescriptor`).
/// Field meanings and defaults are diffusers' `I2VGenXLPipeline.__call__` (1280x704, 16 frames, 50 steps,
/// guidance 9, target_fps 16), so library callers get the reference's behaviour. The tool's own defaults are the
/// presets (`Presets/*.json`, resolved by `GenerationSession.prepare`); nothing else holds defaults.
public struct GenerationRequest: Sendable {
  public var image: RGBImage
  public var prompt: String
  /// nil = the empty prompt, which is what diffusers encodes for the unconditional branch.
  public var negativePrompt: String?
  public var width: Int
  public var height: Int
  public var frames: Int
  public var steps: Int
  public var guidanceScale: Double
  /// The model's fps micro-conditioning (`target_fps`).
  public var conditioningFPS: Int
  public var seed: UInt64
  public var decodeChunkSize: Int
  /// DDIM η (0 = deterministic DDIM, diffusers' default).
  public var eta: Double
  /// How the prompts are read: `.plain` (diffusers) or `.weighted` (A1111's `(word:1.2)` syntax).
  public var promptSyntax: PromptSyntax = .plain
  /// Read prompts longer than 75 tokens in chunks of 75 (A1111's convention) instead of cutting them.
  public var longPrompt = false
  /// The prompts laid out in chunks when the caller already did it with this model's tokenizer (and these
  /// settings); nil = the pipeline lays them out.
  public var prompts: PromptPlan? = nil
  /// The prompts' text cleanup before BPE (`.ftfy`: transformers' slow CLIPTokenizer with ftfy installed).
  public var textCleanup: TextCleanup = .ftfy
  /// How the guidance scale changes over the steps, from `guidanceScale` (`.constant`: diffusers).
  public var guidanceSchedule: GuidanceSchedule = .constant
  /// The scheduler swapped into the pipeline (`.ddim`: the model's own, diffusers' default).
  public var scheduler: SchedulerKind = .ddim
  /// DeepCache feature reuse between steps (`.off`: the whole UNet at every step, diffusers' behaviour).
  public var featureCache: FeatureCache = .off

  public init(image: RGBImage, prompt: String, negativePrompt: String? = nil, width: Int = 1280, height: Int = 704,
              frames: Int = 16, steps: Int = 50, guidanceScale: Double = 9.0, conditioningFPS: Int = 16,
              seed: UInt64 = 0, decodeChunkSize: Int = 1, eta: Double = 0)
  {
    self.image = image
    self.prompt = prompt
    self.negativePrompt = negativePrompt
    self.width = width
    self.height = height
    self.frames = frames
    self.steps = steps
    self.guidanceScale = guidanceScale
    self.conditioningFPS = conditioningFPS
    self.seed = seed
    self.decodeChunkSize = decodeChunkSize
    self.eta = eta
  }

  /// Classifier-free guidance runs only when the scale is above 1 (diffusers' `do_classifier_free_guidance`).
  /// With a schedule, when any step's scale is above 1.
  public var usesGuidance: Bool { guidanceSchedule.peak(start: guidanceScale) > 1 }

  /// The guidance scale of each denoising step.
  public var guidanceScales: [Double] { guidanceSchedule.scales(start: guidanceScale, steps: steps) }

  /// The largest video side accepted (the model was trained at 1280x704; every buffer an input sizes is
  /// bounded before it is allocated).
  public static let maxSide = 8192
  /// The largest intermediate image of the cover-resize before the centre crop (an extreme aspect ratio would
  /// otherwise make it enormous): 100 megapixels.
  public static let maxResizePixels = 100_000_000
  /// Guidance beyond this only overflows (the difference of the two UNet halves is scaled by it).
  public static let maxGuidance = 100.0

  /// Checks everything that does not need the model; `latentScale` is the VAE's pixel/latent ratio.
  public func validate(latentScale: Int = 8) throws {
    try validateSettings(latentScale: latentScale)
    guard image.width > 0 && image.height > 0 && image.pixels.count == image.width * image.height * 3 else {
      throw PipelineError.invalidRequest("the input image is empty")
    }
    try validateImageSize(width: image.width, height: image.height)
  }

  /// `validate` without the image: sizes, counts, guidance, scheduler options.
  public func validateSettings(latentScale: Int = 8) throws {
    func bad(_ message: String) -> PipelineError { PipelineError.invalidRequest(message) }
    guard width > 0 && height > 0 else { throw bad("width and height must be positive (got \(width)x\(height))") }
    guard width <= Self.maxSide && height <= Self.maxSide else {
      throw bad("width and height must be at most \(Self.maxSide) (got \(width)x\(height))")
    }
    guard width % latentScale == 0 && height % latentScale == 0 else {
      throw bad("width and height must be multiples of \(latentScale) (got \(width)x\(height))")
    }
    guard frames >= 1 else { throw bad("frames must be at least 1 (got \(frames))") }
    guard steps >= 1 else { throw bad("steps must be at least 1 (got \(steps))") }
    guard guidanceScale.isFinite && guidanceScale >= 0 && guidanceScale <= Self.maxGuidance else {
      throw bad("guidance must be between 0 and \(Int(Self.maxGuidance)) (got \(guidanceScale))")
    }
    try guidanceSchedule.validate(start: guidanceScale)
    guard conditioningFPS >= 1 else { throw bad("conditioning fps must be at least 1 (got \(conditioningFPS))") }
    guard decodeChunkSize >= 1 else { throw bad("decode chunk size must be at least 1 (got \(decodeChunkSize))") }
    guard eta >= 0 && eta.isFinite else { throw bad("eta must be >= 0 (got \(eta))") }
    guard eta == 0 || scheduler == .ddim else {
      throw bad("eta applies to the ddim scheduler only (diffusers' \(scheduler.diffusersClass).step has no eta); "
        + "set eta to 0 or use the ddim scheduler")
    }
    if case .deep(let n) = featureCache, !FeatureCache.intervals.contains(n) {
      throw bad("the cache interval must be from \(FeatureCache.intervals.lowerBound) to "
        + "\(FeatureCache.intervals.upperBound) (got deep:\(n))")
    }
  }

  /// The input image's size (upright) against the video's: the cover-resize before the centre crop must stay
  /// bounded. Needs only the size, so it runs on an image's header before its pixels are decoded.
  public func validateImageSize(width imageWidth: Int, height imageHeight: Int) throws {
    guard imageWidth > 0 && imageHeight > 0 else { throw PipelineError.invalidRequest("the input image is empty") }
    let cover = CenterCropWide.plan(width: imageWidth, height: imageHeight, targetWidth: width, targetHeight: height)
    guard cover.resizedWidth * cover.resizedHeight <= Self.maxResizePixels else {
      throw PipelineError.invalidRequest(
        "the image's aspect ratio (\(imageWidth)x\(imageHeight)) is too far from the video's (\(width)x\(height)): "
          + "scaling it to cover the video would need a \(cover.resizedWidth)x\(cover.resizedHeight) picture; crop it "
          + "closer to the video's shape first")
    }
  }
}

/// What a run produced: the video frames, as diffusers returns them.
public struct GenerationOutput: Sendable {
  /// (F, H, W, 3) float32 in [0, 1] — diffusers' `output_type="np"` for one video.
  public let framesFloat: Tensor
  /// (F, H, W, 3) uint8 — `round(x · 255)` half to even, diffusers' `output_type="pil"` pixels.
  public let framesUInt8: Tensor
  public let seed: UInt64
  /// Seconds spent in each stage (encode, denoise, decode), each measured after the device finished it.
  public let timings: [(stage: String, seconds: Double)]
  /// The CUDA caching allocator's peaks during this generation (nil on CPU, or when libtorch cannot say).
  public var gpuMemory: Runtime.MemoryStats? = nil
  /// Host round trips between the first and the last denoising step (`Runtime.hostSyncCount`): 0 by design.
  public var denoisingHostSyncs: UInt64 = 0
  /// The guidance scale each denoising step used (empty without classifier-free guidance).
  public var guidanceScales: [Double] = []
  /// The UNet pass each denoising step ran (all `.full` without `--cache`).
  public var unetPasses: [UNetPassKind] = []
  /// UNet calls of the denoising loop, whole and shallow (counted from `unetPasses`).
  public var unetEvaluations: UNetEvaluations {
    UNetEvaluations(full: unetPasses.filter { $0 != .shallow }.count, shallow: unetPasses.filter { $0 == .shallow }.count)
  }

  /// One RGB image per frame.
  public func images() throws -> [RGBImage] {
    let f = framesUInt8.size(0), h = framesUInt8.size(1), w = framesUInt8.size(2)
    let bytes = try framesUInt8.contiguous().toArray(UInt8.self)
    let per = h * w * 3
    return (0..<f).map { RGBImage(unchecked: w, h, Array(bytes[($0 * per)..<(($0 + 1) * per)])) }
  }
}

/// Progress of a run, reported as it happens (for progress bars and logs).
public enum PipelineEvent: Sendable {
  case stage(String)
  case denoisingStep(index: Int, of: Int, timestep: Int)
  case decodedFrames(done: Int, of: Int)
}

public enum PipelineError: Error, CustomStringConvertible, Equatable {
  case invalidRequest(String)
  case cancelled
  /// libtorch could not allocate while `stage` ran (e.g. "denoising, step 3 of 50"); `detail` is its message.
  case outOfMemory(stage: String, detail: String)
  /// The values became NaN or infinite during `stage` (float16 overflow, extreme guidance): nothing is written.
  case nonFinite(stage: String, dtype: String)

  public var description: String {
    switch self {
    case .invalidRequest(let m): return m
    case .cancelled: return "cancelled"
    case .outOfMemory(let stage, let detail): return "out of memory while \(stage): \(detail)"
    case .nonFinite(let stage, let dtype):
      let fix = dtype == "float16" ? "try --dtype bfloat16 (float16's range is small) or float32"
        : "check the guidance scale and the model's weights"
      return "the \(stage) produced NaN or infinite values in \(dtype), so the video would be black or noise; \(fix)"
    }
  }
}

extension GenerationOutput {
  /// Peak signal-to-noise ratio of this video's 8-bit frames against `reference`'s (same shape), in dB over every
  /// pixel of every frame: 10·log10(255² / MSE). Infinity when they are identical. Used to say how far a
  /// setting (e.g. `--cache`) moves the frames from the default run.
  public func psnr(against reference: GenerationOutput) throws -> Double {
    guard framesUInt8.shape == reference.framesUInt8.shape else {
      throw PipelineError.invalidRequest("frames \(framesUInt8.shape) and \(reference.framesUInt8.shape) differ in shape")
    }
    let d = try framesUInt8.to(.float64) - reference.framesUInt8.to(.float64)
    let mse = try (d * d).mean().item()
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
  }
}
