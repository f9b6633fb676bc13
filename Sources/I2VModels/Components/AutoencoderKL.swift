import I2VCheckpoint
import I2VTensor

/// diffusers' `AutoencoderKL` as `I2VGenXLPipeline` uses it: encode the conditioning image to a posterior
/// (mean, std), sample it with noise supplied by the caller, and decode latents frame-chunk by frame-chunk.
/// Runs entirely in the weights' dtype (the pipeline ignores `force_upcast`); no tiling, no slicing.
public struct AutoencoderKL: @unchecked Sendable {
  public let config: VAEConfig
  public let dtype: DType
  public let device: Device
  let encoder: VAEEncoder
  let quantConv: Conv2d?
  let postQuantConv: Conv2d?
  let decoder: VAEDecoder

  /// `scaling_factor` from the config (0.18125 for I2VGen-XL): latents = sample · scalingFactor.
  public var scalingFactor: Double { config.scalingFactor }
  /// Pixels per latent along each axis, 2^(len(block_out_channels) − 1) (the pipeline's `vae_scale_factor`).
  public var scaleFactor: Int { config.scaleFactor }
  public var latentChannels: Int { config.latentChannels }

  /// Reads `config.json`, binds every tensor of the component's weights (converted to `dtype` on `device`) and
  /// fails on any missing, mis-shaped or unused tensor.
  public init(component: ComponentFolder, dtype: DType, device: Device) throws {
    let config = try VAEConfig(component.config())
    let binder = WeightBinder(weights: try component.weights(preferring: dtype), dtype: dtype, device: device)
    try self.init(binder.root, config: config)
    try binder.finish()
  }

  /// Binds from an explicit scope (keys `encoder.*`, `quant_conv.*`, `post_quant_conv.*`, `decoder.*`).
  public init(_ w: WeightScope, config: VAEConfig) throws {
    self.config = config
    dtype = w.dtype
    device = w.device
    let moments = 2 * config.latentChannels
    encoder = try VAEEncoder(w.scope("encoder"), config: config)
    quantConv = config.useQuantConv
      ? try Conv2d(w.scope("quant_conv"), inChannels: moments, outChannels: moments, kernel: 1) : nil
    postQuantConv = config.usePostQuantConv
      ? try Conv2d(w.scope("post_quant_conv"), inChannels: config.latentChannels,
                   outChannels: config.latentChannels, kernel: 1) : nil
    decoder = try VAEDecoder(w.scope("decoder"), config: config)
  }

  // MARK: - Encoding

  /// The posterior of images `x` (n, in_channels, H, W) in [−1, 1]: `mean` = first half of the moments,
  /// `std = exp(0.5 · clamp(logvar, −30, 20))`, both (n, latent_channels, H/s, W/s) in the model dtype (each
  /// halving rounds down).
  /// `x` is converted to the model's dtype and device first (the pipeline does the same before calling the VAE).
  public func encode(_ x: Tensor) throws -> (mean: Tensor, std: Tensor) {
    guard x.rank == 4, x.size(1) == config.inChannels else {
      throw TorchError("VAE encode: expected (n, \(config.inChannels), H, W) images, got \(x.shape)")
    }
    var moments = try encoder(x.to(dtype, device: device))
    if let quantConv { moments = try quantConv(moments) }
    let halves = try moments.chunk(2, dim: 1)
    let logvar = try halves[1].clamp(min: -30, max: 20)
    return (halves[0], try (0.5 * logvar).exp())
  }

  /// `DiagonalGaussianDistribution.sample()`: `mean + std · noise`. `noise` must have the moments' shape; it is
  /// converted to their dtype and device (diffusers draws it in that dtype; a reduced-precision CPU draw equals
  /// the float32 draw rounded, so converting a float32 draw is the same).
  public static func sample(mean: Tensor, std: Tensor, noise: Tensor) throws -> Tensor {
    guard noise.shape == mean.shape else {
      throw TorchError("VAE posterior sample: noise shape \(noise.shape) != posterior shape \(mean.shape)")
    }
    return try mean + std * noise.to(mean.dtype, device: mean.device)
  }

  /// The pipeline's image latents before the frame/position-mask expansion: `sample(...) · scaling_factor`.
  public func scaledSample(mean: Tensor, std: Tensor, noise: Tensor) throws -> Tensor {
    try Self.sample(mean: mean, std: std, noise: noise) * scalingFactor
  }

  /// Encode + sample + scale in one call, drawing the posterior noise as diffusers does on an all-CPU run:
  /// one `randn` of the moments' shape in the model dtype from `generator` (on the CPU, then moved).
  /// This draw must come before the initial-latents draw from the same generator.
  public func encodeLatents(_ x: Tensor, generator: Generator) throws -> Tensor {
    let (mean, std) = try encode(x)
    let noise = try generator.randn(mean.shape, dtype: mean.dtype, device: mean.device)
    return try scaledSample(mean: mean, std: std, noise: noise)
  }

  // MARK: - Decoding

  /// Decodes latents `z` (n, latent_channels, h, w) that are **already divided by the scaling factor**, running
  /// the decoder on `chunkSize` rows at a time (the pipeline's `decode_chunk_size`; each row is independent) and
  /// concatenating → (n, out_channels, h·s, w·s) in the model dtype.
  public func decode(_ z: Tensor, chunkSize: Int) throws -> Tensor {
    guard z.rank == 4, z.size(1) == config.latentChannels else {
      throw TorchError("VAE decode: expected (n, \(config.latentChannels), h, w) latents, got \(z.shape)")
    }
    guard chunkSize > 0 else { throw TorchError("VAE decode: chunk size must be positive, got \(chunkSize)") }
    let input = try z.to(dtype, device: device)
    var outputs: [Tensor] = []
    for piece in try input.split(chunkSize, dim: 0) {
      var h = piece
      if let postQuantConv { h = try postQuantConv(h) }
      outputs.append(try decoder(h))
    }
    return outputs.count == 1 ? outputs[0] : try Tensor.cat(outputs, dim: 0)
  }

  /// The pipeline's `decode_latents`: video latents (B, C, F, h, w) as the scheduler leaves them →
  /// `(1/scaling_factor) · latents` → (B·F, C, h, w) rows (video-major, frame-minor) → `decode` in chunks of
  /// `chunkSize` frames → (B, out_channels, F, H, W) converted to float32.
  public func decodeVideo(_ latents: Tensor, chunkSize: Int) throws -> Tensor {
    guard latents.rank == 5 else { throw TorchError("VAE decodeVideo: expected (B, C, F, h, w), got \(latents.shape)") }
    let (b, c, f, h, w) = (latents.size(0), latents.size(1), latents.size(2), latents.size(3), latents.size(4))
    // `1 / scaling_factor * latents`: the reciprocal is a double, multiplied in (not a division by 0.18125).
    let rows = try (latents * (1.0 / scalingFactor)).permute(0, 2, 1, 3, 4).reshape(b * f, c, h, w)
    let image = try decode(rows, chunkSize: chunkSize)
    return try image.reshape(b, f, image.size(1), image.size(2), image.size(3)).permute(0, 2, 1, 3, 4)
      .to(.float32)
  }
}
