import Foundation
import I2VCheckpoint
import I2VModels
import I2VTensor
import Testing

/// The properties the GPU path relies on, checked on the CPU: no host round trips inside the denoising loop,
/// bounded transformer-block memory without changing results, bounded math attention, out-of-memory errors that
/// can be told apart.
@Suite(.serialized) struct ExecutionPathTests {
  static func smallRequest(steps: Int = 3) -> GenerationRequest {
    var pixels: [UInt8] = []
    for y in 0..<40 { for x in 0..<56 { pixels += [UInt8(x * 4), UInt8(y * 6), UInt8((x + y) % 256)] } }
    return GenerationRequest(image: RGBImage(unchecked: 56, 40, pixels), prompt: "a boat on a lake",
                             width: 32, height: 32, frames: 3, steps: steps, guidanceScale: 9, seed: 7)
  }

  /// The counter itself moves on each kind of round trip, so a zero below means something.
  @Test func hostSyncCounterCountsRoundTrips() throws {
    let start = try Runtime.hostSyncCount()
    let t = try Tensor([Float](repeating: 1, count: 4), shape: [4])  // upload
    #expect(try Runtime.hostSyncCount() == start + 1)
    _ = try t.floats()  // read back
    #expect(try Runtime.hostSyncCount() == start + 2)
    _ = try (t * 2).exp()  // device-side work only
    #expect(try Runtime.hostSyncCount() == start + 2)
  }

  @Test func denoisingLoopMakesNoHostRoundTrips() throws {
    let pipeline = try I2VGenXLPipeline(PipelineDescriptor(modelPath: FixturePaths.fixture("models/tiny-a").path))
    let out = try pipeline.generate(Self.smallRequest())
    #expect(out.denoisingHostSyncs == 0)
    #expect(out.timings.map(\.stage) == ["encode", "denoise", "decode"])
    #expect(out.gpuMemory == nil)  // CPU run: no allocator figures
  }

  /// The swapped-in samplers keep their coefficients on the host too (UniPC's corrector solve included).
  @Test(arguments: SchedulerKind.allCases.filter { $0 != .ddim && $0 != .dpmpp2mKarras })
  func samplerLoopsMakeNoHostRoundTrips(_ kind: SchedulerKind) throws {
    let pipeline = try I2VGenXLPipeline(PipelineDescriptor(modelPath: FixturePaths.fixture("models/tiny-a").path))
    var request = Self.smallRequest(steps: 4)
    request.scheduler = kind
    #expect(try pipeline.generate(request).denoisingHostSyncs == 0, "\(kind)")
  }

  @Test func sliceSizes() {
    #expect(ActivationBudget.rowsPerSlice(rows: 100, bytesPerRow: 10, budget: 1000) == 100)
    #expect(ActivationBudget.rowsPerSlice(rows: 100, bytesPerRow: 10, budget: 250) == 25)
    #expect(ActivationBudget.rowsPerSlice(rows: 100, bytesPerRow: 10, budget: 5) == 1)
    #expect(ActivationBudget.rowsPerSlice(rows: 100, bytesPerRow: 10, budget: 0) == 100)
  }

  /// Slicing every transformer block down to one sequence at a time gives the unsliced UNet's output.
  @Test func slicedBlocksMatchUnsliced() throws {
    let c = UNetFixtureCase(config: "tiny-a", name: "a_default")
    let unet = try UNetFixtureCase.unet("tiny-a")
    let inputs = try c.firstStepInputs()
    let saved = ActivationBudget.blockBytes
    defer { ActivationBudget.blockBytes = saved }
    ActivationBudget.blockBytes = 0
    let whole = try unet(inputs)
    ActivationBudget.blockBytes = 1
    let sliced = try unet(inputs)
    let d = try sliced.maxAbsDifference(whole)
    let scale = try whole.abs().amax().item()
    #expect(d <= 1e-5 * max(1, scale), "max abs difference \(d), output scale \(scale)")
    #expect(sliced.shape == whole.shape)
  }

  /// Precomputed conditioning is what the all-in-one call computes: same values, bit for bit.
  @Test func conditioningOnceEqualsPerCall() throws {
    let c = UNetFixtureCase(config: "tiny-b", name: "a_default")
    let unet = try UNetFixtureCase.unet("tiny-b")
    let i = try c.firstStepInputs()
    let cond = try unet.conditioning(fps: i.fps, imageLatents: i.imageLatents, imageEmbeddings: i.imageEmbeddings,
                                     encoderHiddenStates: i.text)
    let a = try unet(sample: i.sample, timestep: i.timestep, conditioning: cond)
    let b = try unet(sample: i.sample, timestep: 1, conditioning: cond)
    let again = try unet(sample: i.sample, timestep: i.timestep, conditioning: cond)
    #expect(try a.maxAbsDifference(again) == 0)
    #expect(try a.maxAbsDifference(unet(i)) == 0)
    #expect(try a.maxAbsDifference(b) > 0)  // the timestep still matters
  }

