import ArgumentParser
import Foundation
import I2VTensor

@main
struct I2V: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "i2v",
    abstract: "Image-to-video generation with I2VGen-XL.",
    discussion: """
      Examples:
        i2v info                                   # libtorch, threads, GPUs, FFmpeg
        i2v inspect ~/models/i2vgen-xl             # components, tensors, dtypes, sizes
        i2v inspect unet/diffusion_pytorch_model.fp16.safetensors

      Environment:
        I2V_THREADS      CPU threads for libtorch (default: all cores; --threads overrides)
        I2V_TORCH_SHIM   path of libi2vtorch.so to use instead of the one next to the binary
      """,
    version: I2VVersion.string,
    subcommands: I2VSubcommands.all
  )
}

/// Prints `error: message` on stderr and exits with status 1 — the one way commands report failures.
func fail(_ message: String) -> ExitCode {
  FileHandle.standardError.write(Data("error: \(message)\n".utf8))
  return ExitCode.failure
}
