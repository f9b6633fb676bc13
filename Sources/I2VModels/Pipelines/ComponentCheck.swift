import I2VCheckpoint
import I2VTensor

/// Binds a component's weights strictly without reading them (dry run): the check `i2v inspect --check-binding`
/// and `i2v verify` run on checkpoints, real or stand-in, in seconds and without memory.
public enum ComponentCheck {
  /// The model components whose weights i2v binds.
  public static let weightedComponents = ["text_encoder", "image_encoder", "vae", "unet"]

  /// Returns the number of tensors bound; throws the binder's error (file, key, shapes) on any mismatch.
  @discardableResult
  public static func bind(_ name: String, in model: ModelFolder, dtype: DType) throws -> Int {
    let component = try model.component(name)
    let config = try component.config()
    let ignored = ["embeddings.position_ids"]
    let binder = WeightBinder(weights: try component.weights(preferring: dtype), dtype: dtype, device: .cpu,
                              ignoredSuffixes: ignored, dryRun: true)
    switch name {
    case "text_encoder": _ = try CLIPTextModel(binder.root, config: CLIPTextConfig(config))
    case "image_encoder": _ = try CLIPVisionModelWithProjection(binder.root, config: CLIPVisionConfig(config))
    case "vae": _ = try AutoencoderKL(binder.root, config: VAEConfig(config))
    case "unet": _ = try I2VGenXLUNet(config: UNetConfig(config), binder: binder)
    default: throw CheckpointError(component.path, "i2v has no weights to bind for component '\(name)'")
    }
    try binder.finish()
    return binder.weights.names.count
  }
}
