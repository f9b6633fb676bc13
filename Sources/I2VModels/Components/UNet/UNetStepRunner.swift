import I2VTensor

/// Runs the UNet once per denoising step through fixed input and output tensors, so that a CUDA graph can
/// replace the per-step launches (the UNet is ~2,300 launches an evaluation): the first step runs eagerly (it
/// also initialises libraries and workspaces), the second records the evaluation and replays it, every later
/// step is one replay. Where graphs are unavailable (CPU, or a shim built without CUDA headers) every step runs
/// eagerly on the same fixed tensors, so this path is exercised, and gives the same values, everywhere. With
/// `--cache deep:N` the full (feature-keeping) and the shallow pass are two graphs sharing one fixed features
/// tensor.
public final class UNetStepRunner: @unchecked Sendable {
  public let unet: I2VGenXLUNet
  public let conditioning: I2VGenXLUNet.Conditioning
  public let usesGraphs: Bool
  let sample: Tensor
  let timesteps: Tensor
  /// Per kind of pass (full, keeping features, shallow): its graph and output, and how often it ran.
  private var graphs: [UNetPassKind: (graph: CUDAGraph, output: Tensor)] = [:]
  private var runs: [UNetPassKind: Int] = [:]
  /// DeepCache's cached features, a fixed tensor: a keeping pass copies into it, a shallow pass reads it, so
  /// both can be recorded.
  private var features: Tensor?

  /// `sampleShape`: the UNet input (N, C, F, h, w); graphs are used when asked for and supported. `cache`: with
  /// `deep:N` the features tensor is allocated here.
  public init(unet: I2VGenXLUNet, conditioning: I2VGenXLUNet.Conditioning, sampleShape: [Int], graphs: Bool,
              cache: FeatureCache = .off) throws
  {
    self.unet = unet
    self.conditioning = conditioning
    usesGraphs = graphs && unet.device.kind == .cuda && CUDAGraph.isSupported
    sample = try Tensor.empty(sampleShape, dtype: unet.dtype, device: unet.device)
    timesteps = try Tensor.zeros([sampleShape[0]], dtype: .int64, device: unet.device)
    if cache != .off {
      features = try Tensor.empty([sampleShape[0] * sampleShape[2], unet.deepCacheChannels, sampleShape[3],
                                   sampleShape[4]], dtype: unet.dtype, device: unet.device)
    }
  }

  /// One evaluation: `input` (N, C, F, h, w) and `timestep`, an (N,) or (1,) integer tensor on the device; `pass`
  /// (DeepCache) as `FeatureCache.pass(step:)` says. Each kind of pass is recorded on its own second use. The
  /// result is overwritten by the next call: use it before calling again.
  public func callAsFunction(_ input: Tensor, timestep: Tensor, pass: UNetPassKind = .full) throws -> Tensor {
    if pass != .full && features == nil {
      throw TorchError("UNet step runner: a DeepCache pass needs a runner made with the cache setting")
    }
    if pass == .shallow && runs[.fullKeepingFeatures] == nil {
      throw TorchError("UNet: a shallow DeepCache pass needs the features of an earlier full pass")
    }
    try sample.copy(from: input)
    try timesteps.copy(from: timestep.size(0) == timesteps.size(0) ? timestep : timestep.expand(timesteps.shape))
    let count = runs[pass, default: 0]
    runs[pass] = count + 1
    guard usesGraphs, count > 0 else { return try evaluate(pass) }
    if graphs[pass] == nil {
      let (g, out) = try CUDAGraph.capture(on: unet.device) { try evaluate(pass) }
      graphs[pass] = (g, out)
    }
    try graphs[pass]!.graph.replay()
    return graphs[pass]!.output
  }

  /// The pass on the fixed tensors (what a graph records); a keeping pass copies its features into `features`.
  private func evaluate(_ pass: UNetPassKind) throws -> Tensor {
    switch pass {
    case .full:
      return try unet(sample: sample, timesteps: timesteps, conditioning: conditioning)
    case .fullKeepingFeatures:
      let r = try unet.keepingFeatures(sample: sample, timesteps: timesteps, conditioning: conditioning)
      try features!.copy(from: r.features)
      return r.output
    case .shallow:
      return try unet.shallow(sample: sample, timesteps: timesteps, conditioning: conditioning, features: features!)
    }
  }
}
