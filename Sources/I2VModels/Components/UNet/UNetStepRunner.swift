import I2VTensor

/// Runs the UNet once per denoising step through fixed input and output tensors, so that a CUDA graph can
/// replace the per-step launches (the UNet is ~2,300 launches an evaluation): the first step runs eagerly (it
/// also initialises libraries and workspaces), the second records the evaluation and replays it, every later
/// step is one replay. Where graphs are unavailable (CPU, or a shim built without CUDA headers) every step runs
/// eagerly on the same fixed tensors, so this path is exercised, and gives the same values, everywhere.
public final class UNetStepRunner: @unchecked Sendable {
  public let unet: I2VGenXLUNet
  public let conditioning: I2VGenXLUNet.Conditioning
  public let usesGraphs: Bool
  let sample: Tensor
  let timesteps: Tensor
  private var graph: CUDAGraph?
  private var output: Tensor?
  private var steps = 0

  /// `sampleShape`: the UNet input (N, C, F, h, w); graphs are used when asked for and supported.
  public init(unet: I2VGenXLUNet, conditioning: I2VGenXLUNet.Conditioning, sampleShape: [Int], graphs: Bool) throws {
    self.unet = unet
    self.conditioning = conditioning
    usesGraphs = graphs && unet.device.kind == .cuda && CUDAGraph.isSupported
    sample = try Tensor.empty(sampleShape, dtype: unet.dtype, device: unet.device)
    timesteps = try Tensor.zeros([sampleShape[0]], dtype: .int64, device: unet.device)
  }

  /// One evaluation: `input` (N, C, F, h, w) and `timestep`, an (N,) or (1,) integer tensor on the device. The
  /// result is overwritten by the next call: use it before calling again.
  public func callAsFunction(_ input: Tensor, timestep: Tensor) throws -> Tensor {
    try sample.copy(from: input)
    try timesteps.copy(from: timestep.size(0) == timesteps.size(0) ? timestep : timestep.expand(timesteps.shape))
    defer { steps += 1 }
    guard usesGraphs, steps > 0 else {
      return try unet(sample: sample, timesteps: timesteps, conditioning: conditioning)
    }
    if graph == nil {
      let (g, out) = try CUDAGraph.capture(on: unet.device) {
        try unet(sample: sample, timesteps: timesteps, conditioning: conditioning)
      }
      graph = g
      output = out
    }
    try graph!.replay()
    return output!
  }
}
