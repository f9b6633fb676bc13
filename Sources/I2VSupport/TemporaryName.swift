import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Who writes a temporary file, in its name (`HOST-PID`), so that a later run can tell an abandoned one (its
/// process on this machine is gone) from one another machine sharing the folder is still writing.
public enum TemporaryName {
  public static let host: String = {
    var buf = [CChar](repeating: 0, count: 256)
    guard gethostname(&buf, buf.count) == 0 else { return "host" }
    let name = String(cString: buf).map { $0.isLetter || $0.isNumber ? $0 : "_" }
    return name.isEmpty ? "host" : String(name)
  }()

  /// `HOST-PID` (the host with anything but letters and digits replaced by `_`).
  public static var owner: String { "\(host)-\(getpid())" }

  /// Whether the writer `host`/`pid` is known to be gone: a process of this machine that no longer exists.
  /// Another machine's process cannot be asked, so it never counts as gone here.
  public static func isGone(host: String, pid: Int32) -> Bool {
    host == self.host && kill(pid, 0) != 0 && errno == ESRCH
  }

  /// (host, pid) from the `HOST-PID-N` tail of a temporary name; nil for other names.
  public static func parse(_ tail: Substring) -> (host: String, pid: Int32)? {
    let parts = tail.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { return nil }
    return (parts[0..<(parts.count - 2)].joined(separator: "-"), pid)
  }
}
