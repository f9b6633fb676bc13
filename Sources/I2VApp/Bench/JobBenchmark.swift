import Foundation
import I2VCheckpoint
import I2VImage
import I2VModels
import I2VTensor

/// `i2v bench --jobs`: whole generation jobs (encode, denoise, decode) on one loaded pipeline, one per scheduler
/// and cache setting, measured side by side in one process: UNet evaluations per job, seconds per job, the
/// speed-up against the baseline job (ddim with the cache off), and how far each cached job's frames are from the
/// same scheduler's uncached ones (PSNR). Jobs are interleaved round by round, every other round in reverse order,
/// so a machine whose load changes during the run (steadily, or for a while) slows every job about alike.
public enum JobBenchmark {
  /// One job: a scheduler at a number of steps, with a cache setting.
  public struct Job: Hashable, Sendable, CustomStringConvertible {
    public var scheduler: SchedulerKind
    public var steps: Int
    public var cache: FeatureCache

    public init(scheduler: SchedulerKind, steps: Int, cache: FeatureCache) {
      self.scheduler = scheduler
      self.steps = steps
      self.cache = cache
    }

    public var description: String { "\(scheduler.rawValue) \(steps) steps, cache \(cache)" }
    var uncached: Job { Job(scheduler: scheduler, steps: steps, cache: .off) }
  }

  public struct Result: Codable, Sendable {
    public var scheduler: String
    public var steps: Int
    public var cache: String
    /// UNet calls of the job (with guidance each evaluates both halves as one batch).
    public var unetEvaluations: UNetEvaluations
    /// Median over the rounds: the whole job, and its denoising stage.
    public var seconds: Double
    public var denoiseSeconds: Double
    /// Baseline seconds / these seconds (above 1: faster than the baseline).
    public var speedup: Double
    /// PSNR (dB, 8-bit frames) against the same scheduler and steps without the cache; nil for uncached jobs or
    /// when that job was not run.
    public var psnrVsUncached: Double?

    enum CodingKeys: String, CodingKey {
      case scheduler, steps, cache, unetEvaluations = "unet_evaluations", seconds
      case denoiseSeconds = "denoise_seconds", speedup, psnrVsUncached = "psnr_vs_uncached_db"
    }
  }

  /// Parses `ddim,dpm++2m:25`: scheduler names, each with an optional `:STEPS` (else `steps`).
  public static func schedulers(_ text: String, steps: Int) throws -> [(SchedulerKind, Int)] {
    try text.split(separator: ",").map { item in
      let parts = item.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      guard let kind = SchedulerKind(rawValue: parts[0].lowercased()) else {
        throw SettingsError("--schedulers: '\(parts[0])' is not a scheduler (\(SchedulerKind.names))")
      }
      guard parts.count == 1 || (Int(parts[1]).map { $0 >= 1 } ?? false) else {
        throw SettingsError("--schedulers: '\(item)': the steps after ':' must be a whole number of at least 1")
      }
      return (kind, parts.count == 2 ? Int(parts[1])! : steps)
    }
  }

  /// Parses `off,deep:2,deep:3`.
  public static func caches(_ text: String) throws -> [FeatureCache] {
    try text.split(separator: ",").map { item in
      do { return try FeatureCache.parse(String(item)) } catch {
        throw SettingsError("--caches: '\(item)': \(error)")
      }
    }
  }

  /// Every scheduler with every cache setting, uncached first (the baseline and the PSNR references).
  public static func jobs(schedulers: [(SchedulerKind, Int)], caches: [FeatureCache]) -> [Job] {
    var out: [Job] = []
    let ordered = caches.contains(.off) ? [.off] + caches.filter { $0 != .off } : caches
    for (s, n) in schedulers { for c in ordered { out.append(Job(scheduler: s, steps: n, cache: c)) } }
    var seen = Set<Job>()
    return out.filter { seen.insert($0).inserted }
  }

  /// A smooth gradient picture as the input (any image works; the jobs only need the same one).
  public static func syntheticImage(width: Int, height: Int) -> RGBImage {
    var pixels: [UInt8] = []
    pixels.reserveCapacity(width * height * 3)
    for y in 0..<height {
      for x in 0..<width {
        pixels += [UInt8(x * 255 / max(1, width - 1)), UInt8(y * 255 / max(1, height - 1)), UInt8((x + y) % 256)]
      }
    }
    return RGBImage(unchecked: width, height, pixels)
  }

  static func request(_ job: Job, _ template: GenerationRequest) -> GenerationRequest {
    var r = template
    r.scheduler = job.scheduler
    r.steps = job.steps
    r.featureCache = job.cache
    return r
  }

  /// Refuses, before anything loads, a job that cannot run with this model (a scheduler its config rules out, a
  /// size its VAE cannot take).
  public static func check(_ jobs: [Job], template: GenerationRequest, model: ModelFolder) throws {
    let config = try model.component("scheduler").config()
    let scale = try GenerationSession.latentScale(model)
    for job in jobs {
      do { _ = try job.scheduler.sampler(config: config, steps: job.steps) } catch let e as TorchError {
        throw SettingsError("--schedulers \(job.scheduler.rawValue): \(e.message)")
      }
      do { try request(job, template).validate(latentScale: scale) } catch let e as PipelineError {
        throw SettingsError("\(e)")
      }
    }
  }

  /// Runs `jobs` on `pipeline`, each `rounds` times (interleaved; even rounds in reverse order), after one
  /// unreported 1-step warm-up job.
  /// `template` gives everything but scheduler, steps and cache (`check` them first). `progress` is called before
  /// each run.
  public static func run(_ pipeline: I2VGenXLPipeline, template: GenerationRequest, jobs: [Job], rounds: Int,
                         progress: (String) -> Void = { _ in }) throws -> [Result]
  {
    var warm = template
    warm.steps = 1
    progress("warm-up")
    _ = try pipeline.generate(warm)
    var seconds: [Job: [Double]] = [:], denoise: [Job: [Double]] = [:]
    var outputs: [Job: GenerationOutput] = [:]
    for round in 1...max(1, rounds) {
      for job in round % 2 == 1 ? jobs : jobs.reversed() {
        progress("round \(round) of \(rounds): \(job)")
        let started = Date()
        let out = try pipeline.generate(request(job, template))  // each stage ends when the device has finished it
        seconds[job, default: []].append(Date().timeIntervalSince(started))
        denoise[job, default: []].append(out.timings.first { $0.stage == "denoise" }?.seconds ?? 0)
        outputs[job] = out
      }
    }
    func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
    let base = jobs.first { $0.scheduler == .ddim && $0.cache == .off } ?? jobs[0]
    let baseSeconds = median(seconds[base]!)
    return try jobs.map { job in
      let out = outputs[job]!
      var psnr: Double? = nil
      if job.cache != .off, let reference = outputs[job.uncached] {
        let p = try out.psnr(against: reference)
        psnr = p.isFinite ? p : nil
      }
      let s = median(seconds[job]!)
      return Result(scheduler: job.scheduler.rawValue, steps: job.steps, cache: job.cache.description,
                    unetEvaluations: out.unetEvaluations, seconds: s, denoiseSeconds: median(denoise[job]!),
                    speedup: baseSeconds / s, psnrVsUncached: psnr)
    }
  }
}
