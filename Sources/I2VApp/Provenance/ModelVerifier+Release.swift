import Foundation
import I2VCheckpoint

extension ModelVerifier {
  public struct ReleaseReport: Encodable {
    /// "matches", "differs" or "none" (not downloaded by `i2v download`).
    public var status: String
    public var release: String?
    public var record: String?
    public var matching: Int = 0
    public var differences: [String] = []
  }

  /// Compares the folder with the hub's hashes recorded by `i2v download` (the one-step check that a folder
  /// is the official release). Reuses the SHA-256 values the lock check computed, else hashes afresh.
  public mutating func checkRelease() throws {
    guard let path = HubRelease.existingPath(forModel: folder.path) else {
      release = ReleaseReport(status: "none")
      add("release", .info, "not downloaded with `i2v download`, so there are no hub hashes to compare with")
      return
    }
    let record = try HubRelease.load(path)
    let comparison = try record.compare(folder: folder, sha256: hashes)
    let differs = !comparison.problems.isEmpty
    release = ReleaseReport(status: differs ? "differs" : "matches", release: record.label, record: path,
                            matching: comparison.matching.count, differences: comparison.problems)
    if !differs {
      add("release", .ok, "matches the release \(record.label): \(comparison.matching.count) files have the hub's "
        + "hashes")
      return
    }
    for line in comparison.problems { add("release", .fail, line) }
    add("release", .info, "the folder differs from the release \(record.label) (hashes in \(path)): run "
      + "`i2v download \(record.repo) --revision \(record.revision)` to restore the files")
  }
}
