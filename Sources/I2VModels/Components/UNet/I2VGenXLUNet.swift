import I2VCheckpoint
import I2VTensor

/// diffusers' `I2VGenXLUNet`: the video UNet that predicts the denoising target for (N, 4, F, h, w) latents,
/// conditioned on the timestep, the fps, the first-frame VAE latents and text + CLIP-image embeddings.
/// Every size comes from `unet/config.json`; parameters bind 1:1 to the checkpoint keys.
public struct I2VGenXLUNet: @unchecked Sendable {
  public let config: UNetConfig
  public let dtype: DType
  public let device: Device

  public let convIn: Conv2d
  public let transformerIn: TransformerTemporalModel
  public let imageLatentsProjIn: ImageLatentsProjIn
  public let imageLatentsTemporalEncoder: TemporalEncoder
  public let imageLatentsContextEmbedding: ImageLatentsContextEmbedding
  public let timeProj: SinusoidalProjection
  public let timeEmbedding: SiLUMLP
  public let contextEmbedding: SiLUMLP
  public let fpsEmbedding: SiLUMLP
  public let downBlocks: [UNetDownBlock3D]
  public let midBlock: UNetMidBlock3DCrossAttn
  public let upBlocks: [UNetUpBlock3D]
  public let convNormOut: GroupNorm
  public let convOut: Conv2d

  /// diffusers hard-codes 8 heads (of the config's head size) for `transformer_in`.
  public static let transformerInHeads = 8

  /// Loads `unet/config.json` and the weights best suited to `dtype`, binding strictly (every tensor used, every
  /// shape checked).
  public init(component: ComponentFolder, dtype: DType, device: Device) throws {
    let config = try UNetConfig(component.config())
    let binder = WeightBinder(weights: try component.weights(preferring: dtype), dtype: dtype, device: device)
    try self.init(config: config, binder: binder)
    try binder.finish()
  }

  /// Binds from an existing binder (the caller calls `finish()`).
  public init(config c: UNetConfig, binder: WeightBinder) throws {
    config = c
    dtype = binder.dtype
    device = binder.device
    let w = binder.root
    let base = c.blockOutChannels[0]
    convIn = try Conv2d(w.scope("conv_in"), inChannels: c.inChannels * 2, outChannels: base, kernel: 3, padding: 1)
    transformerIn = try TransformerTemporalModel(w.scope("transformer_in"), channels: base,
                                                 heads: Self.transformerInHeads, headDim: c.headDim,
                                                 groups: c.normNumGroups)
    imageLatentsProjIn = try ImageLatentsProjIn(w.scope("image_latents_proj_in"), inChannels: c.inChannels)
    imageLatentsTemporalEncoder = try TemporalEncoder(w.scope("image_latents_temporal_encoder"), dim: c.inChannels)
    imageLatentsContextEmbedding = try ImageLatentsContextEmbedding(
      w.scope("image_latents_context_embedding"), inChannels: c.inChannels, crossAttentionDim: c.crossAttentionDim)
    timeProj = SinusoidalProjection(dim: base)
    timeEmbedding = try SiLUMLP(w.scope("time_embedding"), keys: ("linear_1", "linear_2"), inFeatures: base,
                                hidden: c.timeEmbedDim, outFeatures: c.timeEmbedDim)
    contextEmbedding = try SiLUMLP(w.scope("context_embedding"), inFeatures: c.crossAttentionDim,
                                   hidden: c.timeEmbedDim, outFeatures: c.crossAttentionDim * c.inChannels)
    fpsEmbedding = try SiLUMLP(w.scope("fps_embedding"), inFeatures: base, hidden: c.timeEmbedDim,
                               outFeatures: c.timeEmbedDim)

    let widths = c.blockOutChannels
    let last = widths.count - 1
    var down: [UNetDownBlock3D] = []
    var output = widths[0]
    for (i, type) in c.downBlockTypes.enumerated() {
      let input = output
      output = widths[i]
      down.append(try UNetDownBlock3D(w.scope("down_blocks").scope(i), type: type, inChannels: input,
                                      outChannels: output, addDownsample: i != last, config: c))
    }
    downBlocks = down
    midBlock = try UNetMidBlock3DCrossAttn(w.scope("mid_block"), channels: widths[last], config: c)

    let reversed = Array(widths.reversed())
    var up: [UNetUpBlock3D] = []
    output = reversed[0]
    for (i, type) in c.upBlockTypes.enumerated() {
      let previous = output
      output = reversed[i]
      up.append(try UNetUpBlock3D(w.scope("up_blocks").scope(i), type: type, inChannels: reversed[min(i + 1, last)],
                                  outChannels: output, prevOutChannels: previous, addUpsample: i != last, config: c))
    }
    upBlocks = up
    convNormOut = try GroupNorm(w.scope("conv_norm_out"), groups: c.normNumGroups, channels: base, eps: 1e-5)
    convOut = try Conv2d(w.scope("conv_out"), inChannels: base, outChannels: c.outChannels, kernel: 3, padding: 1)
  }

