import Foundation
import I2VCheckpoint
import I2VTensor

/// What to load: a diffusers-layout I2VGen-XL folder, and the dtype and device to run it in.
/// Separate from `GenerationRequest` so one loaded pipeline serves many runs (batch jobs load once).
public struct PipelineDescriptor: Sendable {
  public var modelPath: String
  public var dtype: DType
  public var device: Device
  public var offload: OffloadMode
  /// Replay the UNet's evaluation as a CUDA graph from the second step on (`UNetStepRunner`).
  public var cudaGraphs: Bool

  public init(modelPath: String, dtype: DType = .float32, device: Device = .cpu, offload: OffloadMode = .none,
              cudaGraphs: Bool = false)
  {
    self.modelPath = modelPath
    self.dtype = dtype
    self.device = device
    self.offload = offload
    self.cudaGraphs = cudaGraphs
  }

  /// The components `I2VGenXLPipeline` needs, in load order.
  public static let requiredComponents = [
    "tokenizer", "feature_extractor", "scheduler", "text_encoder", "image_encoder", "vae", "unet",
  ]

  /// Fast structural check (folders and configs present) before any weight is read, so a wrong path fails in
  /// milliseconds rather than after minutes of loading.
  public func check() throws -> ModelFolder {
    let model = try ModelFolder(path: modelPath)
    for name in Self.requiredComponents {
      let component = try model.component(name)
      if name != "tokenizer" { _ = try component.config() }
    }
    return model
  }
}
