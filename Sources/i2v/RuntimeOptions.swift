import ArgumentParser
import I2VModels
import I2VTensor

/// Options shared by every command that runs libtorch.
struct RuntimeOptions: ParsableArguments {
  @Option(name: .long, help: "CPU threads for libtorch (default: all cores, or $I2V_THREADS).")
  var threads: Int?

  @Option(name: .long, help: ArgumentHelp(
    "Attention kernels: auto (libtorch picks among flash, memory-efficient, cuDNN and math), or force one.",
    valueName: "auto|flash|efficient|cudnn|math"))
  var attention = "auto"

  @Option(name: .long, help: ArgumentHelp(
    "Most activation memory one transformer block holds at once; larger inputs run in slices (0: never slice).",
    valueName: "MiB"))
  var blockMemory = 1024

  func validate() throws {
    if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1 (got \(t))") }
    if Runtime.AttentionKernels(rawValue: attention) == nil {
      throw ValidationError("--attention must be auto, flash, efficient, cudnn or math (got '\(attention)')")
    }
    if blockMemory < 0 { throw ValidationError("--block-memory must be 0 or more MiB (got \(blockMemory))") }
  }

  /// The memory-efficient and cuDNN attention kernels exist on CUDA only; say so before any weights load.
  func check(device: Device) throws {
    if device.kind != .cuda && (attention == "efficient" || attention == "cudnn") {
      throw ValidationError("--attention \(attention) runs on CUDA GPUs only; on the CPU use auto, flash or math")
    }
  }

  /// Loads the shim and sets the thread count deliberately: libtorch may default to 1 thread.
  func apply() throws {
    try Runtime.setThreads(threads ?? Runtime.defaultThreads)
    try Runtime.setAttentionKernels(Runtime.AttentionKernels(rawValue: attention) ?? .auto)
    ActivationBudget.blockBytes = blockMemory << 20
  }
}
