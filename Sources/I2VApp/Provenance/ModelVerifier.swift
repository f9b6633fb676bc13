import Foundation
import I2VCheckpoint
import I2VModels
import I2VTensor

/// The checks of `i2v verify`, as a list of results (printed as lines, or as JSON).
public struct ModelVerifier {
  public struct Check: Encodable {
    public enum Status: String, Encodable { case ok, warning, fail, info }
    public var name: String
    public var status: Status
    public var detail: String
  }

  public struct LockReport: Encodable {
    /// none, created, matches, differs, updated, not_written
    public var status: String
    public var path: String?
    public var differences: [String] = []
  }

  public let folder: ModelFolder
  public let allowMixed: Bool
  public let report: ProgressSink
  public private(set) var checks: [Check] = []
  /// Variant name → tensor count, per weighted component.
  public private(set) var tensors: [String: [String: Int]] = [:]
  public private(set) var hashes: [String: FileRecord]?
  public private(set) var lock = LockReport(status: "none")
  /// The comparison with the hub's hashes of the release the folder was downloaded from (`checkRelease`).
  public internal(set) var release: ReleaseReport?

  public init(folder: ModelFolder, allowMixed: Bool, report: ProgressSink) {
    self.folder = folder
    self.allowMixed = allowMixed
    self.report = report
  }

  public var problems: [Check] { checks.filter { $0.status == .fail } }

  mutating func add(_ name: String, _ status: Check.Status, _ detail: String) {
    checks.append(Check(name: name, status: status, detail: detail))
  }

  /// Runs every check that needs no hashing: layout, configs, weights against configs, variants, fit.
  public mutating func checkStructure() {
    let listed = Set(folder.components.map(\.name))
    let cls = folder.pipelineClass ?? "(none)"
    add("model_index.json", cls == "I2VGenXLPipeline" ? .ok : .fail,
        cls == "I2VGenXLPipeline" ? "I2VGenXLPipeline, \(listed.count) components"
          : "_class_name is \(cls); i2v runs I2VGenXLPipeline folders")
    for name in PipelineDescriptor.requiredComponents {
      guard listed.contains(name) else {
        add(name, .fail, "not listed in model_index.json (the pipeline needs it)")
        continue
      }
      do {
        let component = try folder.component(name)
        let url = URL(fileURLWithPath: component.path)
        switch name {
        case "tokenizer": add(name, .ok, "\(try CLIPTokenizer(directory: url).vocabulary.count) tokens in vocab.json")
        case "feature_extractor":
          _ = try CLIPImagePreprocessor(featureExtractorDirectory: url)
          add(name, .ok, "preprocessor_config.json parses")
        case "scheduler":
          _ = try DDIMScheduler(config: component.config())
          add(name, .ok, "scheduler_config.json parses")
        default: checkWeights(name, component)
        }
      } catch {
        add(name, .fail, "\(error)")
      }
    }
    let fit = ComponentConsistency.check(folder)
    for c in fit.conflicts { add("components", .fail, c) }
    for m in fit.mixingSigns {
      add("release", allowMixed ? .warning : .fail, m + (allowMixed ? " (allowed by --allow-mixed)" : ""))
    }
    if fit.isClean { add("components", .ok, "sizes fit together; configs agree on their release") }
  }

  /// Every weight variant binds strictly to the config (keys and shapes), and the variants hold the same tensors.
  private mutating func checkWeights(_ name: String, _ component: ComponentFolder) {
    let variants = component.variantsPresent
    guard !variants.isEmpty else {
      do { _ = try component.weights(preferring: .float32) } catch { add(name, .fail, "\(error)") }
      return
    }
    var opened: [(String, WeightFiles)] = []
    for v in variants {
      let label = ComponentFolder.variantName(v)
      do {
        let dtype = ComponentFolder.dtype(forVariant: v)
        let count = try ComponentCheck.bind(name, in: folder, dtype: dtype)
        tensors[name, default: [:]][label] = count
        opened.append((label, try component.weights(preferring: dtype)))
      } catch {
        add(name, .fail, "\(label) weights: \(error)")
      }
    }
    guard opened.count == variants.count else { return }
    var detail = opened.map { "\($0.0) (\(tensors[name]?[$0.0] ?? 0) tensors)" }.joined(separator: ", ")
      + " bind to config.json"
    if opened.count > 1 {
      let (refName, ref) = opened[0]
      for (otherName, other) in opened.dropFirst() {
        if let difference = Self.keyDifference(ref, other) {
          add(name, .fail, "the \(refName) and \(otherName) weights hold different tensors: \(difference)")
          return
        }
      }
      detail += "; the variants hold the same tensors"
    }
    add(name, .ok, detail)
  }

