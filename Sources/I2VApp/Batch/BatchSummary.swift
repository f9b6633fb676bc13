import Foundation
import I2VCheckpoint
import I2VMedia
import I2VModels

/// What a batch run did, item by item: printed at the end, written to `OUTPUT_DIR/batch-summary.json`
/// (`batch-summary-shard-K-of-N.json` for a shard, so shards sharing a folder keep their own), and printed on
/// stdout with `--json`. Output and sidecar paths are relative to the summary's folder, so the folder can move.
public struct BatchSummary: Codable {
  /// `pending`: not run yet (in `--dry-run` summaries: would run).
  public enum Status: String, Codable { case done, skipped, failed, pending }

  public struct Entry: Codable {
    /// Position in the full, sorted item list (the same in every shard and every run).
    public var position: Int
    public var image: String
    /// `jobs.csv line 4` for manifest rows.
    public var origin: String
    public var status: Status
    public var output: String
    public var sidecar: String?
    public var error: String?
    public var prompt: String?
    public var seed: UInt64?
    public var seconds: Double?
    public var frames: Int?
    public var width: Int?
    public var height: Int?
    public var steps: Int?
    public var guidance: Double?
    public var fps: Int?
    /// `--analyze`: the video's motion in brief (the sidecar has all of it).
    public var motion: Motion?

    public init(position: Int, image: String, origin: String, status: Status, output: String, prompt: String?,
                seed: UInt64?)
    {
      self.position = position
      self.image = image
      self.origin = origin
      self.status = status
      self.output = output
      self.prompt = prompt
      self.seed = seed
    }
  }

  /// An item's motion measures (`--analyze`): enough to sort a batch by jitter or find its weak clips.
  public struct Motion: Codable, Equatable {
    public var rating: String
    public var motionPercentPerSecond: Double
    public var jitterPercent: Double
    public var jitterRatio: Double
    public var warpError: Double
    public var sharpnessMedian: Double
    public var cuts: Int

    public init(_ a: MotionAnalysis) {
      rating = a.verdict.rating
      motionPercentPerSecond = a.clip.motionPercentPerSecond
      jitterPercent = a.clip.jitterPercent
      jitterRatio = a.clip.jitterRatio
      warpError = a.clip.warpError
      sharpnessMedian = a.clip.sharpnessMedian
      cuts = a.clip.cuts.count
    }

    /// The same keys as `i2v analyze --json`'s clip measures.
    public enum CodingKeys: String, CodingKey {
      case rating, motionPercentPerSecond = "motion_pct_diagonal_per_s", jitterPercent = "jitter_pct_diagonal"
      case jitterRatio = "jitter_ratio", warpError = "warp_error", sharpnessMedian = "sharpness_median", cuts
    }

    /// What an earlier run recorded in an output's sidecar (nil when it was not analysed).
    public static func fromSidecar(_ path: String) -> Motion? {
      struct Sidecar: Decodable { var motion: MotionAnalysis? }
      guard let data = FileManager.default.contents(atPath: path) else { return nil }
      return (try? JSONDecoder().decode(Sidecar.self, from: data))?.motion.map(Motion.init)
    }
  }

  public struct Shard: Codable {
    public var index: Int
    public var count: Int
    public var source: String

    public init(index: Int, count: Int, source: String) {
      self.index = index
      self.count = count
      self.source = source
    }
  }

  public struct Counts: Codable {
    public var items = 0
    public var done = 0
    public var skipped = 0
    public var failed = 0
    public var pending = 0
  }

  /// `done` (nothing failed), `failed` (some item failed: the exit status is 1), or `checked` (`--dry-run`).
  public var status = "done"
  public var tool = "i2v \(I2VVersion.string)"
  public var started: String
  public var seconds: Double = 0
  public var inputDir: String?
  public var manifest: String?
  public var outputDir: String
  public var model: String?
  /// Items in the whole batch, before sharding.
  public var totalItems: Int
  public var shard: Shard
  public var counts = Counts()
  public var items: [Entry] = []

  public init(started: String, inputDir: String?, manifest: String?, outputDir: String, model: String?,
              totalItems: Int, shard: Shard)
  {
    self.started = started
    self.inputDir = inputDir
    self.manifest = manifest
    self.outputDir = outputDir
    self.model = model
    self.totalItems = totalItems
    self.shard = shard
  }

  public mutating func add(_ entry: Entry) {
    items.append(entry)
    counts.items += 1
    switch entry.status {
    case .done: counts.done += 1
    case .skipped: counts.skipped += 1
    case .failed: counts.failed += 1
    case .pending: counts.pending += 1
    }
  }

  public static func fileName(for shard: BatchShard) -> String {
    shard.source == .whole ? "batch-summary.json" : "batch-summary-shard-\(shard.index)-of-\(shard.count).json"
  }

  public func json() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    var data = try encoder.encode(self)
    data.append(0x0A)
    return data
  }

  /// Writes the summary like every other output: to a hidden temporary name, renamed into place.
  public func write(to path: String) throws {
    try AtomicFile.write(try json(), to: path) { temp in
      let token = InterruptCleanup.register(temp)
      return { InterruptCleanup.unregister(token) }
    }
  }

  /// The end-of-run report for people: counts, then every failure with its reason.
  public func text(summaryPath: String?) -> String {
    let pending = counts.pending > 0 ? "\(counts.pending) would run, " : ""
    var lines = ["batch: \(pending)\(counts.done) done, \(counts.skipped) skipped (already done), "
      + "\(counts.failed) failed of \(counts.items) in \(Format.clock(seconds))"]
    let failed = items.filter { $0.status == .failed }
    if !failed.isEmpty {
      lines.append("failed:")
      for f in failed { lines.append("  \(f.origin): \(f.error ?? "unknown error")") }
    }
    let analysed = items.filter { $0.motion != nil }.sorted { $0.motion!.jitterPercent > $1.motion!.jitterPercent }
    if !analysed.isEmpty {
      lines.append("motion, most jittery first (jitter % of the diagonal per frame; motion % per second; warp error):")
      for e in analysed {
        let m = e.motion!
        lines.append("  \(e.output): jitter \(Format.fixed(m.jitterPercent, 3))%, motion "
          + "\(Format.fixed(m.motionPercentPerSecond, 2))%/s, warp \(Format.fixed(m.warpError, 2)) — \(m.rating)")
      }
    }
    if let summaryPath { lines.append("summary: \(summaryPath)") }
    return lines.joined(separator: "\n") + "\n"
  }

  /// UTC time as ISO 8601 (`2025-01-31T12:00:00Z`), as in the provenance sidecars.
  public static func timestamp(_ date: Date = Date()) -> String { ISO8601DateFormatter().string(from: date) }
}
