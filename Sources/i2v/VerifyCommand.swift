import ArgumentParser
import Foundation
import I2VApp
import I2VCheckpoint
import I2VModels
import I2VTensor

struct VerifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Check that a model folder is complete, consistent and unchanged since it was locked.",
    discussion: """
      Checks, without loading the weights into memory:
        - every component the pipeline needs is there and its config parses;
        - every weight file is valid and binds to its config.json (tensor names
          and shapes), for each variant present (.fp16, full precision), and
          the variants hold the same tensors;
        - the components fit together (encoder widths = the UNet's
          cross-attention width, VAE latent channels = UNet channels,
          preprocessor crop = image encoder size, tokenizer ids < vocab size);
        - their configs agree on their release (_diffusers_version,
          transformers_version, _name_or_path); a disagreement means a
          component was probably copied in from another checkpoint
          (--allow-mixed accepts it);
        - with a lock, every file's SHA-256 still matches it;
        - for a folder fetched with `i2v download`, every file still has the
          hub's hash ("matches the release ORG/NAME@REV"), else each file that
          differs, is missing or is not part of the release is named.

      --lock records the SHA-256 of every file i2v reads (configs, tokenizer,
      all weight variants) in DIR/i2v.lock.json (~/.cache/i2v/locks/ when DIR
      is read-only); later runs report any component that changed since, and
      `generate` and `batch` refuse such a model unless --allow-mixed. After an
      intended change, --update-lock records the new files. Hashing reads every
      file afresh (disk-bound: about a minute for a 14 GB model on a fast
      disk) and refreshes the cache that generate's provenance sidecars use.

      Exit status: 0 when everything checks out, 1 otherwise.

      Examples:
        i2v verify --model ~/models/i2vgen-xl
        i2v verify --model ~/models/i2vgen-xl --lock         # record once
        i2v verify --model ~/models/i2vgen-xl                # what changed?
        i2v verify --model ~/models/i2vgen-xl --update-lock  # accept a change
        i2v verify --model ~/models/i2vgen-xl --json
      """
  )

  @Option(name: .long, help: "The model folder (default: the one `generate` would use).")
  var model: String?
  @Flag(name: .long, help: "Record the files' hashes in a lock file if there is none yet (else compare).")
  var lock = false
  @Flag(name: .long, help: "Re-record the lock after an intended change (when all else checks out).")
  var updateLock = false
  @Flag(name: .long, help: "Accept configs that disagree on their release (warnings, not failures).")
  var allowMixed = false
  @Flag(name: .long, help: "Print the result as one JSON object on stdout.") var json = false
  @OptionGroup var runtime: RuntimeOptions

  struct JSONResult: Encodable {
    var model: String
    var ok: Bool
    var checks: [ModelVerifier.Check]
    var tensors: [String: [String: Int]]
    var lock: ModelVerifier.LockReport
    var release: ModelVerifier.ReleaseReport?
    var files: [String: FileRecord]?
  }

  func run() throws {
    let report = ProgressReporter(forced: nil, quiet: false)
    let verifier: ModelVerifier
    do {
      try runtime.apply()  // binding checks build the modules (on no memory), which needs libtorch
      let found = try ModelLocator.locate(argument: model)
      let folder = try ModelFolder(path: found.path)
      var v = ModelVerifier(folder: folder, allowMixed: allowMixed, report: report)
      if !json { print("model \(folder.path)") }
      v.checkStructure()
      try v.checkLock(record: lock, update: updateLock)
      try v.checkRelease()
      verifier = v
    } catch let e as ExitCode {
      throw e
    } catch {
      if json { JSONOutput.print(JSONOutput.Failure(error: "\(error)")) }
      throw fail("\(error)")
    }
    if json {
      JSONOutput.print(JSONResult(model: verifier.folder.path, ok: verifier.problems.isEmpty, checks: verifier.checks,
                                  tensors: verifier.tensors, lock: verifier.lock, release: verifier.release,
                                  files: verifier.hashes))
    } else {
      for c in verifier.checks {
        let tag = c.status == .ok ? "ok  " : c.status == .fail ? "FAIL" : c.status == .warning ? "warn" : "    "
        print("  \(tag)  \(c.name): \(c.detail)")
      }
      let n = verifier.problems.count
      print(n == 0 ? "verified: no problems" : "\(n) problem\(n == 1 ? "" : "s") found")
    }
    if !verifier.problems.isEmpty { throw ExitCode.failure }
  }
}
