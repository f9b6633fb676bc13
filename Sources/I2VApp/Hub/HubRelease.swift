import Foundation
import I2VCheckpoint

/// The hub's own hashes of a release, recorded by `i2v download` beside the files it fetched, so `i2v verify`
/// can say whether a folder still holds exactly that release: every file of the repository at the commit (size,
/// git blob id, and for LFS files the SHA-256), and which of them were downloaded.
public struct HubRelease: Codable, Equatable, Sendable {
  public static let plainFileName = "i2v.release.json"

  public struct File: Codable, Equatable, Sendable {
    public var size: Int64
    public var gitOID: String
    public var sha256: String?

    enum CodingKeys: String, CodingKey { case size, gitOID = "git_oid", sha256 }
  }

  public var version = 1
  public var repo: String
  /// As asked for (a branch, tag or commit).
  public var revision: String
  public var commit: String
  public var endpoint: String
  /// ISO 8601, when the download finished.
  public var downloaded: String
  public var tool: String
  public var variants: [String]
  /// Every file of the repository at the commit.
  public var files: [String: File]
  /// The files fetched into this folder.
  public var fetched: [String]

  enum CodingKeys: String, CodingKey {
    case version, repo, revision, commit, endpoint, downloaded, tool, variants, files, fetched
  }

  /// "ali-vilab/i2vgen-xl@main (commit 0123abcd4567)".
  public var label: String {
    "\(repo)@\(revision)" + (revision == commit ? "" : " (commit \(commit.prefix(12)))")
  }

  /// The record of a model folder, if it was downloaded by i2v: `DIR/i2v.release.json`, or for a hub-cache
  /// snapshot `models--ORG--NAME/i2v-release/<commit>.json`.
  public static func existingPath(forModel model: String) -> String? {
    let fm = FileManager.default
    let plain = (model as NSString).appendingPathComponent(plainFileName)
    if fm.fileExists(atPath: plain) { return plain }
    let real = URL(fileURLWithPath: model).resolvingSymlinksInPath().standardizedFileURL.path
    let parent = (real as NSString).deletingLastPathComponent
    guard (parent as NSString).lastPathComponent == "snapshots" else { return nil }
    let record = (parent as NSString).deletingLastPathComponent + "/i2v-release/"
      + (real as NSString).lastPathComponent + ".json"
    return fm.fileExists(atPath: record) ? record : nil
  }

  public static func load(_ path: String) throws -> HubRelease {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CheckpointError(path, "cannot read the release record")
    }
    do { return try JSONDecoder().decode(HubRelease.self, from: data) } catch {
      throw CheckpointError(path, "not a valid release record (\(error)); run `i2v download` again to rewrite it")
    }
  }

  func write(to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    do { try AtomicFile.write(try encoder.encode(self), to: path, track: HubLayout.trackTemporary) } catch {
      throw HubError(.local, "cannot write the release record: \(error)")
    }
  }

  /// How a folder's files differ from the release.
  public struct Comparison: Sendable {
    /// Files compared and found equal.
    public var matching: [String] = []
    /// One line per file that differs, is missing, or is not part of the release.
    public var problems: [String] = []
  }

  /// Compares the fetched files, and every other file i2v would read, with the hub's hashes. `sha256` gives
  /// already computed SHA-256 values (relative path → record); the rest are hashed here, afresh.
  public func compare(folder: ModelFolder, sha256 known: [String: FileRecord]?) throws -> Comparison {
    var result = Comparison()
    let present = Set(folder.readableFiles())
    let fm = FileManager.default
    for path in Set(fetched).union(present).sorted() {
      guard let expected = files[path] else {
        result.problems.append("\(path) is not part of the release")
        continue
      }
      let full = folder.absolute(path)
      guard fm.fileExists(atPath: full) else {
        result.problems.append("\(path) is missing")
        continue
      }
      let size = BlobFetch.size(full) ?? -1  // stat follows the snapshot's links to the blobs
      if size != expected.size {
        result.problems.append("\(path) differs: \(size) bytes here, \(expected.size) in the release")
        continue
      }
      if let sha = expected.sha256 {
        let actual = try known?[path]?.sha256 ?? FileHashCache.hashFile(full, displayPath: path)
        if actual.lowercased() != sha.lowercased() {
          result.problems.append("\(path) differs: SHA-256 \(actual.prefix(16))… here, the hub's \(sha.prefix(16))…")
          continue
        }
      } else {
        let actual = try GitBlobHash.of(file: full)
        if actual != expected.gitOID.lowercased() {
          result.problems.append("\(path) differs: git blob \(actual.prefix(12)) here, the hub's "
            + "\(expected.gitOID.prefix(12))")
          continue
        }
      }
      result.matching.append(path)
    }
    return result
  }
}