  /// What a UNet evaluation needs besides the noisy sample and the timestep. None of it changes from step to
  /// step, so a generation computes it once (diffusers recomputes it in every `forward`; the values are the
  /// same, operation for operation).
  public struct Conditioning: @unchecked Sendable {
    /// (N·F, L + 64 + in_channels, cross_attention_dim): [text | image-latent tokens | CLIP-image tokens], per frame.
    public let context: Tensor
    /// (N, in_channels, F, h, w): `image_latents_proj_in` + the temporal encoder applied to the image latents.
    public let encodedImageLatents: Tensor
    /// (N, time_embed_dim): `fps_embedding(proj(fps))`.
    public let fpsEmbedding: Tensor
    public let batch: Int
    public let frames: Int
  }

  /// Steps 2-4 of diffusers' forward that do not depend on the sample or the timestep.
  /// - imageLatents: (N, in_channels, F, h, w) first-frame latent + position-mask frames; fps: (N,) integer;
  ///   imageEmbeddings: (N, 1, cross_attention_dim) CLIP image embeddings; encoderHiddenStates: (N, L,
  ///   cross_attention_dim) text embeddings.
  public func conditioning(fps: Tensor, imageLatents: Tensor, imageEmbeddings: Tensor, encoderHiddenStates: Tensor)
    throws -> Conditioning
  {
    guard imageLatents.rank == 5, imageLatents.size(1) == config.inChannels else {
      throw TorchError("UNet: image latents \(imageLatents.shape) must be (N, \(config.inChannels), F, h, w)")
    }
    let n = imageLatents.size(0), frames = imageLatents.size(2)
    guard fps.shape == [n], imageEmbeddings.rank == 3, imageEmbeddings.size(0) == n,
      encoderHiddenStates.rank == 3, encoderHiddenStates.size(0) == n
    else {
      throw TorchError("UNet: fps \(fps.shape), image embeddings \(imageEmbeddings.shape) and text embeddings "
        + "\(encoderHiddenStates.shape) must all have batch \(n)")
    }
    let fpsEmb = try fpsEmbedding(timeProj(fps.to(device: device)).to(dtype))
    let context = try contextTokens(imageLatents: imageLatents, imageEmbeddings: imageEmbeddings,
                                    text: encoderHiddenStates).repeatInterleave(frames, dim: 0)
    return Conditioning(context: context, encodedImageLatents: try encodeImageLatents(imageLatents),
                        fpsEmbedding: fpsEmb, batch: n, frames: frames)
  }

