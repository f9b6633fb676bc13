import ArgumentParser
import I2VTensor

/// Options shared by every command that runs libtorch.
struct RuntimeOptions: ParsableArguments {
  @Option(name: .long, help: "CPU threads for libtorch (default: all cores, or $I2V_THREADS).")
  var threads: Int?

  func validate() throws {
    if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1 (got \(t))") }
  }

  /// Loads the shim and sets the thread count deliberately: libtorch may default to 1 thread.
  func apply() throws {
    try Runtime.setThreads(threads ?? Runtime.defaultThreads)
  }
}