  /// nil when both hold the same names with the same shapes; else the first differences.
  public static func keyDifference(_ a: WeightFiles, _ b: WeightFiles) -> String? {
    let an = Set(a.names), bn = Set(b.names)
    var parts: [String] = []
    let onlyA = an.subtracting(bn).sorted(), onlyB = bn.subtracting(an).sorted()
    func some(_ names: [String]) -> String {
      names.prefix(3).joined(separator: ", ") + (names.count > 3 ? " (+\(names.count - 3))" : "")
    }
    if !onlyA.isEmpty { parts.append("only in the first: " + some(onlyA)) }
    if !onlyB.isEmpty { parts.append("only in the second: " + some(onlyB)) }
    for n in an.intersection(bn).sorted() {
      let sa = a.entry(n)!.entry.shape, sb = b.entry(n)!.entry.shape
      if sa != sb {
        parts.append("'\(n)' is \(sa) vs \(sb)")
        break
      }
    }
    return parts.isEmpty ? nil : parts.joined(separator: "; ")
  }

  /// Hashes every file (read afresh: verify is for catching corruption) and compares with, records or
  /// re-records the lock.
  public mutating func checkLock(record: Bool, update: Bool) throws {
    let existing = ModelLock.existingPath(forModel: folder.path)
    guard existing != nil || record || update else {
      lock = LockReport(status: "none", path: nil)
      add("lock", .info, "none recorded; `i2v verify --lock` records this folder's files so later runs notice a "
        + "replaced component")
      return
    }
    let files = folder.readableFiles()
    let cache = FileHashCache()
    var totalMB = 0
    let current = try cache.hashes(of: files, in: folder.path, trustCache: false, willRead: { bytes in
      totalMB = Int((bytes + (1 << 20) - 1) >> 20)
      report.begin("hashing MB")
    }, progress: { done in report.update(min(totalMB - 1, Int(done >> 20)), of: totalMB) })
    if totalMB > 0 { report.update(totalMB, of: totalMB) }
    hashes = current

    if let existing, !update {
      let diff = try ModelLock.load(existing).compare(current)
      lock = LockReport(status: diff.isEmpty ? "matches" : "differs", path: existing, differences: diff.lines)
      if diff.isEmpty {
        add("lock", .ok, "\(files.count) files match \(existing)")
      } else {
        for line in diff.lines { add("lock", .fail, line) }
        add("lock", .info, "the files differ from \(existing): restore them, or if the change is intended run "
          + "`i2v verify --model \(folder.path) --update-lock`")
      }
      return
    }
    let target = existing ?? ModelLock.newPath(forModel: folder.path)
    guard problems.isEmpty, let target else {
      lock = LockReport(status: "not_written", path: target)
      add("lock", .fail, target == nil ? "no writable place for the lock (the folder is read-only and there is no "
        + "cache folder; set XDG_CACHE_HOME)" : "not written: fix the problems above first")
      return
    }
    try ModelLock(modelPath: URL(fileURLWithPath: folder.path).standardizedFileURL.path, files: current,
                  tool: "i2v \(I2VVersion.string)").write(to: target)
    lock = LockReport(status: existing == nil ? "created" : "updated", path: target)
    add("lock", .ok, "\(existing == nil ? "recorded" : "re-recorded") \(files.count) files in \(target)")
  }
}
