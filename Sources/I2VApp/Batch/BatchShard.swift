import Foundation

/// Which part of a batch this process runs: item `i` of the sorted item list belongs to shard `i % count`.
/// The split depends only on the full list (never on what is already done), so every shard of every run agrees,
/// every item belongs to exactly one shard, and shard sizes differ by at most one.
///
/// The shard comes from `--shard K/N` (K counts from 0), else from a Slurm job array
/// (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`, divided by `SLURM_ARRAY_TASK_STEP`, out of
/// `SLURM_ARRAY_TASK_COUNT`), else from a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX` out of `--shard-count`
/// or `I2V_SHARD_COUNT`, which the Job sets to its `completions`), else the whole batch.
public struct BatchShard: Sendable, Equatable, CustomStringConvertible {
  public enum Source: String, Sendable {
    case whole, option, slurm, kubernetes
  }

  public let index: Int
  public let count: Int
  public let source: Source

  public static let whole = BatchShard(unchecked: 0, 1, .whole)

  init(unchecked index: Int, _ count: Int, _ source: Source) {
    self.index = index
    self.count = count
    self.source = source
  }

  public init(index: Int, count: Int, source: Source) throws {
    guard count >= 1 else { throw BatchShardError("the shard count must be at least 1 (got \(count))") }
    guard index >= 0 && index < count else {
      throw BatchShardError("shard \(index) does not exist: with \(count) shards the index runs from 0 to \(count - 1)")
    }
    self.init(unchecked: index, count, source)
  }

  /// Parses `K/N` (e.g. `0/4` … `3/4`).
  public init(parsing text: String) throws {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let k = Int(parts[0].trimmingCharacters(in: .whitespaces)),
      let n = Int(parts[1].trimmingCharacters(in: .whitespaces))
    else {
      throw BatchShardError("--shard must look like K/N, e.g. --shard 0/4 for the first of 4 shards (got '\(text)')")
    }
    guard n >= 1 else { throw BatchShardError("--shard \(text): the shard count N must be at least 1") }
    guard k >= 0 && k < n else {
      throw BatchShardError("--shard \(text): K counts from 0, so with \(n) shards it runs from 0 to \(n - 1)")
    }
    self.init(unchecked: k, n, .option)
  }

  /// The shard for this process: `--shard`, else Slurm, else Kubernetes, else the whole batch.
  public static func resolve(option: String?, countOption: Int?,
                             environment env: [String: String] = ProcessInfo.processInfo.environment) throws -> BatchShard
  {
    if let option {
      guard countOption == nil else {
        throw BatchShardError("--shard-count is for Kubernetes Indexed Jobs; with --shard K/N give the count as N")
      }
      return try BatchShard(parsing: option)
    }
    func value(_ name: String) -> String? {
      guard let v = env[name]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
      return v
    }
    func integer(_ name: String) throws -> Int? {
      guard let v = value(name) else { return nil }
      guard let n = Int(v) else { throw BatchShardError("\(name)='\(v)' is not an integer") }
      return n
    }
    if let id = try integer("SLURM_ARRAY_TASK_ID") {
      guard countOption == nil else {
        throw BatchShardError("--shard-count is for Kubernetes Indexed Jobs; in a Slurm array the count comes "
          + "from SLURM_ARRAY_TASK_COUNT (pass --shard K/N to choose the shard yourself)")
      }
      return try slurm(id: id, count: integer("SLURM_ARRAY_TASK_COUNT"), min: integer("SLURM_ARRAY_TASK_MIN"),
                       max: integer("SLURM_ARRAY_TASK_MAX"), step: integer("SLURM_ARRAY_TASK_STEP"))
    }
    if let index = try integer("JOB_COMPLETION_INDEX") {
      guard let count = try countOption ?? integer("I2V_SHARD_COUNT") else {
        throw BatchShardError("JOB_COMPLETION_INDEX=\(index) is set (a Kubernetes Indexed Job) but not the number of "
          + "shards: set I2V_SHARD_COUNT to the Job's completions, or pass --shard-count N")
      }
      do {
        return try BatchShard(index: index, count: count, source: .kubernetes)
      } catch let e as BatchShardError {
        throw BatchShardError("JOB_COMPLETION_INDEX=\(index) with \(count) shards: \(e.description)")
      }
    }
    if let countOption {
      throw BatchShardError("--shard-count \(countOption) needs JOB_COMPLETION_INDEX (set by Kubernetes Indexed "
        + "Jobs); outside Kubernetes use --shard K/N")
    }
    return .whole
  }

  /// Slurm numbers array tasks as given in `--array` (e.g. 1-8 or 0-15:2); the shard is the task's position.
  static func slurm(id: Int, count: Int?, min: Int?, max: Int?, step: Int?) throws -> BatchShard {
    guard let count else {
      throw BatchShardError("SLURM_ARRAY_TASK_ID=\(id) is set but SLURM_ARRAY_TASK_COUNT is not; run inside "
        + "`sbatch --array=...`, or pass --shard K/N")
    }
    let first = min ?? 0, stride = step ?? 1
    let irregular = BatchShardError("the Slurm array is not a plain range (task \(id), min \(first), step \(stride), "
      + "\(count) tasks): submit with --array=0-\(count - 1) (a '%' limit is fine), or pass --shard K/N")
    guard stride >= 1, id >= first, (id - first) % stride == 0 else { throw irregular }
    if let max, (max - first) / stride + 1 != count { throw irregular }
    let index = (id - first) / stride
    guard index < count else { throw irregular }
    return BatchShard(unchecked: index, count, .slurm)
  }

  /// Whether item `position` (in the full sorted list) belongs to this shard.
  public func contains(_ position: Int) -> Bool { position % count == index }

  public var description: String {
    switch source {
    case .whole: return "all items"
    case .option: return "shard \(index)/\(count)"
    case .slurm: return "shard \(index)/\(count) (Slurm array task)"
    case .kubernetes: return "shard \(index)/\(count) (Kubernetes completion index)"
    }
  }
}

public struct BatchShardError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
