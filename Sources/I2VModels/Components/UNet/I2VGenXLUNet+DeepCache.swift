import I2VTensor

/// Where DeepCache (Ma, Fang and Wang, CVPR 2024, arXiv:2312.00858) cuts this UNet. Adjacent denoising steps
/// have very similar high-level (deep) features; the shallow skip branch of a U-Net (the first down block's first
/// layer, and the last up block's layers that take its skips) is what changes most. DeepCache's reference code
/// caches at "branch 0" by default (`cache_block_id = 0, cache_layer_id = 0` in `sd/unet_2d_condition.py`,
/// `cache_branch=0` in `svd/unet_spatio_temporal_condition.py`): in a shallow pass the input layers run, then
/// only layer 0 of down block 0, and the last up block resumes at the layer its skip feeds, with the features
/// that entered that layer (before the skip was concatenated) in the last full pass. This UNet is cut at the
/// same place:
///
/// - shallow pass: `conv_in`, `transformer_in` (the input's temporal transformer: it feeds the outermost skip, so
///   it runs at every step, as `conv_in` does in DeepCache), layer 0 of `down_blocks.0` (resnet, temporal conv,
///   spatial and temporal attention), then layers `layers_per_block − 1` and `layers_per_block` of the last up
///   block (each with its temporal conv and attention) on the two skips just made, then `conv_norm_out` /
///   `conv_out`. Everything deeper — the rest of the down path, the mid block, the other up blocks — is skipped.
/// - the cached features: the tensor entering layer `layers_per_block − 1` of the last up block, (N·F, C, h, w)
///   at full latent resolution; with classifier-free guidance both halves (one batch) are cached together, as
///   DeepCache's pipelines call the UNet on the concatenated batch.
///
/// With the real model (2 layers per block) that is 1 of down block 0's 2 layers and 2 of the last up block's 3;
/// the tiny test models (1 layer per block) run all of both in a shallow pass.
public struct DeepCacheCut: Equatable, Sendable {
  /// Layers of `down_blocks.0` a shallow pass runs (DeepCache's branch 0: one).
  public let downLayers: Int
  /// The layer of the last up block that the cached features enter (the first one a shallow pass runs).
  public let upLayer: Int

  public init(layersPerBlock: Int) {
    downLayers = 1
    // Up block layer i takes skip (layers_per_block − i) of the outermost level, counted from the input: the
    // shallow pass made the input and `downLayers` layer outputs, so it resumes where those skips are consumed.
    upLayer = layersPerBlock - downLayers
  }

  /// Channels of the cached features: the last up block's input width when the cut is at its first layer, else
  /// its own width.
  public static func channels(_ c: UNetConfig) -> Int {
    let widths = c.blockOutChannels
    return DeepCacheCut(layersPerBlock: c.layersPerBlock).upLayer == 0 && widths.count > 1 ? widths[1] : widths[0]
  }

  /// The blocks and layers a shallow pass runs, by checkpoint key, e.g. "down_blocks.0 layer 0, up_blocks.3
  /// layers 1-2" (for sidecars and messages).
  public static func summary(_ c: UNetConfig) -> String {
    let cut = DeepCacheCut(layersPerBlock: c.layersPerBlock)
    func span(_ a: Int, _ b: Int) -> String { a == b ? "layer \(a)" : "layers \(a)-\(b)" }
    return "down_blocks.0 \(span(0, cut.downLayers - 1)), up_blocks.\(c.upBlockTypes.count - 1) "
      + span(cut.upLayer, c.layersPerBlock)
  }
}

extension I2VGenXLUNet {
  public var deepCacheCut: DeepCacheCut { DeepCacheCut(layersPerBlock: config.layersPerBlock) }

  /// Channels of the cached features (`DeepCacheCut.channels`).
  public var deepCacheChannels: Int { DeepCacheCut.channels(config) }

  /// DeepCache's full pass: diffusers' forward, also returning the features entering the cut (to be cached).
  public func keepingFeatures(sample: Tensor, timesteps: Tensor, conditioning: Conditioning,
                              timer: UNetBlockTimer? = nil) throws -> (output: Tensor, features: Tensor)
  {
    let r = try forward(sample: sample, timesteps: timesteps, conditioning: conditioning, timer: timer,
                        keepFeatures: true, reusing: nil)
    guard let features = r.features else { throw TorchError("UNet: the DeepCache cut was never reached") }
    return (r.output, features)
  }

  /// DeepCache's shallow pass: only the shallow branch, on `features` from an earlier `keepingFeatures` pass of a
  /// sample of the same shape. With features kept from this very sample and timestep it returns the full pass's
  /// output exactly (the same operations on the same values).
  public func shallow(sample: Tensor, timesteps: Tensor, conditioning: Conditioning, features: Tensor,
                      timer: UNetBlockTimer? = nil) throws -> Tensor
  {
    try forward(sample: sample, timesteps: timesteps, conditioning: conditioning, timer: timer, keepFeatures: false,
                reusing: features).output
  }

  /// One denoising step's evaluation as `pass` asks; `features` holds what the last keeping pass kept.
  public func callAsFunction(sample: Tensor, timesteps: Tensor, conditioning: Conditioning, pass: UNetPassKind,
                             features: inout Tensor?) throws -> Tensor
  {
    switch pass {
    case .full:
      return try self(sample: sample, timesteps: timesteps, conditioning: conditioning)
    case .fullKeepingFeatures:
      let r = try keepingFeatures(sample: sample, timesteps: timesteps, conditioning: conditioning)
      features = r.features
      return r.output
    case .shallow:
      guard let kept = features else {
        throw TorchError("UNet: a shallow DeepCache pass needs the features of an earlier full pass")
      }
      return try shallow(sample: sample, timesteps: timesteps, conditioning: conditioning, features: kept)
    }
  }

  func checkCachedFeatures(_ f: Tensor, rows: Int, height: Int, width: Int) throws {
    let expected = [rows, deepCacheChannels, height, width]
    guard f.shape == expected else {
      throw TorchError("UNet: cached DeepCache features \(f.shape) must be \(expected) for this sample")
    }
  }
}
