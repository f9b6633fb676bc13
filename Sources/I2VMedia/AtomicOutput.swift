// Outputs appear complete or not at all: everything is written to a temporary name in the destination's
// folder (same file system, so the final rename is atomic) and renamed into place at the end.
import CMedia
import Foundation
import I2VSupport

#if canImport(Glibc)
  import Glibc
#endif

final class AtomicOutput {
  enum Kind {
    case file
    case directory
  }

  /// The final path, as the user gave it (trailing slashes removed).
  let destination: String
  /// Where the data is being written until `commit()`.
  let temporary: String
  let kind: Kind
  let overwrite: Bool
  private var token: InterruptCleanup.Token?
  private(set) var isOpen = true

  init(destination: String, kind: Kind, overwrite: Bool) throws {
    let dest = AtomicOutput.normalize(destination)
    try AtomicOutput.check(destination: dest, kind: kind, overwrite: overwrite)
    self.destination = dest
    self.kind = kind
    self.overwrite = overwrite
    let folder = AtomicOutput.folder(of: dest)
    let base = (dest as NSString).lastPathComponent
    var created: String?
    for _ in 0..<64 {
      // Hidden, and not ending in the real extension, so globs like *.mp4 never pick up a partial file.
      let candidate = folder + "/." + base + ".i2v-tmp-" + TemporaryName.owner + "-\(UInt32.random(in: 0...UInt32.max))"
      let ok: Bool
      switch kind {
      case .file:
        let fd = open(candidate, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
        ok = fd >= 0
        if ok { close(fd) }
      case .directory:
        ok = mkdir(candidate, 0o755) == 0
      }
      if ok {
        created = candidate
        break
      }
      if errno != EEXIST {
        throw MediaError.invalidOutput(
          path: dest, reason: "cannot create a temporary file in '\(folder)': \(String(cString: strerror(errno)))")
      }
    }
    guard let created else {
      throw MediaError.invalidOutput(path: dest, reason: "cannot find a free temporary name in '\(folder)'")
    }
    temporary = created
    token = InterruptCleanup.register(created)
  }

  deinit {
    if isOpen { discard() }
  }

  static func normalize(_ path: String) -> String {
    var p = path
    while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
    return p
  }

  static func folder(of path: String) -> String {
    let parent = (path as NSString).deletingLastPathComponent
    return parent.isEmpty ? "." : parent
  }

  /// Names that i2v itself writes into a PNG-frame folder: only folders holding nothing else are replaced.
  static func isFrameFile(_ name: String) -> Bool {
    guard name.hasPrefix("frame_"), name.hasSuffix(".png") else { return false }
    let digits = name.dropFirst(6).dropLast(4)
    return digits.count >= 4 && digits.allSatisfy { $0.isASCII && $0.isNumber }
  }

  /// Everything that can be known before writing: folder exists and is writable, existing output policy.
  static func check(destination dest: String, kind: Kind, overwrite: Bool) throws {
    let fm = FileManager.default
    let folder = folder(of: dest)
    var isDir: ObjCBool = false
    guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
      throw MediaError.invalidOutput(path: dest, reason: "the folder '\(folder)' does not exist; create it first")
    }
    guard access(folder, W_OK | X_OK) == 0 else {
      throw MediaError.invalidOutput(path: dest, reason: "no permission to write in the folder '\(folder)'")
    }
    // Permission bits say nothing for root or on special file systems (/proc, read-only mounts): create and
    // remove a file there, so an unwritable destination fails now, not after a long generation.
    let probe = (folder as NSString).appendingPathComponent(".i2v-write-check-\(getpid())")
    let fd = open(probe, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      let why = String(cString: strerror(errno))
      throw MediaError.invalidOutput(path: dest, reason: "cannot create files in the folder '\(folder)' (\(why))")
    }
    close(fd)
    unlink(probe)
    var existsAsDir: ObjCBool = false
    guard fm.fileExists(atPath: dest, isDirectory: &existsAsDir) else { return }
    switch (kind, existsAsDir.boolValue) {
    case (.file, true):
      throw MediaError.invalidOutput(path: dest, reason: "a folder with that name exists; remove it or choose another name")
    case (.directory, false):
      throw MediaError.invalidOutput(
        path: dest, reason: "a file with that name exists, and PNG frames need a folder; remove it or choose another name")
    default:
      break
    }
    guard overwrite else { throw MediaError.outputExists(path: dest) }
    if kind == .directory {
      let names = (try? fm.contentsOfDirectory(atPath: dest)) ?? []
      if let foreign = names.sorted().first(where: { !isFrameFile($0) }) {
        throw MediaError.invalidOutput(
          path: dest,
          reason: "refusing to replace the folder: it holds files i2v did not write (e.g. '\(foreign)'); "
            + "empty or remove it yourself, or choose another folder")
      }
    }
  }

