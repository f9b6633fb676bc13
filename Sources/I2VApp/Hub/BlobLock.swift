import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// An exclusive lock on one file's download, at the path huggingface_hub locks (`.locks/models--ORG--NAME/
/// ETAG.lock` in the cache; `.cache/huggingface/download/PATH.lock` in a plain folder) with the same `flock`
/// its filelock package takes: two downloads, of i2v or huggingface_hub, never append to one partial file.
/// The kernel releases it when the holder exits, however it exits.
final class BlobLock {
  private let fd: Int32

  /// Waits for the lock, saying so when another process holds it.
  init(path: String, file: String, progress: DownloadProgress) throws {
    try HubLayout.makeFolder((path as NSString).deletingLastPathComponent)
    fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw HubError(.local, "cannot create the lock file \(path): \(String(cString: strerror(errno)))") }
    if flock(fd, LOCK_EX | LOCK_NB) == 0 { return }
    progress.notice("waiting for another download of \(file) to finish (it holds \(path))")
    while flock(fd, LOCK_EX) != 0 {
      if errno == EINTR { continue }
      let reason = String(cString: strerror(errno))
      close(fd)
      throw HubError(.local, "cannot lock \(path): \(reason)")
    }
  }

  deinit { close(fd) }
}
