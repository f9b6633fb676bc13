import ArgumentParser
import Foundation
import I2VApp
import I2VMedia

struct DownloadCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "download",
    abstract: "Download the model from the Hugging Face Hub, each file checked against the hub's hash.",
    discussion: """
      Fetches only what the pipeline needs for one weight variant (model_index.json,
      each component's configs, the tokenizer files and the .fp16 or full-precision
      safetensors weights: about 5 GB for fp16), never PyTorch .bin files or other
      variants. Every file's SHA-256 (for configs, its git blob id) is checked
      against the hub's before it is accepted; a mismatch deletes the bytes.

      Files go into the Hugging Face cache (HF_HUB_CACHE, else HF_HOME/hub, else
      ~/.cache/huggingface/hub) in its standard layout, so diffusers and
      huggingface-cli use them too and `i2v generate` finds ali-vilab/i2vgen-xl
      there without --model; or, with --dir, into a plain folder. The hub's hashes
      are recorded beside the files: `i2v verify` then reports whether the folder
      still matches the release.

      An interrupted download (Ctrl-C, a dropped connection, a full disk) keeps
      what it fetched: run the same command again to resume. Partial files never
      carry a final name. Files already downloaded and intact are not fetched again.

      Environment: HF_ENDPOINT (a mirror), HF_TOKEN (or the token file of
      `huggingface-cli login`) for private or gated repositories, HF_HUB_OFFLINE=1
      (use only what is downloaded), HTTPS_PROXY.

      Examples:
        i2v download                                   # ali-vilab/i2vgen-xl, main, fp16
        i2v download --variant fp32                    # full precision (about 11 GB)
        i2v download --revision 0123abc… --dir ~/models/i2vgen-xl
        HF_ENDPOINT=https://hf-mirror.example i2v download
        i2v verify                                     # still the release?
      """
  )

  @Argument(help: "The repository (ORGANISATION/NAME).") var repo = ModelLocator.hubRepository
  @Option(name: .long, help: "A branch, tag or commit hash.") var revision = "main"
  @Option(name: .long, help: "Weights to fetch: fp16 (half the size; what GPUs run) or fp32.")
  var variant: Variant = .fp16
  @Option(name: .long, help: "A plain folder to download into, instead of the Hugging Face cache.") var dir: String?
  @Flag(name: .long, help: "No progress, only the result and errors.") var quiet = false

  enum Variant: String, ExpressibleByArgument, CaseIterable {
    case fp16, fp32
  }

  func run() throws {
    InterruptCleanup.installSignalHandlers()
    let progress = DownloadProgressPrinter(quiet: quiet)
    let result: ModelDownload.Result
    do {
      let request = ModelDownload.Request(repo: repo, revision: revision,
                                          variant: variant == .fp16 ? .fp16 : .fp32, folder: dir)
      result = try ModelDownload(request, progress: progress).run()
    } catch {
      throw fail("\(error)")
    }
    let what = "\(repo)@\(revision)" + (revision == result.commit ? "" : " (commit \(result.commit.prefix(12)))")
    if result.offline {
      print("offline (HF_HUB_OFFLINE): \(what) is downloaded: \(result.files) files, \(Format.bytes(Int(result.bytes)))")
    } else {
      let rate = result.seconds > 0 && result.fetched > 0
        ? ", \(Format.bytes(Int(Double(result.fetched) / result.seconds)))/s" : ""
      print("downloaded \(what): \(result.files) files, \(Format.bytes(Int(result.bytes))) (fetched "
        + "\(Format.bytes(Int(result.fetched))) in \(Format.clock(result.seconds))\(rate)), every file matches the hub's hash")
    }
    print("model: \(result.model)")
    print("hub hashes: \(result.record) (`i2v verify --model \(result.model)` compares the folder with them)")
    let located = try? ModelLocator.locate(argument: nil)
    if located?.path == result.model {
      print("i2v uses it when no --model is given")
    } else {
      print("use it with --model \(result.model)")
    }
  }
}
