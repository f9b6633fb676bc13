import Foundation

/// A parsed JSON config file (`config.json`, `model_index.json`, ...) with typed getters whose errors name the
/// file and the field.
public struct JSONConfig: @unchecked Sendable {
  public let path: String
  public let values: [String: Any]

  public init(path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else { throw CheckpointError(path, "file not found") }
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw CheckpointError(path, "cannot read: \(error.localizedDescription)")
    }
    try self.init(data: data, path: path)
  }

  public init(data: Data, path: String) throws {
    self.path = path
    let object: Any
    do { object = try JSONSerialization.jsonObject(with: data, options: []) } catch {
      throw CheckpointError(path, "not valid JSON (\(SafeTensorsFile.shortJSONError(error)))")
    }
    guard let dict = object as? [String: Any] else { throw CheckpointError(path, "not a JSON object") }
    values = dict
  }

  public init(values: [String: Any], path: String) {
    self.path = path
    self.values = values
  }

  public func has(_ key: String) -> Bool { values[key] != nil && !(values[key] is NSNull) }

  func fail(_ key: String, _ what: String) -> CheckpointError {
    CheckpointError(path, "field '\(key)' \(what)")
  }

  public func int(_ key: String) throws -> Int {
    guard let v = values[key], !(v is NSNull) else { throw fail(key, "is missing") }
    guard let n = SafeTensorsFile.exactInt(v) else { throw fail(key, "must be an integer, found \(v)") }
    return n
  }

  public func int(_ key: String, default d: Int) throws -> Int { has(key) ? try int(key) : d }

  public func double(_ key: String) throws -> Double {
    guard let v = values[key], !(v is NSNull) else { throw fail(key, "is missing") }
    guard let n = v as? NSNumber, String(cString: n.objCType) != "c" else { throw fail(key, "must be a number, found \(v)") }
    return n.doubleValue
  }

  public func double(_ key: String, default d: Double) throws -> Double { has(key) ? try double(key) : d }

  public func bool(_ key: String, default d: Bool) throws -> Bool {
    guard has(key) else { return d }
    guard let b = values[key] as? Bool else { throw fail(key, "must be true or false") }
    return b
  }

  public func string(_ key: String) throws -> String {
    guard let v = values[key], !(v is NSNull) else { throw fail(key, "is missing") }
    guard let s = v as? String else { throw fail(key, "must be a string, found \(v)") }
    return s
  }

  public func string(_ key: String, default d: String) throws -> String { has(key) ? try string(key) : d }

  public func ints(_ key: String) throws -> [Int] {
    guard let v = values[key], !(v is NSNull) else { throw fail(key, "is missing") }
    guard let list = v as? [Any] else { throw fail(key, "must be a list of integers") }
    return try list.map {
      guard let n = SafeTensorsFile.exactInt($0) else { throw fail(key, "must be a list of integers, found \($0)") }
      return n
    }
  }

  public func ints(_ key: String, default d: [Int]) throws -> [Int] { has(key) ? try ints(key) : d }

  public func doubles(_ key: String) throws -> [Double] {
    guard let list = values[key] as? [Any] else { throw fail(key, "must be a list of numbers") }
    return try list.map {
      guard let n = $0 as? NSNumber else { throw fail(key, "must be a list of numbers, found \($0)") }
      return n.doubleValue
    }
  }

  public func strings(_ key: String) throws -> [String] {
    guard let v = values[key], !(v is NSNull) else { throw fail(key, "is missing") }
    guard let list = v as? [Any] else { throw fail(key, "must be a list of strings") }
    return try list.map {
      guard let s = $0 as? String else { throw fail(key, "must be a list of strings, found \($0)") }
      return s
    }
  }

  /// A nested object, e.g. `crop_size` in a preprocessor config.
  public func object(_ key: String) throws -> JSONConfig {
    guard let d = values[key] as? [String: Any] else { throw fail(key, "must be an object") }
    return JSONConfig(values: d, path: path)
  }
}

extension JSONConfig {
  /// The config at `path`, parsed once per process while the file is unchanged (size, mtime, ctime): the
  /// session, the integrity checks, the memory estimate and the pipeline all read the same configs.
  public static func cached(path: String) throws -> JSONConfig {
    var st = stat()
    guard stat(path, &st) == 0 else { return try JSONConfig(path: path) }  // let the reader name the problem
    let stamp = [Int64(st.st_size), Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec), Int64(st.st_ctim.tv_nsec)]
    ConfigCache.lock.lock()
    if let hit = ConfigCache.entries[path], hit.stamp == stamp {
      ConfigCache.lock.unlock()
      return hit.config
    }
    ConfigCache.lock.unlock()
    let config = try JSONConfig(path: path)
    ConfigCache.lock.lock()
    ConfigCache.entries[path] = (stamp, config)
    ConfigCache.parses[path, default: 0] += 1
    ConfigCache.lock.unlock()
    return config
  }

  /// How many times `cached(path:)` has parsed files below `folder` so far (for tests).
  public static func cachedParses(under folder: String) -> Int {
    ConfigCache.lock.lock()
    defer { ConfigCache.lock.unlock() }
    return ConfigCache.parses.filter { $0.key.hasPrefix(folder) }.values.reduce(0, +)
  }
}

private enum ConfigCache {
  static let lock = NSLock()
  nonisolated(unsafe) static var entries: [String: (stamp: [Int64], config: JSONConfig)] = [:]
  nonisolated(unsafe) static var parses: [String: Int] = [:]
}
