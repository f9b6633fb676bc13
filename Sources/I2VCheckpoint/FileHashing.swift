import Foundation
import I2VSupport

#if canImport(Glibc)
  import Glibc
#endif

/// SHA-256 of files, remembered across runs by (real path, size, modification time, status-change time, inode)
/// in `$XDG_CACHE_HOME/i2v/hashes.json` (default `~/.cache/i2v/hashes.json`): a 10 GB checkpoint is read once,
/// not on every run. A changed file is hashed again: writing it changes its mtime and ctime, and while a user can
/// set the mtime back (`touch -r`), the ctime and a replaced file's inode cannot be. `verify` can bypass the cache
/// to catch silent corruption.
public final class FileHashCache {
  struct Entry: Codable, Equatable {
    var size: Int64
    var mtimeNanoseconds: Int64
    /// Absent in caches written before they were recorded: such entries never match (the file is re-hashed).
    var ctimeNanoseconds: Int64?
    var inode: UInt64?
    var sha256: String

    enum CodingKeys: String, CodingKey {
      case size, mtimeNanoseconds = "mtime_ns", ctimeNanoseconds = "ctime_ns", inode, sha256
    }

    func matches(_ id: Identity) -> Bool {
      size == id.size && mtimeNanoseconds == id.mtime && ctimeNanoseconds == id.ctime && inode == id.inode
    }
  }

  /// What a cached hash is valid for.
  struct Identity {
    var real: String
    var size: Int64
    var mtime: Int64
    var ctime: Int64
    var inode: UInt64
  }

  struct Stored: Codable {
    var version = 1
    var files: [String: Entry] = [:]
  }

  /// The cache file (nil: caching disabled, e.g. no home folder).
  public let path: String?
  private var entries: [String: Entry]
  private var dirty: [String: Entry] = [:]

  public init(path: String? = FileHashCache.defaultPath()) {
    self.path = path
    entries = path.flatMap(Self.load) ?? [:]
  }

  /// `$XDG_CACHE_HOME/i2v/hashes.json`, else `~/.cache/i2v/hashes.json`.
  public static func defaultPath() -> String? { I2VCacheFolder.path.map { $0 + "/hashes.json" } }

