import Foundation
import I2VMedia
import I2VSupport

#if canImport(Glibc)
  import Glibc
#endif

/// Per-item claims, so that batches sharing an output folder without `--shard` (two terminals, a retried
/// cluster job overlapping the first) do every item once: before an item runs, a hidden `.NAME.i2v-claim` file
/// holding `HOST PID` is created atomically (`O_EXCL`) beside its output, and removed when the item is over.
/// A claim whose process on this machine is gone, or that is more than a day old, is taken over.
public enum BatchClaims {
  public static func path(for output: String) -> String {
    let trimmed = BatchOutputs.trimmed(output)
    let folder = (trimmed as NSString).deletingLastPathComponent
    return (folder.isEmpty ? "." : folder) + "/." + (trimmed as NSString).lastPathComponent + ".i2v-claim"
  }

  /// True when this process now holds the claim on `output`.
  public static func claim(_ output: String) -> Bool {
    let p = path(for: output)
    for _ in 0..<2 {
      let fd = open(p, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
      if fd >= 0 {
        let text = "\(TemporaryName.host) \(getpid())\n"
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        lock.lock()
        tokens[p] = InterruptCleanup.register(p)  // Ctrl-C removes it like any temporary file
        lock.unlock()
        return true
      }
      guard errno == EEXIST, isAbandoned(p) else { return false }
      unlink(p)  // its owner is gone: take it over (another process may win the race; then it is theirs)
    }
    return false
  }

  /// Removes the claims on `outputs` whose owners are gone (a killed batch's); returns how many.
  public static func removeAbandoned(for outputs: [String]) -> Int {
    var removed = 0
    for output in outputs {
      let p = path(for: output)
      if FileManager.default.fileExists(atPath: p), isAbandoned(p), unlink(p) == 0 { removed += 1 }
    }
    return removed
  }

  public static func release(_ output: String) {
    let p = path(for: output)
    lock.lock()
    if let token = tokens.removeValue(forKey: p) { InterruptCleanup.unregister(token) }
    lock.unlock()
    if owner(p).map({ $0.host == TemporaryName.host && $0.pid == getpid() }) == true { unlink(p) }
  }

  private static let lock = NSLock()
  nonisolated(unsafe) private static var tokens: [String: InterruptCleanup.Token] = [:]

  static func owner(_ p: String) -> (host: String, pid: Int32)? {
    guard let text = try? String(contentsOfFile: p, encoding: .utf8) else { return nil }
    let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
    guard parts.count == 2, let pid = Int32(parts[1]) else { return nil }
    return (String(parts[0]), pid)
  }

  static func isAbandoned(_ p: String) -> Bool {
    let modified = (try? FileManager.default.attributesOfItem(atPath: p)[.modificationDate] as? Date) ?? Date()
    if Date().timeIntervalSince(modified) > 86_400 { return true }
    guard let o = owner(p) else {
      // Unreadable or half-written: only a crashed creator leaves that; give it a moment to finish writing.
      return Date().timeIntervalSince(modified) > 10
    }
    return TemporaryName.isGone(host: o.host, pid: o.pid)
  }
}
