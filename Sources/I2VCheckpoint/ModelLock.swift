import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A record of a model folder's files and their SHA-256, made once by `i2v verify --lock`, so later runs can
/// tell whether any component was replaced (e.g. a VAE from another checkpoint copied in).
///
/// It lives in the model folder (`i2v.lock.json`, travelling with the model when it is copied) when the folder
/// is writable, otherwise in `$XDG_CACHE_HOME/i2v/locks/<hash of the folder's real path>.json`.
public struct ModelLock: Codable, Equatable {
  public static let fileName = "i2v.lock.json"

  public var version = 1
  /// ISO 8601, when it was recorded.
  public var created: String
  public var tool: String
  /// Where the folder was when the lock was made (informational: a copied folder keeps its lock).
  public var modelPath: String
  /// Relative path ("unet/config.json") → hash and size.
  public var files: [String: FileRecord]

  public init(modelPath: String, files: [String: FileRecord], tool: String) {
    created = ISO8601DateFormatter().string(from: Date())
    self.tool = tool
    self.modelPath = modelPath
    self.files = files
  }

  enum CodingKeys: String, CodingKey {
    case version, created, tool, modelPath = "model_path", files
  }

  // MARK: - Location

  /// The lock of a model folder, if one was recorded: in the folder first, then in the cache.
  public static func existingPath(forModel model: String) -> String? {
    [inFolderPath(model), cachePath(model)].compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0) }
  }

  /// Where a new lock goes: the folder when it is writable, else the cache.
  public static func newPath(forModel model: String) -> String? {
    access(model, W_OK | X_OK) == 0 ? inFolderPath(model) : cachePath(model)
  }

  static func inFolderPath(_ model: String) -> String { (model as NSString).appendingPathComponent(fileName) }

  static func cachePath(_ model: String) -> String? {
    let real = URL(fileURLWithPath: model).resolvingSymlinksInPath().path
    return I2VCacheFolder.path.map { $0 + "/locks/" + String(SHA256.hex(Array(real.utf8)).prefix(24)) + ".json" }
  }

  // MARK: - Reading and writing

  public static func load(_ path: String) throws -> ModelLock {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CheckpointError(path, "cannot read the lock file")
    }
    do {
      return try JSONDecoder().decode(ModelLock.self, from: data)
    } catch {
      throw CheckpointError(path, "not a valid i2v lock file (\(error)); delete it and run `i2v verify --lock` again")
    }
  }

  public func write(to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFile.write(try encoder.encode(self), to: path)
  }

  // MARK: - Comparing

  /// How the current files differ from the lock.
  public struct Difference: Equatable, Sendable {
    /// Files whose content changed.
    public var changed: [String] = []
    /// Files in the lock that are gone.
    public var missing: [String] = []
    /// Files not in the lock.
    public var added: [String] = []

    public var isEmpty: Bool { changed.isEmpty && missing.isEmpty && added.isEmpty }

    /// Components with any difference ("model_index.json" counts as its own entry), sorted.
    public var components: [String] {
      Array(Set((changed + missing + added).map { $0.split(separator: "/").first.map(String.init) ?? $0 })).sorted()
    }

    /// One line per component: "vae: changed diffusion_pytorch_model.safetensors, config.json".
    public var lines: [String] {
      components.map { c in
        func names(_ list: [String]) -> [String] {
          list.filter { $0 == c || $0.hasPrefix(c + "/") }
            .map { $0.hasPrefix(c + "/") ? String($0.dropFirst(c.count + 1)) : $0 }
        }
        var parts: [String] = []
        if !names(changed).isEmpty { parts.append("changed " + names(changed).joined(separator: ", ")) }
        if !names(missing).isEmpty { parts.append("missing " + names(missing).joined(separator: ", ")) }
        if !names(added).isEmpty { parts.append("not in the lock " + names(added).joined(separator: ", ")) }
        return "\(c): " + parts.joined(separator: "; ")
      }
    }
  }

  /// Compares `current` (relative path → record) with the lock. With `onlyThese`, only those files are
  /// considered (a run checks the files it reads; `verify` checks everything).
  public func compare(_ current: [String: FileRecord], onlyThese: Set<String>? = nil) -> Difference {
    var d = Difference()
    let scope = onlyThese ?? Set(files.keys).union(current.keys)
    for f in scope.sorted() {
      switch (files[f], current[f]) {
      case let (locked?, now?): if locked.sha256 != now.sha256 { d.changed.append(f) }
      case (_?, nil): d.missing.append(f)
      case (nil, _?): d.added.append(f)
      case (nil, nil): break
      }
    }
    return d
  }
}
