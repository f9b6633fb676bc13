import ArgumentParser
import Foundation
import I2VApp
import I2VModels
import I2VTensor

/// Options shared by every command that runs libtorch.
struct RuntimeOptions: ParsableArguments {
  @Option(name: .long, parsing: .unconditional, help: "CPU threads for libtorch (default: all cores, or $I2V_THREADS).")
  var threads: Int?

  @Option(name: .long, help: ArgumentHelp(
    "Attention kernels: auto (libtorch picks among flash, memory-efficient, cuDNN and math), or force one.",
    valueName: "auto|flash|efficient|cudnn|math"))
  var attention = "auto"

  @Option(name: .long, help: ArgumentHelp(
    "Most activation memory one transformer block holds at once; larger inputs run in slices (0: never slice).",
    valueName: "MiB"))
  var blockMemory = 1024

  @Flag(name: .long, help: "Run convolutions in channels-last layout (faster with cuDNN for some shapes; measure).")
  var channelsLast = false

  var settings: RuntimeSettings {
    var r = RuntimeSettings()
    r.threads = threads
    r.attention = attention
    r.blockMemoryMiB = blockMemory
    r.channelsLast = channelsLast
    return r
  }

  func validate() throws {
    do { try settings.validate() } catch let e as SettingsError { throw ValidationError(e.message) }
  }

  func check(device: Device) throws {
    do { try settings.check(device: device) } catch let e as SettingsError { throw ValidationError(e.message) }
  }

  /// Loads the shim and sets the thread count deliberately: libtorch may default to 1 thread.
  func apply() throws {
    for w in settings.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
    try settings.apply()
  }
}