  static func load(_ path: String) -> [String: Entry]? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    // A damaged cache is only a lost optimisation: start afresh rather than fail.
    return (try? JSONDecoder().decode(Stored.self, from: data))?.files
  }

  /// The file's SHA-256 (hex). `trustCache: false` always reads the file (and refreshes the cache).
  /// `progress(bytesDone)` is called as the file is read.
  public func sha256(of file: String, trustCache: Bool = true, progress: (Int64) -> Void = { _ in },
                     isCancelled: () -> Bool = { false }) throws -> String
  {
    let id = try Self.identity(file)
    if trustCache, let e = entries[id.real], e.matches(id) { return e.sha256 }
    let digest = try Self.hashFile(id.real, displayPath: file, progress: progress, isCancelled: isCancelled)
    let entry = Entry(size: id.size, mtimeNanoseconds: id.mtime, ctimeNanoseconds: id.ctime, inode: id.inode,
                      sha256: digest)
    entries[id.real] = entry
    dirty[id.real] = entry
    return digest
  }

  /// Hashes of files given relative to `folder` (e.g. a model's files). `willRead(bytes)` is called once with
  /// the number of bytes that must actually be read (0 when the cache has everything) and `progress(done)`
  /// as they are, so callers show a progress bar only for real work. Saves the cache at the end.
  /// `isCancelled` is asked between 4 MiB pieces; when it says yes, hashing stops with an error (what was
  /// finished is still cached).
  public func hashes(of files: [String], in folder: String, trustCache: Bool = true, willRead: (Int64) -> Void = { _ in },
                     progress: (Int64) -> Void = { _ in }, isCancelled: () -> Bool = { false }) throws
    -> [String: FileRecord]
  {
    defer { save() }
    var known: [String: FileRecord] = [:]
    var missing: [(String, Int64)] = []
    for f in files {
      let id = try Self.identity((folder as NSString).appendingPathComponent(f))
      if trustCache, let e = entries[id.real], e.matches(id) {
        known[f] = FileRecord(sha256: e.sha256, bytes: id.size)
      } else {
        missing.append((f, id.size))
      }
    }
    willRead(missing.reduce(0) { $0 + $1.1 })
    var done: Int64 = 0
    for (f, size) in missing {
      let base = done
      let digest = try sha256(of: (folder as NSString).appendingPathComponent(f), trustCache: false,
                              progress: { progress(base + $0) }, isCancelled: isCancelled)
      known[f] = FileRecord(sha256: digest, bytes: size)
      done += size
    }
    return known
  }

  /// How many bytes `hashes(of:in:)` would have to read (the files the cache cannot answer for).
  public func uncachedBytes(of files: [String], in folder: String) -> Int64 {
    files.reduce(0) { sum, f in
      guard let id = try? Self.identity((folder as NSString).appendingPathComponent(f)) else { return sum }
      return entries[id.real]?.matches(id) == true ? sum : sum + id.size
    }
  }

  static func identity(_ file: String) throws -> Identity {
    let real = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
    var st = stat()
    guard stat(real, &st) == 0 else { throw CheckpointError(file, "cannot read: \(String(cString: strerror(errno)))") }
    return Identity(real: real, size: Int64(st.st_size),
                    mtime: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                    ctime: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec), inode: UInt64(st.st_ino))
  }

  /// Reads and hashes a whole file in 4 MiB pieces (with libcrypto when it is installed, else in Swift).
  public static func hashFile(_ path: String, displayPath: String? = nil, progress: (Int64) -> Void = { _ in },
                              isCancelled: () -> Bool = { false }) throws -> String
  {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw CheckpointError(displayPath ?? path, "cannot open: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    let fast = LibCryptoSHA256()
    var portable = SHA256()
    let chunk = 4 << 20
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
    defer { buffer.deallocate() }
    var done: Int64 = 0
    while true {
      if isCancelled() { throw CheckpointError(displayPath ?? path, "hashing cancelled") }
      let n = Glibc.read(fd, buffer.baseAddress, chunk)
      if n < 0 {
        if errno == EINTR { continue }
        throw CheckpointError(displayPath ?? path, "read failed: \(String(cString: strerror(errno)))")
      }
      if n == 0 { break }
      let piece = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
      if let fast { fast.update(piece) } else { portable.update(piece) }
      done += Int64(n)
      progress(done)
    }
    return fast?.finalizeHex() ?? portable.finalizeHex()
  }

  /// Writes new hashes to the cache file (merged with what other processes saved meanwhile; written to a
  /// temporary file and renamed, so readers never see half a file). Failures are ignored: the cache is an
  /// optimisation.
  public func save() {
    guard let path, !dirty.isEmpty else { return }
    var merged = Self.load(path) ?? [:]
    for (k, v) in dirty { merged[k] = v }
    // Forget files that no longer exist, so the cache does not grow forever.
    merged = merged.filter { FileManager.default.fileExists(atPath: $0.key) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(Stored(files: merged)) else { return }
    if (try? AtomicFile.write(data, to: path)) != nil { dirty.removeAll() }
  }
}

/// A file's SHA-256 and size, as sidecars and lock files record them.
public struct FileRecord: Codable, Equatable, Sendable {
  public var sha256: String
  public var bytes: Int64

  public init(sha256: String, bytes: Int64) {
    self.sha256 = sha256
    self.bytes = bytes
  }
}

/// i2v's cache folder: `$XDG_CACHE_HOME/i2v`, else `~/.cache/i2v` (nil when neither can be determined).
public enum I2VCacheFolder {
  public static var path: String? {
    let env = ProcessInfo.processInfo.environment
    if let x = env["XDG_CACHE_HOME"], !x.isEmpty {
      // A cache "folder" that is a file cannot hold a cache: no caching (said where hashing is reported).
      var isDir: ObjCBool = false
      if FileManager.default.fileExists(atPath: x, isDirectory: &isDir), !isDir.boolValue { return nil }
      return x + "/i2v"
    }
    let home = HomeFolder.path
    return home.isEmpty || home == "/" ? nil : home + "/.cache/i2v"
  }
}

/// Small files written whole and atomically: a temporary file beside the target, flushed, then renamed.
public enum AtomicFile {
  /// `track` is told the temporary name before it is created and returns what to call once it is gone
  /// (the CLI registers it for removal on Ctrl-C).
  public static func write(_ data: Data, to path: String, track: (String) -> () -> Void = { _ in {} }) throws {
    let folder = (path as NSString).deletingLastPathComponent
    if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    let temp = (folder.isEmpty ? "." : folder) + "/." + (path as NSString).lastPathComponent
      + ".tmp-" + TemporaryName.owner + "-\(UInt32.random(in: 0...UInt32.max))"
    let untrack = track(temp)
    defer { untrack() }
    // Written directly (Foundation's createFile writes through a temporary of its own, `.dat.nosync…`, which a
    // SIGKILL would leave behind under a name no clean-up knows).
    let fd = open(temp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw CheckpointError(path, "cannot write a temporary file in '\(folder.isEmpty ? "." : folder)': "
        + String(cString: strerror(errno)))
    }
    let written = data.withUnsafeBytes { raw -> Bool in
      var offset = 0
      while offset < raw.count {
        let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        offset += n
      }
      return true
    }
    let synced = fsync(fd) == 0
    close(fd)
    guard written && synced else {
      let reason = String(cString: strerror(errno))
      unlink(temp)
      throw CheckpointError(path, "cannot write '\(temp)': \(reason) (is the disk full?)")
    }
    guard rename(temp, path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: temp)
      throw CheckpointError(path, "cannot rename into place: \(reason)")
    }
  }
}

/// The user's home folder: `$HOME` when set (what users and containers change), else the password database's.
public enum HomeFolder {
  public static var path: String {
    if let h = ProcessInfo.processInfo.environment["HOME"], !h.isEmpty { return h }
    return NSHomeDirectory()
  }
}
