import Foundation
import I2VCheckpoint

/// The Hugging Face Hub's download protocol over `HubTestServer`, serving a fixture model as a repository:
/// `GET /api/models/REPO/revision/REV` (the commit), `GET /api/models/REPO/tree/COMMIT` (paginated with Link
/// headers, sizes, git blob ids, LFS SHA-256), and `GET /REPO/resolve/COMMIT/PATH` with `X-Repo-Commit` and
/// `ETag`/`X-Linked-Etag`, LFS files redirected to a storage path on another host name (`localhost`).
/// Errors as the hub gives them: 401 for an unknown or private repository without a valid token, 404 with
/// `X-Error-Code` for an unknown revision.
final class FakeHub: @unchecked Sendable {
  struct File {
    var path: String
    var content: Data
    var lfs: Bool
    var gitOID: String
    var sha256: String
  }

  let repo: String
  let commit = "0123456789abcdef0123456789abcdef01234567"
  var files: [File] = []
  /// A token the repository requires (a private repository), nil: public.
  var requiredToken: String?
  /// Per path: serve bytes other than the listed ones (same length).
  var corrupt: Set<String> = []
  /// Per path: cut the first transfer after this many bytes.
  var cutOnce: [String: Int] = [:]
  /// Per path: stall the first transfer after this many bytes.
  var stallOnce: [String: Int] = [:]
  /// Per path: answer the first request for the content with 503.
  var unavailableOnce: Set<String> = []
  /// Per path: a size the listing claims instead of the real one.
  var listedSize: [String: Int64] = [:]
  /// Storage requests that carried an Authorization header (must stay empty: the token is the hub's only).
  private(set) var tokensSentToStorage = 0
  private let lock = NSLock()
  private(set) var server: HubTestServer!

  /// Serves `Tests/Fixtures/models/NAME` (links resolved) as `repo`, plus files a pipeline does not need.
  init(repo: String, model: String) throws {
    self.repo = repo
    let root = URL(fileURLWithPath: CLI.fixture("models/\(model)")).resolvingSymlinksInPath()
    let fm = FileManager.default
    for component in try fm.contentsOfDirectory(atPath: root.path).sorted() {
      let url = root.appendingPathComponent(component).resolvingSymlinksInPath()
      var isDir: ObjCBool = false
      fm.fileExists(atPath: url.path, isDirectory: &isDir)
      if !isDir.boolValue {
        try add(component, try Data(contentsOf: url))
        continue
      }
      for name in try fm.contentsOfDirectory(atPath: url.path).sorted() {
        try add("\(component)/\(name)", try Data(contentsOf: url.appendingPathComponent(name)))
      }
    }
    // What the real repository also holds and a download must leave alone.
    try add("README.md", Data("# a test model\n".utf8))
    try add("unet/diffusion_pytorch_model.bin", Data(repeating: 7, count: 5000))
    try add("i2vgen_xl_original.pth", Data(repeating: 9, count: 3000))
    server = try HubTestServer { [unowned self] in self.answer($0) }
  }

  deinit { server.stop() }

  var endpoint: String { server.endpoint }

  func add(_ path: String, _ content: Data) throws {
    let lfs = path.hasSuffix(".safetensors") || path.hasSuffix(".bin") || path.hasSuffix(".pth")
    let sha = SHA256.hex(content)
    // An LFS file's git blob is its pointer file.
    let blob = lfs ? Data("version https://git-lfs.github.com/spec/v1\noid sha256:\(sha)\nsize \(content.count)\n".utf8)
      : content
    files.append(File(path: path, content: content, lfs: lfs, gitOID: try Self.gitHash(blob), sha256: sha))
  }

  func file(_ path: String) -> File { files.first { $0.path == path }! }

  /// `git hash-object`: the hub's blob ids, computed by git itself.
  static func gitHash(_ data: Data) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["git", "hash-object", "--stdin"]
    let input = Pipe(), output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try p.run()
    input.fileHandleForWriting.write(data)
    try input.fileHandleForWriting.close()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Requests for file contents (resolve and storage), as "PATH" or "PATH range=…".
  var contentRequests: [HubTestServer.Request] {
    server.log.filter { $0.path.contains("/resolve/") || $0.path.hasPrefix("/storage/") }
  }

  private func json(_ object: Any, status: Int = 200, headers: [(String, String)] = []) -> HubTestServer.Response {
    HubTestServer.Response(status: status, headers: [("Content-Type", "application/json")] + headers,
                           body: try! JSONSerialization.data(withJSONObject: object))
  }

  private func error(_ status: Int, _ code: String?, _ message: String) -> HubTestServer.Response {
    var h = [("X-Error-Message", message)]
    if let code { h.append(("X-Error-Code", code)) }
    return json(["error": message], status: status, headers: h)
  }