  /// Attention over many rows whose scores exceed the math fallback's slice budget (256 MiB) equals attention
  /// computed slice by slice (libtorch 1.13 runs the sliced fallback here; 2.x its fused kernel).
  @Test func largeAttentionMatchesSlices() throws {
    let g = try Generator(seed: 11)
    let (rows, l, d) = (72, 1024, 32)
    let q = try g.randn([rows, l, d]), k = try g.randn([rows, l, d]), v = try g.randn([rows, l, d])
    let whole = try Tensor.attention(q, k, v)
    var parts: [Tensor] = []
    for s in stride(from: 0, to: rows, by: 8) {
      parts.append(try Tensor.attention(q.narrow(0, start: s, length: 8), k.narrow(0, start: s, length: 8),
                                        v.narrow(0, start: s, length: 8)))
    }
    #expect(try whole.maxAbsDifference(Tensor.cat(parts)) <= 1e-5)
  }

  /// One row with many tokens (the VAE's single-head attention over every latent pixel): sliced by queries on
  /// libtorch 1.13, the same values as attention of each query slice.
  @Test func singleRowLongAttentionMatchesQuerySlices() throws {
    let g = try Generator(seed: 12)
    let (l, d) = (9000, 16)
    let q = try g.randn([1, 1, l, d]), k = try g.randn([1, 1, l, d]), v = try g.randn([1, 1, l, d])
    let whole = try Tensor.attention(q, k, v)
    var parts: [Tensor] = []
    for s in stride(from: 0, to: l, by: 3000) {
      parts.append(try Tensor.attention(q.narrow(2, start: s, length: 3000), k, v))
    }
    #expect(try whole.maxAbsDifference(Tensor.cat(parts, dim: 2)) <= 1e-5)
  }

  /// Offloading (each component loaded for its stage, then dropped) changes where weights live, not the frames.
  @Test func offloadGivesTheSameFrames() throws {
    let path = FixturePaths.fixture("models/tiny-a").path
    let resident = try I2VGenXLPipeline(PipelineDescriptor(modelPath: path))
    #expect(resident.residentComponents == ["text_encoder", "image_encoder", "vae", "unet"])
    var loads: [String] = []
    let offloaded = try I2VGenXLPipeline(PipelineDescriptor(modelPath: path, offload: .model)) { loads.append($0) }
    #expect(offloaded.residentComponents.isEmpty)
    let a = try resident.generate(Self.smallRequest(steps: 2))
    let b = try offloaded.generate(Self.smallRequest(steps: 2))
    #expect(try a.framesFloat.maxAbsDifference(b.framesFloat) == 0)
    #expect(offloaded.residentComponents.isEmpty)
    // The VAE is needed twice (encode, decode) and loaded for each.
    #expect(loads == ["tokenizer", "text_encoder", "image_encoder", "vae", "unet", "vae"])
  }

  /// The CUDA-graph step runner goes through fixed input tensors; on a CPU it runs them eagerly, with the values
  /// of direct calls, step after step.
  @Test func stepRunnerMatchesDirectCalls() throws {
    let c = UNetFixtureCase(config: "tiny-a", name: "a_default")
    let unet = try UNetFixtureCase.unet("tiny-a")
    let i = try c.firstStepInputs()
    let cond = try unet.conditioning(fps: i.fps, imageLatents: i.imageLatents, imageEmbeddings: i.imageEmbeddings,
                                     encoderHiddenStates: i.text)
    let runner = try UNetStepRunner(unet: unet, conditioning: cond, sampleShape: i.sample.shape, graphs: true)
    #expect(!runner.usesGraphs)  // no CUDA here
    let other = try i.sample * 0.5
    for (sample, t) in [(i.sample, 981), (other, 501), (i.sample, 21)] {
      let viaRunner = try runner(sample, timestep: Tensor.full([1], Double(t), dtype: .int64))
      let direct = try unet(sample: sample, timestep: t, conditioning: cond)
      #expect(try viaRunner.maxAbsDifference(direct) == 0, "timestep \(t)")
    }
  }

