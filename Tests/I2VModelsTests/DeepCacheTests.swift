import Foundation
import I2VCheckpoint
import I2VModels
import I2VTensor
import Testing

/// `--cache deep:N` (DeepCache): where the UNet is cut, that a shallow pass on freshly kept features is the full
/// pass, how many passes of each kind a job makes, and how far it moves the frames.
@Suite(.serialized) struct DeepCacheTests {
  typealias Fixture = UNetFixtureCase

  func conditioning(_ unet: I2VGenXLUNet, _ i: Fixture.Inputs) throws -> I2VGenXLUNet.Conditioning {
    try unet.conditioning(fps: i.fps, imageLatents: i.imageLatents, imageEmbeddings: i.imageEmbeddings,
                          encoderHiddenStates: i.text)
  }

  func timesteps(_ t: Int, _ n: Int) throws -> Tensor { try Tensor.full([n], Double(t), dtype: .int64) }

  /// tiny-a has 1 layer per block (the cut takes all of down block 0's layers and all of the last up block's),
  /// tiny-b 2 (the real model's layout: 1 of 2 down layers, 2 of 3 up layers).
  @Test(arguments: ["tiny-a", "tiny-b"]) func cutFollowsLayersPerBlock(config: String) throws {
    let unet = try Fixture.unet(config)
    let cut = unet.deepCacheCut
    #expect(cut.downLayers == 1)
    #expect(cut.upLayer == unet.config.layersPerBlock - 1)
    let widths = unet.config.blockOutChannels
    #expect(unet.deepCacheChannels == (cut.upLayer == 0 ? widths[1] : widths[0]))
  }

