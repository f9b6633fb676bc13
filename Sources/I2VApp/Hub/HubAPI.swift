import Foundation

/// One file of a repository at a commit, as the hub's tree API lists it.
public struct HubRepoFile: Codable, Equatable, Sendable {
  public var path: String
  public var size: Int64
  /// The git blob id (SHA-1 of "blob SIZE\0" + content; for LFS files, of the pointer file).
  public var gitOID: String
  /// LFS files: the SHA-256 of the content (`lfs.oid`).
  public var sha256: String?

  public init(path: String, size: Int64, gitOID: String, sha256: String?) {
    self.path = path
    self.size = size
    self.gitOID = gitOID
    self.sha256 = sha256
  }

  /// The file's name in the cache's `blobs/` folder: the ETag huggingface_hub names blobs after, which is the
  /// SHA-256 for LFS files and the git blob id otherwise.
  public var blobName: String { sha256 ?? gitOID }

  enum CodingKeys: String, CodingKey {
    case path, size, gitOID = "git_oid", sha256
  }
}

/// The hub's JSON API: which commit a revision is, and the files of a commit (huggingface_hub's `hf_api.py`:
/// `model_info` = `GET /api/models/REPO/revision/REV`, `list_repo_tree` = `GET /api/models/REPO/tree/REV`,
/// paginated with `Link: <…>; rel="next"`).
final class HubAPI {
  let http: HubHTTP
  let repo: String

  init(http: HubHTTP, repo: String) {
    self.http = http
    self.repo = repo
  }

  var endpoint: String { http.environment.endpoint }

  /// The commit hash a branch, tag or commit names.
  func commit(revision: String) throws -> String {
    let url = try Self.url(endpoint + "/api/models/\(repo)/revision/" + Self.quote(revision))
    let reply = try http.get(url)
    try HubStatus.check(reply, url: url, repo: repo, revision: revision, environment: http.environment)
    guard let object = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any],
          let sha = object["sha"] as? String, Self.isCommit(sha)
    else { throw HubError(.server, "\(url.absoluteString) did not answer with a commit hash (field 'sha')") }
    return sha
  }

  /// Every file of the repository at `commit`, with sizes and hashes.
  func files(commit: String) throws -> [HubRepoFile] {
    var next: URL? = try Self.url(endpoint + "/api/models/\(repo)/tree/\(commit)?recursive=True&expand=False")
    var files: [HubRepoFile] = []
    var pages = 0
    while let url = next {
      pages += 1
      guard pages <= 1000 else { throw HubError(.server, "the file list of \(repo) never ends (over 1000 pages)") }
      let reply = try http.get(url)
      try HubStatus.check(reply, url: url, repo: repo, revision: commit, environment: http.environment)
      guard let entries = try? JSONSerialization.jsonObject(with: reply.body) as? [[String: Any]] else {
        throw HubError(.server, "\(url.absoluteString) did not answer with a JSON list of files")
      }
      for e in entries where e["type"] as? String == "file" {
        guard let path = e["path"] as? String, let size = (e["size"] as? NSNumber)?.int64Value,
              let oid = e["oid"] as? String
        else { throw HubError(.server, "\(url.absoluteString): a file entry lacks path, size or oid: \(e)") }
        guard Self.isSafe(path) else { throw HubError(.server, "\(repo) lists a file with an unsafe path: '\(path)'") }
        let lfs = (e["lfs"] as? [String: Any])?["oid"] as? String
        files.append(HubRepoFile(path: path, size: size, gitOID: oid, sha256: lfs))
      }
      next = reply.headers["link"].flatMap { Self.nextLink($0, relativeTo: url) }
    }
    return files.sorted { $0.path < $1.path }
  }

  /// The file's download URL, by commit so every file comes from the same one (`hf_hub_url`).
  func resolveURL(commit: String, path: String) throws -> URL {
    try Self.url(endpoint + "/\(repo)/resolve/\(commit)/" + path.split(separator: "/").map { Self.quote(String($0)) }
      .joined(separator: "/"))
  }

  static func url(_ text: String) throws -> URL {
    guard let u = URL(string: text), u.scheme == "http" || u.scheme == "https" else {
      throw HubError(.local, "not a usable hub address: \(text) (check HF_ENDPOINT)")
    }
    return u
  }

  /// Percent-encodes everything but unreserved characters (`quote(s, safe="")`).
  static func quote(_ s: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
  }

  static func isCommit(_ s: String) -> Bool { s.count == 40 && s.allSatisfy(\.isHexDigit) }

  /// A relative path with plain components: nothing the hub lists may land outside the target folder.
  static func isSafe(_ path: String) -> Bool {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    return !path.isEmpty && !path.contains("\\") && !path.contains("\0")
      && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
  }

  /// `ORG/NAME` with the characters hub names allow.
  static func isRepoName(_ s: String) -> Bool {
    let parts = s.split(separator: "/", omittingEmptySubsequences: false)
    let ok = { (p: Substring) in
      !p.isEmpty && p != "." && p != ".." && !p.contains("--")
        && p.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }
    }
    return parts.count == 2 && parts.allSatisfy(ok)
  }

  /// The `rel="next"` target of a Link header.
  static func nextLink(_ header: String, relativeTo base: URL) -> URL? {
    for part in header.split(separator: ",") {
      let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
      guard let target = fields.first, target.hasPrefix("<"), target.hasSuffix(">"),
            fields.dropFirst().contains(where: { $0.replacingOccurrences(of: "\"", with: "") == "rel=next" })
      else { continue }
      return URL(string: String(target.dropFirst().dropLast()), relativeTo: base)?.absoluteURL
    }
    return nil
  }
}
