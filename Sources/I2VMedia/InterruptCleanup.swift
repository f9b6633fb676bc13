// Ctrl-C must not leave half-written outputs behind: writers register their temporary paths here, and the
// signal handlers (when the program installs them) delete those paths before the process dies.
import CMedia
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Registry of in-progress temporary outputs, removed on SIGINT / SIGTERM / SIGHUP.
///
/// `VideoWriter` registers its temporary file or folder automatically; a CLI only calls
/// `installSignalHandlers()` once at start-up. Programs with their own signal handling call `removeAll()`
/// from their handler instead (it is safe from any thread, but not from an async-signal context).
public enum InterruptCleanup {
  public struct Token: Hashable, Sendable {
    let id: Int
  }

  private final class Registry: @unchecked Sendable {
    let lock = NSLock()
    var paths: [Int: String] = [:]
    var nextID = 0
    var installed: Set<Int32> = []
    var reraising: Set<Int32> = []  // signals that end the process after cleanup
    var waiterStarted = false
    var exitHookInstalled = false
  }

  private static let registry = Registry()

  /// Registers a temporary file or folder for deletion on interruption.
  public static func register(_ path: String) -> Token {
    registry.lock.lock()
    defer { registry.lock.unlock() }
    registry.nextID += 1
    registry.paths[registry.nextID] = path
    return Token(id: registry.nextID)
  }

  /// Forgets a path (it was renamed into place or removed).
  public static func unregister(_ token: Token) {
    registry.lock.lock()
    registry.paths[token.id] = nil
    registry.lock.unlock()
  }

  /// The paths currently registered.
  public static var registeredPaths: [String] {
    registry.lock.lock()
    defer { registry.lock.unlock() }
    return registry.paths.keys.sorted().compactMap { registry.paths[$0] }
  }

  /// Deletes every registered path (files or whole folders) and forgets them.
  public static func removeAll() {
    registry.lock.lock()
    let paths = Array(registry.paths.values)
    registry.paths.removeAll()
    registry.lock.unlock()
    for path in paths { try? FileManager.default.removeItem(atPath: path) }
  }

  /// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove the registered paths and then let the
  /// signal terminate the process as usual (exit status 128 + signal, which shells and CI understand), and
  /// an exit hook that removes them if the program calls exit() while a writer is still open (exit() runs
  /// no deinit). Calling it again does nothing.
  public static func installSignalHandlers() {
    install(signals: [SIGINT, SIGTERM, SIGHUP], reraise: true)
    registry.lock.lock()
    let first = !registry.exitHookInstalled
    registry.exitHookInstalled = true
    registry.lock.unlock()
    if first { atexit { InterruptCleanup.removeAll() } }
  }

  /// `reraise: false` only cleans up (tests use it with a harmless signal).
  static func install(signals: [Int32], reraise: Bool) {
    registry.lock.lock()
    defer { registry.lock.unlock() }
    let missing = signals.filter { !registry.installed.contains($0) }
    for sig in signals {
      if reraise { registry.reraising.insert(sig) } else { registry.reraising.remove(sig) }
    }
    guard !missing.isEmpty else { return }
    var err = CErrorBuffer()
    let status = missing.withUnsafeBufferPointer { sigs in
      err.call { cm_signal_pipe_install(sigs.baseAddress, Int32(sigs.count), $0, $1) }
    }
    guard status == Int32(CM_OK.rawValue) else { return }  // cleanup on Ctrl-C is best effort, never fatal
    registry.installed.formUnion(missing)
    if !registry.waiterStarted {
      registry.waiterStarted = true
      // The C handler only writes the signal number to a pipe; this thread does the file removal.
      let thread = Thread {
        while true {
          let sig = cm_signal_pipe_wait()
          if sig < 0 { return }
          removeAll()
          registry.lock.lock()
          let reraise = registry.reraising.contains(Int32(sig))
          registry.lock.unlock()
          if reraise { cm_signal_reraise(sig) }
        }
      }
      thread.name = "i2v-interrupt-cleanup"
      thread.start()
    }
  }
}
