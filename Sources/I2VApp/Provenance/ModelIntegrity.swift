import Foundation
import I2VCheckpoint
import I2VModels
import I2VTensor

/// What `generate` and `batch` check about a model before loading it, and record in every sidecar:
/// the components fit together, their files match the lock (when one was recorded with `i2v verify --lock`),
/// and the SHA-256 of every file the run reads.
///
/// Hashes are cached across runs (`FileHashCache`), so only a model's first run reads its weights for them.
/// With a lock that first hashing must finish before loading (a mixed model is refused before it costs
/// anything); without one it runs on a background thread while the model loads and generates, and only the
/// sidecar waits for it.
public final class ModelIntegrity {
  public let lockPath: String?
  /// "matches", "none" or "differs" (only with --allow-mixed).
  public let lockStatus: String
  /// Mixing accepted with --allow-mixed (lock differences, disagreeing configs).
  public let mixing: [String]
  /// Weight variant read, per weighted component ("fp16", "default").
  public let variants: [String: String]

  private let pending = DispatchGroup()
  private var outcome: Result<[String: FileRecord], Error>?
  /// The background hashing, not started yet (`startHashing`), and its stop flag.
  private var background: (() -> Void)?
  private let stopLock = NSLock()
  private var stopRequested = false
  private var shouldStop: Bool {
    stopLock.lock()
    defer { stopLock.unlock() }
    return stopRequested
  }

  public struct Refusal: Error, CustomStringConvertible {
    public let description: String
  }

  public init(_ folder: ModelFolder, dtype: DType, allowMixed: Bool, report: ProgressSink) throws {
    let consistency = ComponentConsistency.check(folder)
    if !consistency.conflicts.isEmpty {
      throw Refusal(description: "the components of \(folder.path) do not fit together:\n  "
        + consistency.conflicts.joined(separator: "\n  ")
        + "\nRestore the original component folders (i2v verify --model \(folder.path) lists every problem).")
    }
    var variants: [String: String] = [:]
    for name in ComponentCheck.weightedComponents where folder.components.contains(where: { $0.name == name }) {
      variants[name] = ComponentFolder.variantName(try folder.component(name).weights(preferring: dtype).variant)
    }
    self.variants = variants

    let files = try folder.filesUsed(dtype: dtype, weighted: ComponentCheck.weightedComponents)
    let cache = FileHashCache()
    let toRead = cache.uncachedBytes(of: files, in: folder.path)
    let where_ = cache.path.map { " (once; cached in \($0))" }
      ?? " (every run: no usable cache folder; point XDG_CACHE_HOME at a folder)"
    var status = "none"
    var mixing: [String] = []
    lockPath = ModelLock.existingPath(forModel: folder.path)
    if let lockPath {
      if toRead > 0 { report.notice("hashing \(Format.bytes(Int(toRead))) of model files to check the lock\(where_)") }
      let hashes = try Self.hash(files, in: folder, cache: cache, bytes: toRead, report: report)
      outcome = .success(hashes)
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
    lockStatus = status
    self.mixing = mixing

    if outcome == nil {
      background = { [self] in
        if toRead > 0 {
          report.notice("hashing \(Format.bytes(Int(toRead))) of model files for provenance in the background\(where_)")
        }
        pending.enter()
        DispatchQueue.global(qos: .utility).async { [self] in
          outcome = Result { try cache.hashes(of: files, in: folder.path, isCancelled: { self.shouldStop }) }
          pending.leave()
        }
      }
    }
  }

  /// Starts the background hashing (once; `generate` starts it as loading begins, so a run that stops earlier,
  /// e.g. `--dry-run` or a refused job, reads nothing).
  public func startHashing() {
    background?()
    background = nil
  }

  /// Stops background hashing and waits for its thread: a process must not exit while it reads (libcrypto's
  /// exit-time clean-up would pull state from under it).
  public func stop() {
    stopLock.lock()
    stopRequested = true
    stopLock.unlock()
    pending.wait()
  }

  deinit { stop() }

  /// The hashes for a sidecar: model_index.json's, and each component's files (waits for background hashing).
  public func record() throws -> (index: FileRecord, components: [String: Provenance.ComponentRecord]) {
    startHashing()
    pending.wait()
    let hashes = try outcome!.get()
    var components: [String: Provenance.ComponentRecord] = [:]
    for (file, record) in hashes where file.contains("/") {
      let name = String(file.split(separator: "/")[0])
      components[name, default: Provenance.ComponentRecord(variant: variants[name], files: [:])]
        .files[String(file.dropFirst(name.count + 1))] = record
    }
    return (hashes["model_index.json"] ?? FileRecord(sha256: "", bytes: 0), components)
  }

  /// Hashes in the foreground, with a progress bar counting MiB (ending exactly once, after the last file).
  private static func hash(_ files: [String], in folder: ModelFolder, cache: FileHashCache, bytes: Int64,
                           report: ProgressSink) throws -> [String: FileRecord]
  {
    let totalMB = Int((bytes + (1 << 20) - 1) >> 20)
    if totalMB > 0 { report.begin("hashing MB") }
    let hashes = try cache.hashes(of: files, in: folder.path, progress: { done in
      report.update(min(totalMB - 1, Int(done >> 20)), of: totalMB)
    })
    if totalMB > 0 { report.update(totalMB, of: totalMB) }
    return hashes
  }
}