  @Test func cudaGraphOptionKeepsFramesAndLoopSyncFree() throws {
    let path = FixturePaths.fixture("models/tiny-a").path
    let plain = try I2VGenXLPipeline(PipelineDescriptor(modelPath: path)).generate(Self.smallRequest())
    let graphed = try I2VGenXLPipeline(PipelineDescriptor(modelPath: path, cudaGraphs: true)).generate(Self.smallRequest())
    #expect(try plain.framesFloat.maxAbsDifference(graphed.framesFloat) == 0)
    #expect(graphed.denoisingHostSyncs == 0)
  }

  /// Dropping the encoders after use keeps the frames and the VAE and UNet; the next video loads them again.
  @Test func encoderOffloadKeepsVAEAndUNet() throws {
    let path = FixturePaths.fixture("models/tiny-a").path
    let plain = try I2VGenXLPipeline(PipelineDescriptor(modelPath: path)).generate(Self.smallRequest(steps: 2))
    let p = try I2VGenXLPipeline(PipelineDescriptor(modelPath: path, offload: .encoders))
    #expect(p.residentComponents == ["text_encoder", "image_encoder", "vae", "unet"])
    let a = try p.generate(Self.smallRequest(steps: 2))
    #expect(p.residentComponents == ["vae", "unet"])
    let b = try p.generate(Self.smallRequest(steps: 2))
    #expect(try a.framesFloat.maxAbsDifference(plain.framesFloat) == 0)
    #expect(try b.framesFloat.maxAbsDifference(plain.framesFloat) == 0)
  }

  /// Values that overflow stop the run with the stage and a fix, instead of a black video: a copy of the tiny
  /// model whose UNet output layer overflows float16 (its weights scaled by 1e30 are infinite).
  @Test func overflowIsAnErrorNotABlackVideo() throws {
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-overflow-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: FixturePaths.fixture("models/tiny-a"), to: copy)
    defer { try? FileManager.default.removeItem(at: copy) }
    let file = copy.appendingPathComponent("unet/diffusion_pytorch_model.fp16.safetensors").path
    let weights = try SafeTensorsFile(path: file)
    var tensors: [String: Tensor] = [:]
    for name in weights.names { tensors[name] = try weights.tensor(name) }
    tensors["conv_out.weight"] = try (tensors["conv_out.weight"]!.to(.float32) * 1e30).to(.float16)
    try FileManager.default.removeItem(atPath: file)
    try SafeTensorsWriter.write(tensors, to: file)
    let p = try I2VGenXLPipeline(PipelineDescriptor(modelPath: copy.path))
    #expect(throws: PipelineError.nonFinite(stage: "denoising", dtype: "float32")) {
      try p.generate(Self.smallRequest(steps: 2))
    }
  }

  /// Configs are parsed once per process: a second pipeline, a memory estimate and a component check on the
  /// same model read no config file again.
  @Test func configsAreParsedOnce() throws {
    let path = FixturePaths.fixture("models/tiny-b").path
    _ = try I2VGenXLPipeline(PipelineDescriptor(modelPath: path))
    let before = JSONConfig.cachedParses(under: path)
    let model = try ModelFolder(path: path)
    _ = try I2VGenXLPipeline(PipelineDescriptor(modelPath: path), checked: model)
    _ = try MemoryEstimate.forModel(model, request: Self.smallRequest(), dtype: .float32, device: .cpu)
    _ = try model.component("unet").config()
    #expect(JSONConfig.cachedParses(under: path) == before)
    #expect(before >= 4)  // the first pipeline did parse them
  }

  /// A failed allocation is reported as out-of-memory, not as any other error.
  @Test func outOfMemoryIsClassified() throws {
    do {
      _ = try Tensor.empty([1 << 22, 1 << 22, 1 << 10], dtype: .float32)
      Issue.record("a 64 PiB tensor was allocated")
    } catch let e as TorchError {
      #expect(e.isOutOfMemory, "\(e.message)")
      #expect(e.message.contains("out of memory in empty"), "\(e.message)")
    }
    do {
      _ = try Tensor.empty([-1])
      Issue.record("a negative shape was accepted")
    } catch let e as TorchError {
      #expect(!e.isOutOfMemory)
    }
  }

  @Test func outOfMemoryNamesTheStage() {
    let e = PipelineError.outOfMemory(stage: "denoising, step 3 of 50", detail: "CUDA out of memory")
    #expect(e.description.contains("denoising, step 3 of 50"))
  }
}
