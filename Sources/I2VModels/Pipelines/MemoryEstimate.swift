import Foundation
import I2VCheckpoint
import I2VTensor

/// How the pipeline keeps its components on the device.
public enum OffloadMode: String, CaseIterable, Sendable {
  /// Every component stays loaded (fastest; a batch loads once).
  case none
  /// The text and image encoders are dropped once their embeddings exist (a single video never needs them
  /// again; about 2 GB less in float16 while denoising); VAE and UNet stay.
  case encoders
  /// Each component is on the device only while it runs (diffusers' `enable_model_cpu_offload`): the peak is the
  /// largest component plus its activations, not the sum of all weights. Weights are read again (from the page
  /// cache) for every generation.
  case model
}

/// An estimate of a generation's peak memory, made from the configs and the weight files' headers before any
/// weights load (`i2v generate --dry-run`, and the pre-flight check). Activations are counted tensor by tensor at
/// each stage's widest point, following the code: the UNet's skips, a ResNet's working set, a transformer block's
/// slice (`ActivationBudget`), the VAE decoder's full-resolution blocks per decoded chunk.
public struct MemoryEstimate: Sendable, Equatable {
  public struct Stage: Sendable, Equatable {
    public var name: String
    /// Weights resident while this stage runs.
    public var weightBytes: Int
    public var activationBytes: Int
    public var total: Int { weightBytes + activationBytes }
  }

  public var stages: [Stage]
  /// Weight bytes per component at the run's dtype.
  public var weights: [String: Int]
  /// Fixed cost of the runtime: the CUDA context and libraries on a GPU, libtorch and the process on a CPU.
  public var runtimeBytes: Int

  public var peak: Stage { stages.max { $0.total < $1.total }! }
  public var peakBytes: Int { peak.total + runtimeBytes }

  /// Parameters of each component, counted from the weight files' headers (no data is read).
  public static func parameterCounts(_ model: ModelFolder) throws -> [String: Int] {
    var counts: [String: Int] = [:]
    for name in ["text_encoder", "image_encoder", "vae", "unet"] {
      let files = try model.component(name).weights(preferring: .float16)
      counts[name] = files.names.reduce(0) { sum, key in sum + (files.entry(key)?.entry.shape.reduce(1, *) ?? 0) }
    }
    return counts
  }

