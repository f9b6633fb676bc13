import Foundation
import I2VCheckpoint
import I2VModels
import I2VTensor

/// What `generate` and `batch` check about a model before loading it, and record in every sidecar:
/// the components fit together, their files match the lock (when one was recorded with `i2v verify --lock`),
/// and the SHA-256 of every file the run reads (cached, so only the first run reads the weights twice).
struct ModelIntegrity {
  var index: FileRecord
  var components: [String: Provenance.ComponentRecord]
  var lockPath: String?
  /// "matches", "none" or "differs" (only with --allow-mixed).
  var lockStatus: String
  /// Mixing accepted with --allow-mixed (lock differences, disagreeing configs).
  var mixing: [String]

  struct Refusal: Error, CustomStringConvertible {
    let description: String
  }

  static func check(_ folder: ModelFolder, dtype: DType, allowMixed: Bool, report: ProgressReporter) throws
    -> ModelIntegrity
  {
    let consistency = ComponentConsistency.check(folder)
    if !consistency.conflicts.isEmpty {
      throw Refusal(description: "the components of \(folder.path) do not fit together:\n  "
        + consistency.conflicts.joined(separator: "\n  ")
        + "\nRestore the original component folders (i2v verify --model \(folder.path) lists every problem).")
    }

    let files = try folder.filesUsed(dtype: dtype, weighted: ComponentCheck.weightedComponents)
    let cache = FileHashCache()
    var totalMB = 0  // the bar counts MiB; it ends exactly once, after the last file
    let hashes = try cache.hashes(of: files, in: folder.path, willRead: { bytes in
      guard bytes > 0 else { return }
      totalMB = Int((bytes + (1 << 20) - 1) >> 20)
      report.notice("hashing \(Format.bytes(Int(bytes))) of model files for provenance (once; cached in "
        + "\(cache.path ?? "memory"))")
      report.begin("hashing MB")
    }, progress: { done in report.update(min(totalMB - 1, Int(done >> 20)), of: totalMB) })
    if totalMB > 0 { report.update(totalMB, of: totalMB) }

    var status = "none"
    var mixing: [String] = []
    let lockPath = ModelLock.existingPath(forModel: folder.path)
    if let lockPath {
      let diff = try ModelLock.load(lockPath).compare(hashes, onlyThese: Set(files))
      if diff.isEmpty {
        status = "matches"
      } else if allowMixed {
        status = "differs"
        mixing += diff.lines.map { "differs from the lock: \($0)" }
      } else {
        throw Refusal(description: "the model's files differ from its lock (\(lockPath)):\n  "
          + diff.lines.joined(separator: "\n  ")
          + "\nA component was probably replaced by one from another checkpoint. Restore the original files; "
          + "if the change is intended, record it with `i2v verify --model \(folder.path) --update-lock`; "
          + "or run anyway with --allow-mixed.")
      }
    }
    // A matching lock means the user already accepted this exact set of files (verify refuses to lock a
    // mixed-looking model without --allow-mixed), so disagreeing configs are not asked about again.
    if status != "matches" && !consistency.mixingSigns.isEmpty {
      guard allowMixed else {
        throw Refusal(description: "the components of \(folder.path) look like they come from different releases:\n  "
          + consistency.mixingSigns.joined(separator: "\n  ")
          + "\nRestore the original files, or run with --allow-mixed if you combined them on purpose "
          + "(then `i2v verify --model \(folder.path) --lock --allow-mixed` records this set).")
      }
      mixing += consistency.mixingSigns
    }
    for line in mixing { report.notice("warning: mixed model (--allow-mixed): \(line)") }

    var components: [String: Provenance.ComponentRecord] = [:]
    for (file, record) in hashes where file.contains("/") {
      let name = String(file.split(separator: "/")[0])
      components[name, default: Provenance.ComponentRecord(variant: nil, files: [:])]
        .files[String(file.dropFirst(name.count + 1))] = record
    }
    for name in ComponentCheck.weightedComponents where components[name] != nil {
      components[name]?.variant = ComponentFolder.variantName(try folder.component(name).weights(preferring: dtype).variant)
    }
    return ModelIntegrity(index: hashes["model_index.json"] ?? FileRecord(sha256: "", bytes: 0), components: components,
                          lockPath: lockPath, lockStatus: status, mixing: mixing)
  }
}