  /// Makes the output visible under its final name. After an error the temporary data is removed.
  func commit() throws {
    guard isOpen else { return }
    defer { discard() }  // no-op after a successful rename (the temporary name is gone)
    var err = CErrorBuffer()
    // Data first, then the name: after a crash the destination holds either the old or the new content.
    if kind == .directory {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] {
        _ = err.call { cm_fsync_path(temporary + "/" + name, $0, $1) }
      }
    }
    guard err.call({ cm_fsync_path(temporary, $0, $1) }) == Int32(CM_OK.rawValue) else {
      throw MediaError.writeFailed(path: destination, reason: err.message)
    }
    if overwrite && kind == .file {
      if rename(temporary, destination) != 0 {
        throw MediaError.writeFailed(path: destination, reason: "cannot rename into place: \(String(cString: strerror(errno)))")
      }
    } else if overwrite && FileManager.default.fileExists(atPath: destination) {
      try replaceDirectory()
    } else {
      let status = err.call { cm_rename_noreplace(temporary, destination, $0, $1) }
      guard status == Int32(CM_OK.rawValue) else {
        throw mediaError(status: status, detail: err.message, path: destination, role: .output)
      }
    }
    _ = err.call { cm_fsync_path(AtomicOutput.folder(of: destination), $0, $1) }
    finishRegistration()
  }

  /// A folder cannot be renamed over a non-empty folder: move the old one aside, move the new one in,
  /// then delete the old one (restoring it if the second step fails).
  private func replaceDirectory() throws {
    try AtomicOutput.check(destination: destination, kind: .directory, overwrite: true)  // contents may have changed
    let aside = temporary + ".old"
    guard rename(destination, aside) == 0 else {
      throw MediaError.writeFailed(path: destination, reason: "cannot move the old folder aside: \(String(cString: strerror(errno)))")
    }
    var err = CErrorBuffer()
    let status = err.call { cm_rename_noreplace(temporary, destination, $0, $1) }
    guard status == Int32(CM_OK.rawValue) else {
      _ = rename(aside, destination)
      throw mediaError(status: status, detail: err.message, path: destination, role: .output)
    }
    try? FileManager.default.removeItem(atPath: aside)
  }

  /// Removes the temporary data (if still there) and stops tracking it.
  func discard() {
    guard isOpen else { return }
    try? FileManager.default.removeItem(atPath: temporary)
    finishRegistration()
  }

  private func finishRegistration() {
    isOpen = false
    if let token { InterruptCleanup.unregister(token) }
    token = nil
  }
}

/// The checks every output gets before long work, for files written by other means (e.g. `AtomicFile`): the folder
/// exists and takes new files, no folder is in the way, and an existing file is only replaced with `overwrite`.
public enum OutputCheck {
  public static func file(_ path: String, overwrite: Bool) throws {
    try AtomicOutput.check(destination: AtomicOutput.normalize(path), kind: .file, overwrite: overwrite)
  }
}
