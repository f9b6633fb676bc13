import Foundation
import I2VCheckpoint
import I2VModels
import I2VTensor
import Testing

@Suite struct MemoryEstimateTests {
  static let real = FixturePaths.fixture("real/configs")
  static let realParameters = ["unet": 1_420_469_224, "vae": 83_653_863, "text_encoder": 352_984_064,
                               "image_encoder": 632_076_800]

  static func estimate(width: Int = 1280, height: Int = 704, frames: Int = 16, dtype: DType = .float16,
                       device: Device = .cuda(0), offload: OffloadMode = .none, block: Int = 1 << 30,
                       chunk: Int = 1, cache: FeatureCache = .off) throws -> MemoryEstimate
  {
    var r = GenerationRequest(image: try RGBImage(width: 1, height: 1, pixels: [0, 0, 0]), prompt: "x", width: width,
                              height: height, frames: frames)
    r.decodeChunkSize = chunk
    r.featureCache = cache
    let model = try ModelFolder(path: real.path)
    return try MemoryEstimate.forModel(model, request: r, dtype: dtype, device: device, offload: offload,
                                       blockBytes: block, parameters: realParameters)
  }

  @Test func weightsAreParametersTimesDTypeSize() throws {
    let e = try Self.estimate()
    #expect(e.weights["unet"] == 1_420_469_224 * 2)
    let f32 = try Self.estimate(dtype: .float32)
    #expect(f32.weights["unet"] == 1_420_469_224 * 4)
    #expect(f32.peakBytes > e.peakBytes)
  }

  /// Counted from the committed tiny model's weight headers: the fp16 files' data is parameters · 2 bytes.
  @Test func parameterCountsComeFromTheHeaders() throws {
    let model = try ModelFolder(path: FixturePaths.fixture("models/tiny-a").path)
    let counts = try MemoryEstimate.parameterCounts(model)
    let unetBytes = try model.component("unet").weights(preferring: .float16).dataBytes
    #expect(counts["unet"]! * 2 == unetBytes)
    #expect(counts.keys.sorted() == ["image_encoder", "text_encoder", "unet", "vae"])
  }

  /// The default job on a GPU: the peak is denoising, weights about 4.9 GB, and the whole job fits the 10 GB
  /// target with the default transformer-block budget (unsliced, transformer_in alone would need ~10 GB).
  @Test func defaultJobOnAGPU() throws {
    let e = try Self.estimate()
    #expect(e.peak.name == "denoising")
    let gib = Double(e.peakBytes) / Double(1 << 30)
    #expect(gib > 5 && gib < 10, "peak \(gib) GiB")
    let unsliced = try Self.estimate(block: 0)
    #expect(unsliced.peakBytes > e.peakBytes + (5 << 30), "slicing should save > 5 GiB here")
  }

  /// DeepCache's cached features (CFG batch, 16 frames, 320 channels entering up_blocks.3 layer 1, 88x160 latent
  /// pixels, float16) are held through the denoising loop.
  @Test func featureCacheHoldsItsFeatures() throws {
    let off = try Self.estimate()
    let deep = try Self.estimate(cache: .deep(interval: 3))
    #expect(deep.stages.first { $0.name == "denoising" }!.activationBytes
      - off.stages.first { $0.name == "denoising" }!.activationBytes == 2 * 16 * 320 * 88 * 160 * 2)
  }

  @Test func growsWithSizeAndFrames() throws {
    let small = try Self.estimate(width: 512, height: 512, frames: 8)
    let more = try Self.estimate(width: 512, height: 512, frames: 16)
    let larger = try Self.estimate(width: 1024, height: 1024, frames: 8)
    #expect(small.peak.activationBytes < more.peak.activationBytes)
    #expect(small.peak.activationBytes < larger.peak.activationBytes)
  }

  @Test func offloadKeepsOnlyTheRunningComponent() throws {
    let all = try Self.estimate()
    let offloaded = try Self.estimate(offload: .model)
    #expect(offloaded.peakBytes < all.peakBytes)
    let denoise = offloaded.stages.first { $0.name == "denoising" }!
    #expect(denoise.weightBytes == offloaded.weights["unet"])
  }

  @Test func encoderOffloadFreesTheEncodersWhileDenoising() throws {
    let all = try Self.estimate()
    let dropped = try Self.estimate(offload: .encoders)
    let denoise = { (e: MemoryEstimate) in e.stages.first { $0.name == "denoising" }!.weightBytes }
    #expect(denoise(all) - denoise(dropped) == (352_984_064 + 632_076_800) * 2)
    #expect(dropped.peakBytes < all.peakBytes)
  }

  @Test func decodeChunksCostMemory() throws {
    let one = try Self.estimate(chunk: 1).stages.first { $0.name == "decoding" }!
    let four = try Self.estimate(chunk: 4).stages.first { $0.name == "decoding" }!
    #expect(four.activationBytes > 3 * (one.activationBytes - 16 * 3 * 1280 * 704 * 8))
  }
}