  private func answer(_ r: HubTestServer.Request) -> HubTestServer.Response {
    if r.path.hasPrefix("/storage/") { return storage(r) }
    let apiPrefix = "/api/models/\(repo)/"
    let resolvePrefix = "/\(repo)/resolve/"
    guard r.path.hasPrefix(apiPrefix) || r.path.hasPrefix(resolvePrefix) else {
      return r.headers["authorization"] == nil ? error(401, "RepoNotFound", "Invalid username or password.")
        : error(404, "RepoNotFound", "Repository not found")
    }
    if let token = requiredToken, r.headers["authorization"] != "Bearer \(token)" {
      return error(401, "RepoNotFound", "Invalid username or password.")
    }
    if r.path.hasPrefix(apiPrefix + "revision/") {
      let rev = String(r.path.dropFirst((apiPrefix + "revision/").count)).removingPercentEncoding ?? ""
      guard rev == "main" || rev == commit else { return error(404, "RevisionNotFound", "Invalid rev id: \(rev)") }
      return json(["id": repo, "sha": commit, "siblings": files.map { ["rfilename": $0.path] }])
    }
    if r.path == apiPrefix + "tree/\(commit)" {
      guard r.target.contains("recursive=True") else { return error(400, nil, "expected a recursive listing") }
      return tree(r)
    }
    if r.path.hasPrefix(resolvePrefix + commit + "/") {
      let path = String(r.path.dropFirst((resolvePrefix + commit + "/").count)).removingPercentEncoding ?? ""
      guard let f = files.first(where: { $0.path == path }) else { return error(404, "EntryNotFound", "no \(path)") }
      var headers = [("X-Repo-Commit", commit), ("ETag", "\"\(f.lfs ? f.sha256 : f.gitOID)\"")]
      if f.lfs {
        // Like the hub: LFS content is served by a storage host (here the same server under another name).
        headers += [("X-Linked-Etag", "\"\(f.sha256)\""), ("X-Linked-Size", "\(f.content.count)"),
                    ("Location", "http://localhost:\(server.port)/storage/\(f.sha256)?file=\(path)")]
        return HubTestServer.Response(status: 302, headers: headers)
      }
      return serve(f, r, headers: headers)
    }
    return error(404, "EntryNotFound", "no route for \(r.path)")
  }

  /// The tree, 4 entries a page, linked with `Link: <…>; rel="next"`.
  private func tree(_ r: HubTestServer.Request) -> HubTestServer.Response {
    let cursor = r.target.components(separatedBy: "cursor=").dropFirst().first.flatMap { Int($0) } ?? 0
    var entries: [[String: Any]] = []
    var folders = Set<String>()
    for f in files {
      let size = listedSize[f.path] ?? Int64(f.content.count)
      var e: [String: Any] = ["type": "file", "path": f.path, "size": size, "oid": f.gitOID]
      if f.lfs { e["lfs"] = ["oid": f.sha256, "size": size, "pointerSize": 130] }
      if let slash = f.path.firstIndex(of: "/"), folders.insert(String(f.path[..<slash])).inserted {
        entries.append(["type": "directory", "path": String(f.path[..<slash]), "oid": "0000", "size": 0])
      }
      entries.append(e)
    }
    let page = Array(entries.dropFirst(cursor).prefix(4))
    var headers: [(String, String)] = []
    if cursor + 4 < entries.count {
      headers.append(("Link", "<\(endpoint)/api/models/\(repo)/tree/\(commit)?recursive=True&expand=False&cursor="
        + "\(cursor + 4)>; rel=\"next\""))
    }
    return json(page, headers: headers)
  }

  private func storage(_ r: HubTestServer.Request) -> HubTestServer.Response {
    lock.lock()
    if r.headers["authorization"] != nil { tokensSentToStorage += 1 }
    lock.unlock()
    let sha = String(r.path.dropFirst("/storage/".count))
    guard let f = files.first(where: { $0.sha256 == sha }) else { return error(404, nil, "no such object") }
    return serve(f, r, headers: [])
  }

  /// The content, honouring `Range: bytes=N-`, with the test's faults applied.
  private func serve(_ f: File, _ r: HubTestServer.Request, headers: [(String, String)]) -> HubTestServer.Response {
    var body = f.content
    lock.lock()
    if unavailableOnce.remove(f.path) != nil {
      lock.unlock()
      return error(503, nil, "Service Unavailable")
    }
    let bad = corrupt.contains(f.path)
    let cut = cutOnce.removeValue(forKey: f.path)
    let stall = stallOnce.removeValue(forKey: f.path)
    lock.unlock()
    if bad { body[body.count / 2] ^= 0xFF }
    var status = 200
    var h = headers + [("Accept-Ranges", "bytes")]
    if let range = r.headers["range"], range.hasPrefix("bytes="), range.hasSuffix("-"),
       let start = Int(range.dropFirst(6).dropLast())
    {
      guard start < body.count else { return HubTestServer.Response(status: 416, headers: h) }
      h.append(("Content-Range", "bytes \(start)-\(body.count - 1)/\(body.count)"))
      body = body.subdata(in: start..<body.count)
      status = 206
    }
    return HubTestServer.Response(status: status, headers: h, body: body, cutAfter: cut, stallAfter: stall)
  }
}
