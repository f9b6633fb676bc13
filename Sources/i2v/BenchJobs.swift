import ArgumentParser
import Foundation
import I2VApp
import I2VModels
import I2VTensor

/// `i2v bench --jobs`: whole jobs per scheduler and cache setting (`JobBenchmark`), printed as JSON on stdout
/// and as a table on stderr.
extension BenchCommand {
  struct JobsJSON: Encodable {
    var mode = "jobs"
    var model: String
    var device: String
    var dtype: String
    var threads: Int
    var width: Int
    var height: Int
    var frames: Int
    var guidance: Double
    var rounds: Int
    var cudaGraphs: Bool
    var baseline: String
    var jobs: [JobBenchmark.Result]

    enum CodingKeys: String, CodingKey {
      case mode, model, device, dtype, threads, width, height, frames, guidance, rounds
      case cudaGraphs = "cuda_graphs", baseline, jobs
    }
  }

  /// The jobs the options name (also checked by `validate`, so bad lists exit 64 before anything loads).
  func jobList() throws -> [JobBenchmark.Job] {
    do {
      return JobBenchmark.jobs(schedulers: try JobBenchmark.schedulers(schedulers, steps: steps),
                               caches: try JobBenchmark.caches(caches))
    } catch let e as SettingsError {
      throw ValidationError(e.message)
    }
  }

  func runJobs(device: Device, dtype: DType) throws {
    let list = try jobList()
    let rounds = runs ?? 1
    let graphs = cudaGraphs && device.kind == .cuda && CUDAGraph.isSupported
    let template = GenerationRequest(image: JobBenchmark.syntheticImage(width: width, height: height),
                                     prompt: "a boat drifting on a lake at dawn", width: width, height: height,
                                     frames: frames, guidanceScale: guidance, conditioningFPS: 8, seed: 42)
    let folder = try PipelineDescriptor(modelPath: model).check()
    do { try JobBenchmark.check(list, template: template, model: folder) } catch let e as SettingsError {
      throw ValidationError(e.message)
    }
    let pipeline = try I2VGenXLPipeline(PipelineDescriptor(modelPath: model, dtype: dtype, device: device,
                                                           cudaGraphs: graphs), checked: folder)
    let err = FileHandle.standardError
    let results = try JobBenchmark.run(pipeline, template: template, jobs: list, rounds: rounds) {
      err.write(Data("bench: \($0)\n".utf8))
    }
    let base = results.first { $0.scheduler == "ddim" && $0.cache == "off" } ?? results[0]
    var table = "scheduler  steps  cache    UNet (whole+shallow)  seconds  denoise  speed-up  PSNR vs uncached\n"
    for r in results {
      let e = r.unetEvaluations
      let psnr = r.psnrVsUncached.map { Format.fixed($0, 1) + " dB" } ?? "-"
      table += [r.scheduler.padding(toLength: 9, withPad: " ", startingAt: 0), pad("\(r.steps)", 6),
                r.cache.padding(toLength: 7, withPad: " ", startingAt: 0), pad("\(e.full)+\(e.shallow)", 20),
                pad(Format.fixed(r.seconds, 2), 8), pad(Format.fixed(r.denoiseSeconds, 2), 8),
                pad(Format.fixed(r.speedup, 2) + "x", 9), "  " + psnr].joined(separator: "  ") + "\n"
    }
    err.write(Data(table.utf8))
    JSONOutput.print(JobsJSON(model: model, device: "\(device)", dtype: "\(dtype)", threads: try Runtime.threads(),
                              width: width, height: height, frames: frames, guidance: guidance, rounds: rounds,
                              cudaGraphs: graphs,
                              baseline: "\(base.scheduler) \(base.steps) steps, cache \(base.cache)", jobs: results))
  }

  private func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
}
