import Foundation
import I2VCheckpoint
import I2VMedia
import I2VSupport

#if canImport(Glibc)
  import Glibc
#endif

/// Where downloaded files go: the hub cache (`models--ORG--NAME/blobs/<etag>`, `snapshots/<commit>/<path>` as
/// relative symlinks to the blobs, `refs/<revision>` holding the commit: huggingface_hub's `file_download.py`),
/// or a plain folder (`--dir`) holding the files themselves.
public enum HubLayout: Sendable {
  case cache(repoFolder: String)
  case plain(folder: String)

  /// The folder the model is used from: the snapshot, or the plain folder.
  public func modelFolder(commit: String) -> String {
    switch self {
    case .cache(let repo): return repo + "/snapshots/" + commit
    case .plain(let folder): return folder
    }
  }

  /// Where the file's verified bytes live.
  func stored(_ file: HubRepoFile, commit: String) -> String {
    switch self {
    case .cache(let repo): return repo + "/blobs/" + file.blobName
    case .plain(let folder): return folder + "/" + file.path
    }
  }

  /// Where bytes being downloaded go: `blobs/<etag>.incomplete` as huggingface_hub names them (either tool
  /// resumes the other's), or a hidden name beside the file in a plain folder.
  func partial(_ file: HubRepoFile, commit: String) -> String {
    switch self {
    case .cache(let repo): return repo + "/blobs/" + file.blobName + ".incomplete"
    case .plain(let folder):
      let path = folder + "/" + file.path
      let dir = (path as NSString).deletingLastPathComponent
      return dir + "/." + (path as NSString).lastPathComponent + "." + file.blobName.prefix(16) + ".incomplete"
    }
  }

  /// The lock taken while the file downloads (huggingface_hub's `file_download.py` and `_local_folder.py`).
  func lock(_ file: HubRepoFile, cacheRoot: String) -> String {
    switch self {
    case .cache(let repo): return cacheRoot + "/.locks/" + (repo as NSString).lastPathComponent + "/" + file.blobName + ".lock"
    case .plain(let folder): return folder + "/.cache/huggingface/download/" + file.path + ".lock"
    }
  }

  /// The hub's hashes of a snapshot, kept beside it: `models--ORG--NAME/i2v-release/<commit>.json` (outside
  /// `snapshots/`, which holds only the repository's files), or `DIR/i2v.release.json`.
  func releaseRecord(commit: String) -> String {
    switch self {
    case .cache(let repo): return repo + "/i2v-release/" + commit + ".json"
    case .plain(let folder): return folder + "/" + HubRelease.plainFileName
    }
  }

  /// The root whose file system must hold the download.
  var root: String {
    switch self {
    case .cache(let repo): return repo
    case .plain(let folder): return folder
    }
  }

  /// Makes the file visible under its name in the model folder (a no-op for plain folders, where `stored` is
  /// that name). The symlink is made under a temporary name and renamed over any old one.
  func place(_ file: HubRepoFile, commit: String) throws {
    guard case .cache(let repo) = self else { return }
    let link = repo + "/snapshots/" + commit + "/" + file.path
    let depth = file.path.split(separator: "/").count + 1
    let target = String(repeating: "../", count: depth) + "blobs/" + file.blobName
    if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == target { return }
    let dir = (link as NSString).deletingLastPathComponent
    try Self.makeFolder(dir)
    let temp = dir + "/." + (link as NSString).lastPathComponent + ".tmp-" + TemporaryName.owner
      + "-\(UInt32.random(in: 0...UInt32.max))"
    // Removed on Ctrl-C like every temporary name (partial downloads are kept: they are resumed).
    let token = InterruptCleanup.register(temp)
    defer { InterruptCleanup.unregister(token) }
    guard symlink(target, temp) == 0 else {
      throw HubError(.local, "cannot create a link in \(dir): \(String(cString: strerror(errno))) (a file system "
        + "without symbolic links? use --dir for a plain folder)")
    }
    guard rename(temp, link) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temp)
      throw HubError(.local, "cannot place \(link): \(reason)")
    }
  }

  /// `refs/<revision>` → commit, unless the revision is the commit itself.
  func recordRef(_ revision: String, commit: String) throws {
    guard case .cache(let repo) = self, revision != commit else { return }
    let path = repo + "/refs/" + revision
    if (try? String(contentsOfFile: path, encoding: .utf8)) == commit { return }
    do { try AtomicFile.write(Data(commit.utf8), to: path, track: HubLayout.trackTemporary) } catch {
      throw HubError(.local, "cannot record the revision: \(error)")
    }
  }

  /// Registers an `AtomicFile` temporary for removal on Ctrl-C.
  static func trackTemporary(_ temp: String) -> () -> Void {
    let token = InterruptCleanup.register(temp)
    return { InterruptCleanup.unregister(token) }
  }

  static func makeFolder(_ path: String) throws {
    do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
      throw HubError(.local, "cannot create the folder \(path): \((error as NSError).localizedDescription)")
    }
  }

  /// Free bytes on the file system that holds `path` (or its nearest existing parent).
  static func freeBytes(at path: String) -> Int64? {
    var p = path
    while !FileManager.default.fileExists(atPath: p) && p != "/" && !p.isEmpty {
      p = (p as NSString).deletingLastPathComponent
    }
    var s = statvfs()
    guard statvfs(p.isEmpty ? "." : p, &s) == 0 else { return nil }
    return Int64(s.f_bavail) * Int64(s.f_frsize)
  }
}
