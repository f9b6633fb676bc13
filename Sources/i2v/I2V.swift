import ArgumentParser
import Foundation
import I2VApp
import I2VTensor

@main
struct I2V: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "i2v",
    abstract: "Image-to-video generation with I2VGen-XL.",
    discussion: """
      Examples:
        i2v generate --image cat.png --prompt "a cat turning its head" -o cat.mp4
        i2v batch photos/ -o videos/ --preset preview     # prompts from photos/NAME.txt
        i2v serve                                         # a web page and HTTP API on http://127.0.0.1:7860/
        i2v download                                      # the model from the Hugging Face Hub (fp16, ~5 GB)
        i2v verify --model ~/models/i2vgen-xl --lock      # complete? unchanged since locked?
        i2v info                                          # libtorch, threads, GPUs, FFmpeg

      Model: --model DIR, else $I2V_MODEL, else ali-vilab/i2vgen-xl in the Hugging Face cache (where
      `i2v download` puts it), else the small bundled test model (random weights).

      Environment:
        I2V_THREADS      CPU threads for libtorch (default: all cores; --threads overrides)
        I2V_TORCH_SHIM   path of libi2vtorch.so to use instead of the one next to the binary
        I2V_MODEL        default model folder
        I2V_PRESET_DIR   an extra folder of preset files
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
