import ArgumentParser
import Foundation
import I2VApp
import I2VModels
import I2VTensor

/// Times the UNet forward pass (the cost of one denoising step) on random inputs. Scripts/benchmark.py runs it
/// next to diffusers on the same model and shapes.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Time the UNet forward pass (one denoising step), or whole jobs per scheduler and cache setting.",
    discussion: """
      Prints one JSON object with the median, min and max seconds per forward pass.

      --jobs instead runs whole generations (encode, denoise, decode) on one loaded
      pipeline, one per --schedulers x --caches combination, interleaved round by
      round (--runs rounds, default 1), after a 1-step warm-up: UNet evaluations
      per job (whole and, with --cache deep:N, shallow), seconds per job (median),
      the speed-up against ddim with the cache off, and each cached job's PSNR
      against the same scheduler's uncached frames. JSON on stdout, a table on
      stderr.

      Examples:
        i2v bench --model ~/models/i2vgen-xl --device cuda --width 512 --height 512 --frames 16
        i2v bench --model Tests/Fixtures/models/tiny-a --width 64 --height 64 --frames 4 --runs 5
        i2v bench --model ~/models/i2vgen-xl --device cuda --jobs --steps 50 \\
          --schedulers ddim,dpm++2m:25 --caches off,deep:3
      """
  )

  @Option(name: .long, help: "A diffusers-layout I2VGen-XL folder.") var model: String
  @Option(name: .long) var width = 512
  @Option(name: .long) var height = 512
  @Option(name: .long) var frames = 16
  @Option(name: .long, help: "UNet batch: 2 = with classifier-free guidance.") var batch = 2
  @Option(name: .long) var warmup = 1
  @Option(name: .long, help: "Timed runs (default 3); with --jobs, rounds of every job (default 1).") var runs: Int?
  @Option(name: .long) var device = "cpu"
  @Option(name: .long) var dtype = "float32"
  @Flag(name: .long, help: "Time the evaluation replayed as a CUDA graph (the first two runs record it).")
  var cudaGraphs = false
  @Flag(name: .long, help: "Also time every top-level UNet block (waits for the device around each one).")
  var blocks = false
  @Flag(name: .long, help: "Also count the shim calls of one UNet evaluation and time one call (launch overhead).")
  var overhead = false
  @Flag(name: .long, help: "Time DeepCache's shallow pass (the steps between full ones with --cache deep:N).")
  var shallow = false
  @Flag(name: .long, help: "Time whole generation jobs per scheduler and cache setting (see below).")
  var jobs = false
  @Option(name: .long, help: ArgumentHelp("With --jobs: the schedulers, each with its own steps after ':'.",
                                          valueName: "name[:steps],..."))
  var schedulers = "ddim,dpm++2m,euler,euler-a"
  @Option(name: .long, help: ArgumentHelp("With --jobs: the cache settings.", valueName: "off|deep:N,..."))
  var caches = "off,deep:2,deep:3,deep:5"
  @Option(name: .long, help: "With --jobs: denoising steps per job (unless a scheduler names its own).")
  var steps = 25
  @Option(name: .long, help: "With --jobs: the guidance scale (above 1: classifier-free guidance, batch 2).")
  var guidance = 9.0
  @OptionGroup var runtime: RuntimeOptions

  func validate() throws {
    if jobs { _ = try jobList() }
  }

  func run() throws {
    do {
      try runtime.apply()
      guard let dev = Device(parsing: device) else { throw ValidationError("--device must be cpu, cuda or cuda:N") }
      try runtime.check(device: dev)
      guard let dt = DType(name: dtype) else { throw ValidationError("--dtype must be float32, float16 or bfloat16") }
      if jobs { return try runJobs(device: dev, dtype: dt) }
      let runs = self.runs ?? 3
      let folder = try PipelineDescriptor(modelPath: model).check()
      let loadStart = Date()
      let unet = try I2VGenXLUNet(component: folder.component("unet"), dtype: dt, device: dev)
      let loadSeconds = Date().timeIntervalSince(loadStart)
      let scale = try GenerationSession.latentScale(folder)
      let g = try Generator(seed: 0)
      let c = unet.config
      let shape = [batch, c.inChannels, frames, height / scale, width / scale]
      let sample = try g.randn(shape, dtype: dt, device: dev)
      let latents = try g.randn(shape, dtype: dt, device: dev)
      let text = try g.randn([batch, 77, c.crossAttentionDim], dtype: dt, device: dev)
      let image = try g.randn([batch, 1, c.crossAttentionDim], dtype: dt, device: dev)
      let fps = try Tensor([Int64](repeating: 8, count: batch), shape: [batch]).to(.int64, device: dev)
      let gpu = dev.kind == .cuda ? dev.index ?? 0 : nil
      if let gpu { try Runtime.synchronize(dev); try Runtime.cudaResetPeakMemory(gpu) }
      var times: [Double] = []
      // With --cuda-graphs: the pipeline's step runner (eager first run, then record and replay).
      let cond = try unet.conditioning(fps: fps, imageLatents: latents, imageEmbeddings: image, encoderHiddenStates: text)
      let runner = cudaGraphs
        ? try UNetStepRunner(unet: unet, conditioning: cond, sampleShape: shape, graphs: true,
                             cache: shallow ? .deep(interval: 2) : .off) : nil
      let t981 = try Tensor.full([batch], 981, dtype: .int64, device: dev)
      // --shallow: the features a full pass keeps, once, then only shallow passes are timed.
      var features: Tensor? = nil
      if shallow {
        if let runner { _ = try runner(sample, timestep: t981, pass: .fullKeepingFeatures) } else {
          features = try unet.keepingFeatures(sample: sample, timesteps: t981, conditioning: cond).features
        }
      }
      let pass: UNetPassKind = shallow ? .shallow : .full
      let extraWarmup = runner?.usesGraphs == true ? 1 : 0
      for i in 0..<(warmup + extraWarmup + runs) {
        try Runtime.synchronize(dev)
        let t0 = Date()
        let out = try runner.map { try $0(sample, timestep: t981, pass: pass) }
          ?? (shallow ? unet.shallow(sample: sample, timesteps: t981, conditioning: cond, features: features!)
            : unet(sample: sample, timestep: 981, fps: fps, imageLatents: latents, imageEmbeddings: image,
                   encoderHiddenStates: text))
        try Runtime.synchronize(dev)
        if i >= warmup + extraWarmup { times.append(Date().timeIntervalSince(t0)) }
        _ = out
      }
      // Host-side cost per call: a tiny op on the device, many times (on a GPU the launch is asynchronous, so this
      // is what the host spends; compared with the UNet's call count it bounds the launch overhead per step).
      var overheadJSON = ""
      if overhead {
        let before = try Runtime.callCount()
        _ = try unet(sample: sample, timestep: 981, fps: fps, imageLatents: latents, imageEmbeddings: image,
                     encoderHiddenStates: text)
        let calls = try Runtime.callCount() - before
        let one = try Tensor.zeros([1], dtype: dt, device: dev)
        var x = one
        let n = 2000
        try Runtime.synchronize(dev)
        let t0 = Date()
        for _ in 0..<n { x = try x + one }
        let perCall = Date().timeIntervalSince(t0) / Double(n)
        try Runtime.synchronize(dev)
        overheadJSON = ", \"calls_per_forward\": \(calls), \"seconds_per_call\": \(Format.fixed(perCall, 8)), "
          + "\"host_seconds_per_forward\": \(Format.fixed(perCall * Double(calls), 5))"
      }
      // Per-block figures come from separate evaluations, so the timed ones above carry no extra waits.
      var blockJSON = ""
      if blocks {
        let timer = UNetBlockTimer(device: dev)
        for _ in 0..<max(1, runs) { _ = try unet(sample: sample, timestep: 981, conditioning: cond, timer: timer) }
        blockJSON = ", \"blocks\": {" + timer.medians.map { "\"\($0.name)\": \(Format.fixed($0.seconds, 5))" }
          .joined(separator: ", ") + "}"
      }
      times.sort()
      let median = times[times.count / 2]
      var memory = ""
      if let gpu, let m = try Runtime.cudaMemoryStats(gpu) {
        memory = ", \"peak_allocated_bytes\": \(m.peakAllocated), \"peak_reserved_bytes\": \(m.peakReserved)"
      }
      print("{\"component\": \"unet\", \"model\": \"\(model)\", \"device\": \"\(dev)\", \"dtype\": \"\(dt)\", "
        + "\"threads\": \(try Runtime.threads()), \"shape\": \(shape), \"runs\": \(runs), "
        + "\"load_seconds\": \(Format.fixed(loadSeconds, 4)), \"median_seconds\": \(Format.fixed(median, 5)), "
        + "\"min_seconds\": \(Format.fixed(times.first!, 5)), \"max_seconds\": \(Format.fixed(times.last!, 5)), "
        + "\"attention\": \"\(runtime.attention)\", \"block_memory_mib\": \(runtime.blockMemory), "
        + "\"pass\": \"\(shallow ? "shallow" : "full")\", "
        + "\"cuda_graphs\": \(runner?.usesGraphs == true)\(memory)\(blockJSON)\(overheadJSON)}")
    } catch let e as ValidationError {
      throw e
    } catch {
      throw fail("\(error)")
    }
  }
}