  /// - parameters: parameter counts per component (`parameterCounts`); unet, vae: their configs; dtype, device:
  ///   the run's; blockBytes: `ActivationBudget.blockBytes`.
  public init(request r: GenerationRequest, unet: UNetConfig, vae: VAEConfig, textHidden: Int, visionHidden: Int,
              visionTokens: Int, parameters: [String: Int], dtype: DType, device: Device,
              blockBytes: Int = ActivationBudget.blockBytes, offload: OffloadMode = .none)
  {
    let b = dtype.byteSize
    let bytes = parameters.mapValues { $0 * b }
    weights = bytes
    let w = { (name: String) in bytes[name] ?? 0 }
    let all = bytes.values.reduce(0, +)
    let encoders = w("text_encoder") + w("image_encoder")
    func resident(_ name: String) -> Int {
      switch offload {
      case .model: return w(name)
      case .encoders: return name == "text_encoder" || name == "image_encoder" ? all : all - encoders
      case .none: return all
      }
    }
    let n = r.usesGuidance ? 2 : 1
    let rows = n * r.frames  // UNet batch: every frame of every CFG half
    let scale = vae.scaleFactor
    let (h, wd) = (r.height / scale, r.width / scale)
    let pixels = r.height * r.width

    // Text and image encoders: a few hundred tokens; the widest point is an MLP (4·hidden) over them.
    let text = n * 77 * textHidden * 12 * b
    let vision = visionTokens * visionHidden * 12 * b + 3 * 2 * pixels * 4  // + the preprocessed picture
    // VAE encoder on the first frame: its widest ResNet at full resolution (input, norm, activation, conv).
    let vaeEncode = 5 * vae.blockOutChannels[0] * pixels * b + Self.vaeAttention(h * wd, b)
    // UNet: skips held across the down path, plus the widest block's working set.
    var skips = rows * unet.blockOutChannels[0] * h * wd  // conv_in output
    var widest = 0
    var tokens = h * wd
    for (i, c) in unet.blockOutChannels.enumerated() {
      let level = rows * tokens  // (rows, C, level spatial) tensors have level·C elements
      skips += unet.layersPerBlock * level * c + (i < unet.blockOutChannels.count - 1 ? level / 4 * c : 0)
      // A ResNet on the up path takes the concatenated skip: input ≈ 2c (+ c norm, activation) and 2 outputs.
      let resnet = level * (3 * 2 * c + 2 * c)
      // Transformer blocks (spatial, temporal, and transformer_in at level 0) run in slices within the budget,
      // plus the block's input and output at full size.
      let blockDims = i == 0 ? [c, UNetBlocks.transformerInDim(unet)] : [c]
      let block = blockDims.map { dim in
        let whole = level * ActivationBudget.blockElementsPerToken(dim: dim) * b
        return min(whole, blockBytes > 0 ? blockBytes : whole) + 2 * level * dim * b
      }.max()!
      widest = max(widest, resnet * b, block)
      tokens = (tokens + 3) / 4
    }
    // DeepCache (--cache deep:N) holds the features entering its cut from one full pass to the next.
    let cached = r.featureCache == .off ? 0 : rows * DeepCacheCut.channels(unet) * h * wd * b
    let denoise = skips * b + widest + cached + 6 * rows * unet.inChannels * h * wd * b  // + latents, noise, guidance
    // VAE decoder per chunk: the last up block at full resolution (input 2c after upsampling, norm, activation,
    // conv outputs), and the decoded frames (float32) so far.
    let c0 = vae.blockOutChannels[0], c1 = vae.blockOutChannels[min(1, vae.blockOutChannels.count - 1)]
    let decodeChunk = r.decodeChunkSize * ((3 * c1 + 2 * c0) * pixels * b + Self.vaeAttention(h * wd, b))
    let frames = r.frames * 3 * pixels * 4 * 2  // float frames and their uint8/host copies

    stages = [
      Stage(name: "encoding prompt", weightBytes: resident("text_encoder"), activationBytes: text),
      Stage(name: "encoding image", weightBytes: offload == .model ? w("image_encoder") + w("vae") : all,
            activationBytes: max(vision, vaeEncode)),
      Stage(name: "denoising", weightBytes: resident("unet"), activationBytes: denoise),
      Stage(name: "decoding", weightBytes: resident("vae"), activationBytes: decodeChunk + frames),
    ]
    runtimeBytes = device.kind == .cuda ? 600 << 20 : 400 << 20
  }

  /// The VAE mid-block's single-head attention over every latent pixel (the math path's score matrix, twice).
  static func vaeAttention(_ tokens: Int, _ bytes: Int) -> Int { 2 * tokens * tokens * bytes }

  /// Memory the run may use: the GPU's free memory, or on a CPU what the kernel reports as available.
  public static func available(on device: Device) -> Int? {
    if device.kind == .cuda { return (try? Runtime.cudaMemoryInfo(device.index ?? 0)).map { Int($0.free) } }
    guard let info = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
    for line in info.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
      let kb = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
      return kb.map { $0 * 1024 }
    }
    return nil
  }
}

enum UNetBlocks {
  /// `transformer_in`'s width: 8 heads of the config's head size.
  static func transformerInDim(_ c: UNetConfig) -> Int { I2VGenXLUNet.transformerInHeads * c.headDim }
}

extension MemoryEstimate {
  /// The estimate for `request` on `model`, from its configs and weight headers (no weights are read).
  public static func forModel(_ model: ModelFolder, request: GenerationRequest, dtype: DType, device: Device,
                              offload: OffloadMode = .none, blockBytes: Int = ActivationBudget.blockBytes,
                              parameters: [String: Int]? = nil) throws -> MemoryEstimate
  {
    let text = try model.component("text_encoder").config()
    let vision = try model.component("image_encoder").config()
    let patches = try vision.int("image_size") / max(1, try vision.int("patch_size"))
    return MemoryEstimate(
      request: request, unet: try UNetConfig(model.component("unet").config()),
      vae: try VAEConfig(model.component("vae").config()), textHidden: try text.int("hidden_size"),
      visionHidden: try vision.int("hidden_size"), visionTokens: patches * patches + 1,
      parameters: try parameters ?? parameterCounts(model), dtype: dtype, device: device, blockBytes: blockBytes,
      offload: offload)
  }
}