  /// One UNet evaluation (diffusers `I2VGenXLUNet.forward`).
  /// - sample: (N, in_channels, F, h, w) noisy latents; imageLatents: same shape (first-frame latent + position-mask
  ///   frames); fps: (N,) integer; imageEmbeddings: (N, 1, cross_attention_dim) CLIP image embeddings;
  ///   encoderHiddenStates: (N, L, cross_attention_dim) text embeddings.
  /// - Returns: (N, out_channels, F, h, w) in the model dtype.
  public func callAsFunction(sample: Tensor, timestep: Int, fps: Tensor, imageLatents: Tensor,
                             imageEmbeddings: Tensor, encoderHiddenStates: Tensor) throws -> Tensor
  {
    guard imageLatents.shape == sample.shape else {
      throw TorchError("UNet: sample \(sample.shape) and image latents \(imageLatents.shape) must have one shape")
    }
    let c = try conditioning(fps: fps, imageLatents: imageLatents, imageEmbeddings: imageEmbeddings,
                             encoderHiddenStates: encoderHiddenStates)
    return try callAsFunction(sample: sample, timestep: timestep, conditioning: c)
  }

  /// One UNet evaluation with precomputed conditioning. `timer` (benchmarks only) times every top-level block.
  public func callAsFunction(sample: Tensor, timestep: Int, conditioning cond: Conditioning,
                             timer: UNetBlockTimer? = nil) throws -> Tensor
  {
    // The timestep tensor is made on the device: no upload.
    let t = try Tensor.full([sample.size(0)], Double(timestep), dtype: .int64, device: device)
    return try self(sample: sample, timesteps: t, conditioning: cond, timer: timer)
  }

  /// The same with the timestep as an (N,) integer tensor on the device (what a replayed CUDA graph reads).
  public func callAsFunction(sample: Tensor, timesteps t: Tensor, conditioning cond: Conditioning,
                             timer: UNetBlockTimer? = nil) throws -> Tensor
  {
    try forward(sample: sample, timesteps: t, conditioning: cond, timer: timer, keepFeatures: false, reusing: nil)
      .output
  }

