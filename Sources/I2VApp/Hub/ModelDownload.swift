import Foundation
import I2VCheckpoint

#if canImport(Glibc)
  import Glibc
#endif

/// `i2v download`: fetches the files a diffusers pipeline needs for one weight variant from the Hugging Face Hub
/// (or an `HF_ENDPOINT` mirror), each checked against the hub's hash before it is accepted, into the hub cache
/// or a plain folder, and records the hub's hashes for `i2v verify`.
public final class ModelDownload {
  public struct Request: Sendable {
    public var repo: String
    public var revision: String
    public var variant: HubFileSelection.Variant
    /// A plain folder instead of the hub cache.
    public var folder: String?

    public init(repo: String, revision: String, variant: HubFileSelection.Variant, folder: String?) {
      self.repo = repo
      self.revision = revision
      self.variant = variant
      self.folder = folder
    }
  }

  public struct Result: Sendable {
    /// The folder to pass as --model (the snapshot, or the plain folder).
    public var model: String
    public var commit: String
    public var files: Int
    public var bytes: Int64
    /// Bytes transferred by this run (0 when everything was already there).
    public var fetched: Int64
    public var seconds: Double
    public var record: String
    /// Served from what was already downloaded, without asking the hub (HF_HUB_OFFLINE).
    public var offline: Bool
  }

  let request: Request
  let environment: HubEnvironment
  let progress: DownloadProgress
  let layout: HubLayout
  /// Seconds between resume attempts of a dropped transfer.
  public var retryDelay: TimeInterval = 1

  public init(_ request: Request, environment: HubEnvironment = HubEnvironment(), progress: DownloadProgress) throws {
    guard HubAPI.isRepoName(request.repo) else {
      throw HubError(.local, "'\(request.repo)' is not a repository name: give ORGANISATION/NAME, e.g. "
        + "ali-vilab/i2vgen-xl")
    }
    guard HubAPI.isSafe(request.revision) else {
      throw HubError(.local, "'\(request.revision)' is not a revision: give a branch, a tag or a commit hash")
    }
    self.request = request
    self.environment = environment
    self.progress = progress
    if let folder = request.folder {
      layout = .plain(folder: URL(fileURLWithPath: folder).standardizedFileURL.path)
    } else {
      layout = .cache(repoFolder: environment.cache + "/" + HubEnvironment.repoFolderName(request.repo))
    }
  }

  public func run() throws -> Result {
    let began = Date()
    if environment.offline { return try offline() }
    let http = HubHTTP(environment: environment)
    let api = HubAPI(http: http, repo: request.repo)
    let commit = try api.commit(revision: request.revision)
    let all = try api.files(commit: commit)
    guard let index = all.first(where: { $0.path == "model_index.json" }) else {
      throw HubError(.notFound, "\(request.repo)@\(request.revision) has no model_index.json: it is not a "
        + "diffusers pipeline repository")
    }
    try HubLayout.makeFolder(layout.root)
    let fetch = BlobFetch(http: http, api: api, commit: commit, progress: progress, retryDelay: retryDelay)

    // model_index.json names the components, so it comes first (linked into the snapshot last).
    if try !isStored(index, commit: commit) { try fetchLocked(index, commit: commit, with: fetch) }
    let components = try Self.components(layout.stored(index, commit: commit))
    let selection = HubFileSelection.select(all, components: components, variant: request.variant)
    for note in selection.notes { progress.notice(note) }

    var missing: [HubRepoFile] = []
    for f in selection.files where try !isStored(f, commit: commit) { missing.append(f) }
    let present = selection.bytes - missing.reduce(0) { $0 + $1.size }
    let partial = missing.reduce(Int64(0)) { $0 + min($1.size, BlobFetch.size(layout.partial($1, commit: commit)) ?? 0) }
    try checkSpace(needed: missing.reduce(0) { $0 + $1.size } - partial)

    progress.start(total: selection.bytes, present: present + partial, files: selection.files.count)
    var corrupt: [String] = []
    var fetchedBytes: Int64 = 0
    for f in missing {
      do {
        if try fetchLocked(f, commit: commit, with: fetch) { fetchedBytes += f.size }
      } catch let e as HubError where e.kind == .integrity {
        progress.notice("error: " + e.description)
        corrupt.append(f.path)
      }
    }
    progress.finish()
    if !corrupt.isEmpty {
      throw HubError(.integrity, "\(corrupt.count) file\(corrupt.count == 1 ? "" : "s") did not match the hub's "
        + "hash and \(corrupt.count == 1 ? "was" : "were") deleted: \(corrupt.joined(separator: ", ")). The other "
        + "files are kept; run the same command again to fetch \(corrupt.count == 1 ? "it" : "them") afresh")
    }

    // Visible only once complete: the record first, model_index.json (what makes a snapshot usable) last.
    for f in selection.files where f.path != index.path { try layout.place(f, commit: commit) }
    let recordPath = layout.releaseRecord(commit: commit)
    try record(all, selection: selection, commit: commit).write(to: recordPath)
    try layout.place(index, commit: commit)
    try layout.recordRef(request.revision, commit: commit)
    return Result(model: layout.modelFolder(commit: commit), commit: commit, files: selection.files.count,
                  bytes: selection.bytes, fetched: fetchedBytes, seconds: Date().timeIntervalSince(began),
                  record: recordPath, offline: false)
  }

