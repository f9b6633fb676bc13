import Foundation
import I2VApp
import I2VCheckpoint
import I2VMedia
import I2VModels

/// What a batch run did, item by item: printed at the end, written to `OUTPUT_DIR/batch-summary.json`
/// (`batch-summary-shard-K-of-N.json` for a shard, so shards sharing a folder keep their own), and printed on
/// stdout with `--json`. Output and sidecar paths are relative to the summary's folder, so the folder can move.
struct BatchSummary: Codable {
  /// `pending`: not run yet (in `--dry-run` summaries: would run).
  enum Status: String, Codable { case done, skipped, failed, pending }

  struct Entry: Codable {
    /// Position in the full, sorted item list (the same in every shard and every run).
    var position: Int
    var image: String
    /// `jobs.csv line 4` for manifest rows.
    var origin: String
    var status: Status
    var output: String
    var sidecar: String?
    var error: String?
    var prompt: String?
    var seed: UInt64?
    var seconds: Double?
    var frames: Int?
    var width: Int?
    var height: Int?
    var steps: Int?
    var guidance: Double?
    var fps: Int?
  }

  struct Shard: Codable {
    var index: Int
    var count: Int
    var source: String
  }

  struct Counts: Codable {
    var items = 0
    var done = 0
    var skipped = 0
    var failed = 0
    var pending = 0
  }

  /// `done` (nothing failed), `failed` (some item failed: the exit status is 1), or `checked` (`--dry-run`).
  var status = "done"
  var tool = "i2v \(I2VVersion.string)"
  var started: String
  var seconds: Double = 0
  var inputDir: String?
  var manifest: String?
  var outputDir: String
  var model: String?
  /// Items in the whole batch, before sharding.
  var totalItems: Int
  var shard: Shard
  var counts = Counts()
  var items: [Entry] = []

  mutating func add(_ entry: Entry) {
    items.append(entry)
    counts.items += 1
    switch entry.status {
    case .done: counts.done += 1
    case .skipped: counts.skipped += 1
    case .failed: counts.failed += 1
    case .pending: counts.pending += 1
    }
  }

  static func fileName(for shard: BatchShard) -> String {
    shard.source == .whole ? "batch-summary.json" : "batch-summary-shard-\(shard.index)-of-\(shard.count).json"
  }

  func json() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    var data = try encoder.encode(self)
    data.append(0x0A)
    return data
  }

  /// Writes the summary like every other output: to a hidden temporary name, renamed into place.
  func write(to path: String) throws {
    try AtomicFile.write(try json(), to: path) { temp in
      let token = InterruptCleanup.register(temp)
      return { InterruptCleanup.unregister(token) }
    }
  }

  /// The end-of-run report for people: counts, then every failure with its reason.
  func text(summaryPath: String?) -> String {
    let pending = counts.pending > 0 ? "\(counts.pending) would run, " : ""
    var lines = ["batch: \(pending)\(counts.done) done, \(counts.skipped) skipped (already done), "
      + "\(counts.failed) failed of \(counts.items) in \(ProgressReporter.clock(seconds))"]
    let failed = items.filter { $0.status == .failed }
    if !failed.isEmpty {
      lines.append("failed:")
      for f in failed { lines.append("  \(f.origin): \(f.error ?? "unknown error")") }
    }
    if let summaryPath { lines.append("summary: \(summaryPath)") }
    return lines.joined(separator: "\n") + "\n"
  }

  /// UTC time as ISO 8601 (`2025-01-31T12:00:00Z`), as in the provenance sidecars.
  static func timestamp(_ date: Date = Date()) -> String { ISO8601DateFormatter().string(from: date) }
}