  /// diffusers' forward, or one of DeepCache's passes (`I2VGenXLUNet+DeepCache.swift`): `keepFeatures` also
  /// returns what enters the cut of the last up block; `reusing` runs only the shallow branch on such features.
  func forward(sample: Tensor, timesteps t: Tensor, conditioning cond: Conditioning, timer: UNetBlockTimer?,
               keepFeatures: Bool, reusing cached: Tensor?) throws -> (output: Tensor, features: Tensor?)
  {
    func timed<T>(_ name: String, _ body: () throws -> T) throws -> T {
      guard let timer else { return try body() }
      return try timer.measure(name, body)
    }
    guard sample.rank == 5, sample.size(1) == config.inChannels, sample.size(0) == cond.batch,
      sample.shape == cond.encodedImageLatents.shape
    else {
      throw TorchError("UNet: sample \(sample.shape) must be (N, \(config.inChannels), F, h, w) like the image "
        + "latents \(cond.encodedImageLatents.shape)")
    }
    let (n, channels, frames, height, width) = (sample.size(0), sample.size(1), sample.size(2), sample.size(3),
                                                sample.size(4))
    // 1–3. Time + fps embeddings, one row per frame (sample-major).
    guard t.shape == [n] else { throw TorchError("UNet: timesteps \(t.shape) must be (\(n),)") }
    let emb = try (timeEmbedding(timeProj(t).to(dtype)) + cond.fpsEmbedding).repeatInterleave(frames, dim: 0)
    let context = cond.context

    // 5. Input: noisy latents and the encoded image latents on the channel axis, then per-frame rows.
    var h = try Tensor.cat([modelDType(sample), cond.encodedImageLatents], dim: 1)
    h = try h.permute(0, 2, 1, 3, 4).reshape(n * frames, channels * 2, height, width)
    h = try timed("conv_in") { try convIn(h) }
    h = try timed("transformer_in") { try transformerIn(h, frames: frames) }

    var skips = [h]
    var kept: Tensor? = nil
    let cut = deepCacheCut
    let lastUp = upBlocks.count - 1
    if let cached {
      // DeepCache's shallow pass: the cut's layers of the first down block, then the last up block from the
      // layer the cached features entered, on the skips just made.
      try checkCachedFeatures(cached, rows: n * frames, height: height, width: width)
      h = try timed("down_blocks.0") {
        try downBlocks[0](h, emb: emb, context: context, frames: frames, skips: &skips, layerCount: cut.downLayers)
      }
      h = try timed("up_blocks.\(lastUp)") {
        try upBlocks[lastUp](cached, skips: &skips, emb: emb, context: context, frames: frames, upsampleSize: nil,
                             entering: cut.upLayer)
      }
    } else {
      // 6. Down path, collecting skips.
      for (i, block) in downBlocks.enumerated() {
        h = try timed("down_blocks.\(i)") { try block(h, emb: emb, context: context, frames: frames, skips: &skips) }
      }
      // 7. Mid.
      h = try timed("mid_block") { try midBlock(h, emb: emb, context: context, frames: frames) }
      // 8. Up path. Sizes that are not multiples of 2^upsamplers make every upsampler target the size of the next
      //    skip it will meet (diffusers' forward_upsample_size).
      let factor = 1 << config.upsamplerCount
      let forceSizes = height % factor != 0 || width % factor != 0
      for (i, block) in upBlocks.enumerated() {
        var size: (height: Int, width: Int)? = nil
        let remaining = skips.count - block.layers.count
        if forceSizes, i < upBlocks.count - 1, remaining > 0 {
          size = (skips[remaining - 1].size(2), skips[remaining - 1].size(3))
        }
        let keepAt = keepFeatures && i == lastUp ? cut.upLayer : nil
        h = try timed("up_blocks.\(i)") {
          try block(h, skips: &skips, emb: emb, context: context, frames: frames, upsampleSize: size,
                    keepAt: keepAt) { kept = $0 }
        }
      }
    }
    // 9. Out.
    h = try timed("conv_out") { try convOut(convNormOut(h).silu()) }
    return (try h.reshape(n, frames, config.outChannels, height, width).permute(0, 2, 1, 3, 4), kept)
  }

  /// (N, L + 64 + in_channels, cross_attention_dim) context before the per-frame repeat.
  func contextTokens(imageLatents: Tensor, imageEmbeddings: Tensor, text: Tensor) throws -> Tensor {
    let n = imageLatents.size(0)
    let firstFrame = try modelDType(imageLatents).narrow(2, start: 0, length: 1).squeeze(2)
    let latentTokens = try imageLatentsContextEmbedding(firstFrame)
    let imageTokens = try contextEmbedding(modelDType(imageEmbeddings))
      .reshape(n, config.inChannels, config.crossAttentionDim)
    return try Tensor.cat([modelDType(text), latentTokens, imageTokens], dim: 1)
  }

  /// `image_latents_proj_in` per frame, then the temporal encoder along each pixel's frames → (N, C, F, h, w).
  func encodeImageLatents(_ latents: Tensor) throws -> Tensor {
    let (n, c, f, height, width) = (latents.size(0), latents.size(1), latents.size(2), latents.size(3),
                                    latents.size(4))
    var x = try modelDType(latents).permute(0, 2, 1, 3, 4).reshape(n * f, c, height, width)
    x = try imageLatentsProjIn(x)
    x = try x.reshape(n, f, c, height, width).permute(0, 3, 4, 1, 2).reshape(n * height * width, f, c)
    x = try imageLatentsTemporalEncoder(x)
    return try x.reshape(n, height, width, f, c).permute(0, 4, 3, 1, 2)
  }

  /// Floating inputs in another dtype are cast to the model's (diffusers would fail on the mismatch instead).
  func modelDType(_ x: Tensor) throws -> Tensor { try x.to(dtype, device: device) }
}
