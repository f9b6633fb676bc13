import ArgumentParser
import Foundation
import I2VApp
import I2VMedia
import I2VTensor

struct InfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Show the libtorch build, threads, GPUs and media libraries i2v runs on.",
    discussion: """
      Examples:
        i2v info
        i2v info --threads 4
        I2V_TORCH_SHIM=/opt/cuda-shim/libi2vtorch.so i2v info
      """
  )

  @OptionGroup var runtime: RuntimeOptions

  func run() throws {
    do {
      try runtime.apply()
      var lines: [(String, String)] = []
      lines.append(("i2v", I2VVersion.string))
      lines.append(("libtorch", "\(try Runtime.torchVersion())  (shim: \(Shim.loadedFrom))"))
      let cores = ProcessInfo.processInfo.activeProcessorCount
      lines.append(("threads", "\(try Runtime.threads()) of \(cores) cores (--threads N or I2V_THREADS to change)"))
      lines.append(("attention", try Runtime.attentionBackend() + "  (--attention \(runtime.attention))"))
      let gpus = try Runtime.gpus()
      switch try Runtime.cudaState() {
      case .unavailable: lines.append(("CUDA", "not available (this libtorch is a CPU build)"))
      case .failed(let reason): lines.append(("CUDA", "FAILED to start: \(reason)"))
      case .ready: lines.append(("CUDA", "available, \(gpus.count) device(s)"))
      }
      for g in gpus {
        let gib = Double(g.memoryBytes) / 1_073_741_824
        var text = g.memoryBytes > 0 ? "\(g.name), \(Format.fixed(gib, 1)) GiB" : g.name
        if let (free, _) = try? Runtime.cudaMemoryInfo(g.index) {
          text += " (\(Format.fixed(Double(free) / 1_073_741_824, 1)) GiB free)"
        }
        lines.append(("  cuda:\(g.index)", text))
      }
      for (name, version) in MediaLibraries.versions() { lines.append((name, version)) }
      lines.append(("OpenCV", MotionAnalyzer.openCVVersion.map { "\($0)  (optical flow of i2v analyze)" }
        ?? "not in this build (i2v analyze needs it)"))
      let width = lines.map(\.0.count).max() ?? 0
      for (k, v) in lines { print(k.padding(toLength: width + 2, withPad: " ", startingAt: 0) + v) }
    } catch let e as TorchError {
      throw fail(e.message)
    }
  }
}