  /// Fetches a file under its lock; false when another download stored it meanwhile.
  @discardableResult
  private func fetchLocked(_ file: HubRepoFile, commit: String, with fetch: BlobFetch) throws -> Bool {
    let stored = layout.stored(file, commit: commit)
    try HubLayout.makeFolder((stored as NSString).deletingLastPathComponent)
    let lock = try BlobLock(path: layout.lock(file, cacheRoot: environment.cache), file: file.path, progress: progress)
    defer { withExtendedLifetime(lock) {} }
    if try isStored(file, commit: commit) { return false }
    try fetch.fetch(file, partial: layout.partial(file, commit: commit), final: stored)
    return true
  }

  /// Whether the file's verified bytes are already there. A stored file of the wrong size or hash (damaged,
  /// truncated, replaced) is removed so it is fetched again.
  private func isStored(_ file: HubRepoFile, commit: String) throws -> Bool {
    let path = layout.stored(file, commit: commit)
    guard let size = BlobFetch.size(path) else { return false }
    let actual: String
    let expected: String
    if size != file.size {
      actual = "\(size) bytes"
      expected = "\(file.size)"
    } else if let sha = file.sha256 {
      let cache = FileHashCache()
      defer { cache.save() }
      actual = try cache.sha256(of: path)
      expected = sha.lowercased()
    } else {
      actual = try GitBlobHash.of(file: path)
      expected = file.gitOID.lowercased()
    }
    if actual == expected { return true }
    progress.notice("\(file.path): the stored copy (\(path)) does not match the hub's hash; fetching it again")
    guard unlink(path) == 0 else {
      throw HubError(.local, "cannot remove the damaged \(path): \(String(cString: strerror(errno)))")
    }
    return false
  }

  /// Refuses to start when the files cannot fit, instead of failing hours later.
  private func checkSpace(needed: Int64) throws {
    guard needed > 0, let free = HubLayout.freeBytes(at: layout.root) else { return }
    let margin: Int64 = 64 << 20
    guard needed + margin > free else { return }
    throw HubError(.local, "not enough disk space in \(layout.root): the download needs "
      + "\(Format.bytes(Int(needed))) more and \(Format.bytes(Int(free))) are free; free some space, or download "
      + "elsewhere with --dir DIR (or HF_HUB_CACHE=DIR for the hub cache)")
  }

  /// The component names of a model_index.json (keys whose value is [library, class]).
  static func components(_ path: String) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: path),
          let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { throw HubError(.server, "model_index.json of the repository is not a JSON object") }
    return object.compactMap { key, value in
      guard !key.hasPrefix("_"), let pair = value as? [Any], pair.count == 2, pair[0] is String, pair[1] is String,
            HubAPI.isSafe(key), !key.contains("/")
      else { return nil }
      return key
    }.sorted()
  }

  /// The release record, merged with an earlier one of the same commit (another variant fetched before).
  private func record(_ all: [HubRepoFile], selection: HubFileSelection.Selection, commit: String) -> HubRelease {
    let earlier = (try? HubRelease.load(layout.releaseRecord(commit: commit))).flatMap { $0.commit == commit ? $0 : nil }
    var files: [String: HubRelease.File] = [:]
    for f in all { files[f.path] = HubRelease.File(size: f.size, gitOID: f.gitOID, sha256: f.sha256) }
    let fetched = Set(selection.files.map(\.path)).union(earlier?.fetched ?? [])
    let variants = Set([request.variant.rawValue]).union(earlier?.variants ?? [])
    return HubRelease(repo: request.repo, revision: request.revision, commit: commit, endpoint: environment.endpoint,
                      downloaded: ISO8601DateFormatter().string(from: Date()), tool: "i2v \(I2VVersion.string)",
                      variants: variants.sorted(), files: files, fetched: fetched.sorted())
  }

  /// HF_HUB_OFFLINE: the hub is not asked; what was downloaded before for this revision is used, if complete.
  private func offline() throws -> Result {
    var commit: String?
    switch layout {
    case .cache(let repo):
      if HubAPI.isCommit(request.revision) {
        commit = request.revision
      } else {
        commit = (try? String(contentsOfFile: repo + "/refs/" + request.revision, encoding: .utf8))?
          .trimmingCharacters(in: .whitespacesAndNewlines)
      }
    case .plain:
      commit = (try? HubRelease.load(layout.releaseRecord(commit: "")))?.commit
    }
    let where_ = request.folder ?? environment.cache
    guard let commit, let release = try? HubRelease.load(layout.releaseRecord(commit: commit)),
          release.repo == request.repo, release.revision == request.revision || release.commit == request.revision,
          release.variants.contains(request.variant.rawValue)
    else {
      throw HubError(.offline, "HF_HUB_OFFLINE is set and \(request.repo)@\(request.revision) "
        + "(\(request.variant.rawValue)) has not been downloaded to \(where_); unset HF_HUB_OFFLINE to download it")
    }
    let model = layout.modelFolder(commit: commit)
    let absent = release.fetched.filter { !FileManager.default.fileExists(atPath: model + "/" + $0) }
    guard absent.isEmpty else {
      throw HubError(.offline, "HF_HUB_OFFLINE is set and the download in \(model) is incomplete (missing "
        + "\(absent.joined(separator: ", "))); unset HF_HUB_OFFLINE to fetch the missing files")
    }
    let bytes = release.fetched.reduce(Int64(0)) { $0 + (release.files[$1]?.size ?? 0) }
    return Result(model: model, commit: commit, files: release.fetched.count, bytes: bytes, fetched: 0, seconds: 0,
                  record: layout.releaseRecord(commit: commit), offline: true)
  }
}
