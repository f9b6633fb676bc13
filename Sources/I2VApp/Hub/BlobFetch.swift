import Foundation
import I2VCheckpoint

#if canImport(Glibc)
  import Glibc
#endif

/// Fetches one file into a partial file (never under its final name), resuming it with an HTTP Range request
/// when one is there, and moves it into place only once its size and hash match what the hub listed.
/// Dropped connections are resumed a few times within the run (huggingface_hub's `http_get` does the same).
struct BlobFetch {
  let http: HubHTTP
  let api: HubAPI
  let commit: String
  let progress: DownloadProgress
  /// Consecutive attempts without a byte of progress before giving up.
  var attempts = 5
  var retryDelay: TimeInterval = 1

  func fetch(_ file: HubRepoFile, partial: String, final: String) throws {
    let url = try api.resolveURL(commit: commit, path: file.path)
    var have = Self.size(partial) ?? 0
    if have > file.size {
      unlink(partial)
      have = 0
    }
    progress.file(file.path, size: file.size, resumedAt: have)
    var failures = 0
    var lastProblem = ""
    while have < file.size {
      let before = have
      do {
        try attempt(file, url: url, partial: partial, have: &have)
      } catch let e as HubError where e.kind == .network || e.kind == .server {
        lastProblem = e.description
      }
      if have < file.size {
        failures = have > before ? 1 : failures + 1
        if failures >= attempts {
          let why = lastProblem.isEmpty ? "the transfer ended early" : lastProblem
          throw HubError(.network, "the download of \(file.path) was interrupted: \(why). \(Format.bytes(Int(have))) of "
            + "\(Format.bytes(Int(file.size))) are kept in \(partial); run the same command again to resume")
        }
        Thread.sleep(forTimeInterval: retryDelay)
      }
    }
    try check(file, partial: partial)
    guard rename(partial, final) == 0 else {
      throw HubError(.local, "cannot move \(partial) to \(final): \(String(cString: strerror(errno)))")
    }
  }

  /// One request: appends what arrives to the partial file (or restarts it when the server ignores the range).
  private func attempt(_ file: HubRepoFile, url: URL, partial: String, have: inout Int64) throws {
    let fd = open(partial, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw HubError(.local, "cannot create \(partial): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var offset = have
    guard ftruncate(fd, off_t(offset)) == 0, lseek(fd, off_t(offset), SEEK_SET) == offset else {
      throw HubError(.local, "cannot prepare \(partial): \(String(cString: strerror(errno)))")
    }
    var headers = ["Accept-Encoding": "identity"]
    if offset > 0 { headers["Range"] = "bytes=\(offset)-" }
    var writeError: String?
    var started = false
    let reply: HubHTTP.Reply
    defer { have = offset }
    reply = try http.get(url, headers: headers, start: { status, h in
      // A 200 to a Range request is the whole file: start over (huggingface_hub checks Content-Range likewise).
      let from = status == 206 ? Self.rangeStart(h["content-range"]) : 0
      if from != offset {
        guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else { return false }
        progress.advance(-offset)
        offset = 0
        guard from == 0 else { return false }
      }
      started = true
      return true
    }, sink: { data in
      let ok = data.withUnsafeBytes { raw -> Bool in
        var done = 0
        while done < raw.count {
          let n = write(fd, raw.baseAddress! + done, raw.count - done)
          if n < 0 && errno == EINTR { continue }
          if n <= 0 { return false }
          done += n
        }
        return true
      }
      guard ok else {
        writeError = String(cString: strerror(errno))
        return false
      }
      offset += Int64(data.count)
      progress.advance(Int64(data.count))
      return offset <= file.size
    })
    if let writeError {
      throw HubError(.local, "cannot write \(partial): \(writeError); \(Format.bytes(Int(offset))) of "
        + "\(file.path) are kept there: free some space (or choose another place with --dir or HF_HUB_CACHE) "
        + "and run the command again to resume")
    }
    if reply.status == 416 {
      // The partial file does not fit the file (it changed?): start over.
      unlink(partial)
      progress.advance(-offset)
      offset = 0
      throw HubError(.server, "the hub refused to resume \(file.path) (416); restarting it")
    }
    if reply.status >= 500 { throw HubError(.server, "the hub answered \(reply.status) for \(file.path)") }
    try HubStatus.check(reply, url: url, repo: api.repo, revision: commit, file: file.path,
                        environment: http.environment)
    if let served = reply.firstHeaders["x-repo-commit"], served != commit {
      throw HubError(.server, "the hub served \(file.path) from commit \(served), not \(commit) as asked")
    }
    if offset > file.size || !started && offset != file.size {
      throw HubError(.server, "\(file.path): the hub sent \(offset) bytes where it lists \(file.size)")
    }
  }

  /// The hub's hash of the file, checked before it is accepted; a mismatch deletes the bytes.
  private func check(_ file: HubRepoFile, partial: String) throws {
    let got = Self.size(partial) ?? -1
    var actual: String
    let expected: String
    let kind: String
    if got != file.size {
      actual = "\(got) bytes"
      expected = "\(file.size) bytes"
      kind = "size"
    } else if let sha = file.sha256 {
      actual = try FileHashCache.hashFile(partial)
      expected = sha.lowercased()
      kind = "SHA-256"
    } else {
      actual = try GitBlobHash.of(file: partial)
      expected = file.gitOID.lowercased()
      kind = "git blob id"
    }
    guard actual != expected else { return }
    unlink(partial)
    throw HubError(.integrity, "\(file.path): the downloaded bytes do not match the hub's \(kind) (expected "
      + "\(expected), got \(actual)); they were deleted: run the command again to fetch the file afresh")
  }

  static func size(_ path: String) -> Int64? {
    var st = stat()
    return stat(path, &st) == 0 ? Int64(st.st_size) : nil
  }

  /// The first byte of `bytes S-E/T`.
  static func rangeStart(_ header: String?) -> Int64 {
    guard let h = header, h.hasPrefix("bytes ") else { return -1 }
    return Int64(h.dropFirst(6).prefix { $0.isNumber }) ?? -1
  }
}