  /// The full pass that keeps features is diffusers' forward, bit for bit; a shallow pass on the features kept
  /// from the same sample and timestep reproduces it exactly (the same operations on the same values); on
  /// another timestep it differs (the shallow branch does depend on the step).
  @Test(arguments: ["tiny-a", "tiny-b"]) func shallowPassOnFreshFeaturesIsTheFullPass(config: String) throws {
    let unet = try Fixture.unet(config)
    let i = try Fixture(config: config, name: "a_default").firstStepInputs()
    let cond = try conditioning(unet, i)
    let n = i.sample.size(0)
    let t = try timesteps(i.timestep, n)
    let full = try unet(sample: i.sample, timesteps: t, conditioning: cond)
    let kept = try unet.keepingFeatures(sample: i.sample, timesteps: t, conditioning: cond)
    #expect(try kept.output.maxAbsDifference(full) == 0)
    #expect(kept.features.shape == [n * i.sample.size(2), unet.deepCacheChannels, i.sample.size(3), i.sample.size(4)])
    let shallow = try unet.shallow(sample: i.sample, timesteps: t, conditioning: cond, features: kept.features)
    #expect(try shallow.maxAbsDifference(full) == 0)
    let later = try unet.shallow(sample: i.sample, timesteps: timesteps(1, n), conditioning: cond,
                                 features: kept.features)
    #expect(try later.maxAbsDifference(full) > 0)
    // Features of another sample shape are refused, not broadcast.
    #expect(throws: TorchError.self) {
      try unet.shallow(sample: i.sample, timesteps: t, conditioning: cond, features: kept.features.narrow(0, start: 0, length: 1))
    }
  }

  /// A shallow pass runs only the input layers, down block 0, the last up block and the output layers; the full
  /// pass runs every block.
  @Test func shallowPassSkipsTheDeepBlocks() throws {
    let unet = try Fixture.unet("tiny-b")
    let i = try Fixture(config: "tiny-b", name: "a_default").firstStepInputs()
    let cond = try conditioning(unet, i)
    let t = try timesteps(i.timestep, i.sample.size(0))
    let fullTimer = UNetBlockTimer(device: .cpu)
    let kept = try unet.keepingFeatures(sample: i.sample, timesteps: t, conditioning: cond, timer: fullTimer)
    let last = unet.upBlocks.count - 1
    #expect(fullTimer.order == ["conv_in", "transformer_in"] + (0..<unet.downBlocks.count).map { "down_blocks.\($0)" }
      + ["mid_block"] + (0...last).map { "up_blocks.\($0)" } + ["conv_out"])
    let shallowTimer = UNetBlockTimer(device: .cpu)
    _ = try unet.shallow(sample: i.sample, timesteps: t, conditioning: cond, features: kept.features,
                         timer: shallowTimer)
    #expect(shallowTimer.order == ["conv_in", "transformer_in", "down_blocks.0", "up_blocks.\(last)", "conv_out"])
  }

  @Test func passScheduleIsDeepCachesUniformOne() {
    let cache = FeatureCache.deep(interval: 3)
    #expect((0..<7).map { cache.pass(step: $0) } == [.fullKeepingFeatures, .shallow, .shallow, .fullKeepingFeatures,
                                                   .shallow, .shallow, .fullKeepingFeatures])
    #expect(cache.evaluations(steps: 7) == UNetEvaluations(full: 3, shallow: 4))
    #expect(FeatureCache.deep(interval: 5).evaluations(steps: 25) == UNetEvaluations(full: 5, shallow: 20))
    #expect(FeatureCache.deep(interval: 2).evaluations(steps: 1) == UNetEvaluations(full: 1, shallow: 0))
    #expect(FeatureCache.off.evaluations(steps: 50) == UNetEvaluations(full: 50, shallow: 0))
    #expect((0..<4).map { FeatureCache.off.pass(step: $0) } == [.full, .full, .full, .full])
  }

  @Test func parsing() throws {
    #expect(FeatureCache(parsing: "off") == .off)
    #expect(FeatureCache(parsing: " Deep:3 ") == .deep(interval: 3))
    #expect(FeatureCache(parsing: "deep: 10") == .deep(interval: 10))
    #expect(FeatureCache.deep(interval: 4).description == "deep:4")
    for bad in ["", "on", "deep", "deep:", "deep:x", "deep:2.5", "deep:1", "deep:0", "deep:-3", "deep:11", "shallow:3"] {
      #expect(FeatureCache(parsing: bad) == nil, "\(bad)")
      #expect(throws: FeatureCacheError.self) { try FeatureCache.parse(bad) }
    }
    do {
      _ = try FeatureCache.parse("deep:1")
      Issue.record("deep:1 was accepted")
    } catch {
      #expect("\(error)" == "N must be from 2 to 10 (deep:1 runs the whole UNet at every step: that is off)")
    }
    var r = ExecutionPathTests.smallRequest()
    r.featureCache = .deep(interval: 11)
    #expect(throws: PipelineError.self) { try r.validate() }
  }

  static let pipeline = Result { try I2VGenXLPipeline(PipelineDescriptor(modelPath: FixturePaths.fixture("models/tiny-a").path)) }

  /// Every scheduler runs with the cache: the loop makes the passes the schedule says (counted as they ran), no
  /// host round trip, and frames that differ from the uncached ones within the bound the README states for the
  /// tiny random-weight model, and stay closer to them than the video of another seed is.
  @Test(arguments: [SchedulerKind.ddim, .dpmpp2m, .euler, .eulerA]) func everySchedulerRunsCached(_ s: SchedulerKind) throws {
    let p = try Self.pipeline.get()
    var r = ExecutionPathTests.smallRequest(steps: 7)
    r.scheduler = s
    let plain = try p.generate(r)
    #expect(plain.unetPasses == Array(repeating: .full, count: 7))
    r.featureCache = .deep(interval: 3)
    let cached = try p.generate(r)
    #expect(cached.unetPasses == (0..<7).map { FeatureCache.deep(interval: 3).pass(step: $0) })
    #expect(cached.unetEvaluations == UNetEvaluations(full: 3, shallow: 4))
    #expect(cached.denoisingHostSyncs == 0)
    let psnr = try cached.psnr(against: plain)
    #expect(psnr.isFinite, "the cache changed nothing")
    #expect(psnr >= Self.tinyPSNRBound, "\(s): PSNR \(psnr) dB against the uncached frames")
    r.featureCache = .off
    r.seed += 1
    let unrelated = try p.generate(r).psnr(against: plain)
    #expect(psnr >= unrelated + 1.5, "\(s): cached \(psnr) dB, another seed \(unrelated) dB")
  }

  /// The lowest PSNR (dB, 8-bit frames) accepted for a cached run against the uncached one on the tiny fixture
  /// model at 32x32x3, 7 steps, deep:3. Measured 10.8 (euler-a) to 13.4 dB (ddim); another seed's video scores
  /// 8.5 dB. Random weights give deep features no coherence from step to step (DeepCache's premise), so this
  /// bounds a broken cache path, not quality on real weights (README "Feature caching").
  static let tinyPSNRBound = 10.0

  /// The CUDA-graph step runner (eager here) makes the same passes, with the same values, as direct calls.
  @Test func stepRunnerGivesTheDirectCachedFrames() throws {
    let path = FixturePaths.fixture("models/tiny-a").path
    var r = ExecutionPathTests.smallRequest(steps: 5)
    r.featureCache = .deep(interval: 2)
    let direct = try Self.pipeline.get().generate(r)
    let runner = try I2VGenXLPipeline(PipelineDescriptor(modelPath: path, cudaGraphs: true)).generate(r)
    #expect(try direct.framesFloat.maxAbsDifference(runner.framesFloat) == 0)
    #expect(runner.unetEvaluations == UNetEvaluations(full: 3, shallow: 2))
    #expect(runner.denoisingHostSyncs == 0)
  }

  /// The default request is the uncached loop: one full pass per step, frames equal to `.off` set explicitly.
  @Test func offIsTheDefault() throws {
    var r = ExecutionPathTests.smallRequest(steps: 3)
    #expect(r.featureCache == .off)
    let a = try Self.pipeline.get().generate(r)
    r.featureCache = .off
    let b = try Self.pipeline.get().generate(r)
    #expect(a.unetEvaluations == UNetEvaluations(full: 3, shallow: 0))
    #expect(try a.framesFloat.maxAbsDifference(b.framesFloat) == 0)
  }
}
