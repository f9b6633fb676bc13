// Glue for calling CMedia: error buffers, status codes to MediaError, C string lists.
import CMedia
import Foundation

/// A C error buffer for one call: `body` gets (buffer, capacity) to pass as `err, errlen`.
struct CErrorBuffer {
  private var storage = [CChar](repeating: 0, count: Int(CM_ERROR_CAPACITY))

  mutating func call<T>(_ body: (UnsafeMutablePointer<CChar>, Int) throws -> T) rethrows -> T {
    try storage.withUnsafeMutableBufferPointer { try body($0.baseAddress!, $0.count) }
  }

  var message: String {
    let text = storage.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    return text.isEmpty ? "unknown error" : text
  }
}

/// Which side of the pipeline a failing call was on: decides between input-flavoured and output-flavoured errors.
enum MediaRole {
  case input
  case output
}

/// Maps a CMedia status and its detail message to the MediaError a user should see.
func mediaError(status: Int32, detail: String, path: String, role: MediaRole) -> MediaError {
  switch cm_status(rawValue: UInt32(bitPattern: status)) {
  case CM_ERR_NOT_FOUND:
    return role == .input ? .fileNotFound(path: path) : .invalidOutput(path: path, reason: detail)
  case CM_ERR_IO:
    return role == .input ? .unreadable(path: path, reason: detail)
      : .writeFailed(path: path, reason: detail + freeSpaceNote(path))
  case CM_ERR_EMPTY:
    return .emptyFile(path: path)
  case CM_ERR_NOT_IMAGE:
    return .notAnImage(path: path, reason: detail)
  case CM_ERR_UNSUPPORTED:
    return .unsupportedFormat(path: path, reason: detail)
  case CM_ERR_CORRUPT:
    return .corrupt(path: path, reason: detail)
  case CM_ERR_TOO_LARGE:
    return .tooManyPixels(path: path, reason: detail)
  case CM_ERR_NO_MEMORY:
    return .outOfMemory(path: path, reason: detail)
  case CM_ERR_EXISTS:
    return .outputExists(path: path)
  case CM_ERR_INVALID_ARGUMENT:
    return .invalidFrames(reason: "\(path): \(detail)")
  default:
    return .writeFailed(path: path, reason: detail + freeSpaceNote(path))
  }
}

/// When a write fails on a nearly full file system, says so (read at the failure, while the partial output
/// still takes its space): "; the disk holding it is full (12 KB free): free some space or write elsewhere".
func freeSpaceNote(_ path: String) -> String {
  var p = path
  while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
  let folder = (p as NSString).deletingLastPathComponent
  guard let free = DiskSpace.available(at: folder.isEmpty ? "." : folder), free < 64 << 20 else { return "" }
  let text = free < 1 << 20 ? "\(free >> 10) KB" : "\(free >> 20) MB"
  return "; the disk holding it is full (\(text) free): free some space or write elsewhere"
}

/// Calls `body` with a NULL-terminated C array of the given strings (valid only during the call).
func withCStringList<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R) rethrows -> R {
  var owned: [UnsafeMutablePointer<CChar>] = []
  owned.reserveCapacity(strings.count)
  for s in strings { owned.append(strdup(s)!) }
  defer { for p in owned { free(p) } }
  var list: [UnsafePointer<CChar>?] = owned.map { UnsafePointer($0) }
  list.append(nil)
  return try list.withUnsafeBufferPointer { try body($0.baseAddress!) }
}

/// A fixed-size C char array (imported as a tuple) as a Swift String.
func string<T>(fromCCharTuple tuple: T) -> String {
  withUnsafeBytes(of: tuple) { raw in
    let bytes = raw.bindMemory(to: UInt8.self)
    let end = bytes.firstIndex(of: 0) ?? bytes.count
    return String(decoding: bytes[..<end], as: UTF8.self)
  }
}

/// Free space of file systems, for messages and for stopping work that cannot be written.
public enum DiskSpace {
  /// Bytes an unprivileged writer may still use on the file system holding `folder`; nil when unknown.
  public static func available(at folder: String) -> UInt64? {
    var st = statvfs()
    guard statvfs(folder, &st) == 0 else { return nil }
    return UInt64(st.f_bavail) * UInt64(st.f_frsize)
  }
}
