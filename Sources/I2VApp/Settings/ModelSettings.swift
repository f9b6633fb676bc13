import Foundation
import I2VModels
import I2VTensor

/// libtorch settings of the process (threads, attention kernels, transformer-block memory).
public struct RuntimeSettings: Sendable, Equatable {
  public var threads: Int?
  public var attention = "auto"
  /// MiB; 0 = never slice.
  public var blockMemoryMiB = 1024
  /// Convolutions in channels-last layout.
  public var channelsLast = false

  public init() {}

  public func validate() throws {
    if let t = threads, t < 1 { throw SettingsError("--threads must be at least 1 (got \(t))") }
    // Thousands of threads take minutes to start and only slow libtorch down: far beyond the cores is a typo.
    let most = max(64, 8 * ProcessInfo.processInfo.activeProcessorCount)
    if let t = threads, t > most {
      throw SettingsError("--threads \(t) is far more than the \(ProcessInfo.processInfo.activeProcessorCount) cores "
        + "(at most \(most)); leave it out to use every core")
    }
    if let v = ProcessInfo.processInfo.environment["I2V_THREADS"], !v.isEmpty, (Int(v) ?? 0) < 1 {
      throw SettingsError("I2V_THREADS must be a whole number of at least 1 (got '\(v)'); unset it for all cores")
    }
    if Runtime.AttentionKernels(rawValue: attention) == nil {
      throw SettingsError("--attention must be auto, flash, efficient, cudnn or math (got '\(attention)')")
    }
    if blockMemoryMiB < 0 { throw SettingsError("--block-memory must be 0 or more MiB (got \(blockMemoryMiB))") }
  }

  /// Settings that work but cost: more libtorch threads than cores makes every operation wait on the others.
  public var warnings: [String] {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let n = threads ?? Runtime.defaultThreads
    return n > cores ? ["\(n) threads on \(cores) cores: libtorch will run slower, not faster (--threads \(cores))"] : []
  }

  /// The memory-efficient and cuDNN attention kernels exist on CUDA only; say so before any weights load.
  public func check(device: Device) throws {
    if device.kind != .cuda && (attention == "efficient" || attention == "cudnn") {
      throw SettingsError("--attention \(attention) runs on CUDA GPUs only; on the CPU use auto, flash or math")
    }
  }

  /// Loads the shim and sets the thread count deliberately: libtorch may default to 1 thread.
  public func apply() throws {
    try Runtime.setThreads(threads ?? Runtime.defaultThreads)
    try Runtime.setAttentionKernels(Runtime.AttentionKernels(rawValue: attention) ?? .auto)
    ActivationBudget.blockBytes = blockMemoryMiB << 20
    try Runtime.setChannelsLast(channelsLast)
  }
}

/// Which model to run, where, in which precision and how (loaded once per process).
public struct ModelSettings: Sendable, Equatable {
  public var model: String?
  public var device = "auto"
  public var dtype = "auto"
  public var allowMixed = false
  public var offload: OffloadMode = .none
  public var memoryCheck = true
  public var cudaGraphs = false
  public var runtime = RuntimeSettings()

  public init() {}

  public func validate() throws {
    if Device(parsing: device) == nil && device != "auto" {
      throw SettingsError("--device must be auto, cpu, cuda or cuda:N (got '\(device)')")
    }
    if dtype != "auto" && !(DType(name: dtype).map { [.float32, .float16, .bfloat16].contains($0) } ?? false) {
      throw SettingsError("--dtype must be auto, float32, float16 or bfloat16 (got '\(dtype)')")
    }
    try runtime.validate()
  }
}
