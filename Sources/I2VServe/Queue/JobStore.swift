import Foundation
import GRDB

/// The job queue in SQLite (`<output-dir>/.i2v-serve/queue.sqlite`): every job's settings, state, outputs,
/// errors and timings survive a restart. All changes of state go through here, each in one transaction.
public final class JobStore: Sendable {
  let db: DatabaseQueue
  public let path: String

  public struct QueueFull: Error, CustomStringConvertible {
    public let limit: Int
    public var description: String {
      "the queue is full (\(limit) jobs waiting); wait for some to finish, or cancel queued ones"
    }
  }

  /// Opens (creating if needed) the queue; `recoverInterrupted` then settles what a previous server left running.
  public init(path: String) throws {
    self.path = path
    var config = Configuration()
    config.busyMode = .timeout(5)  // a second server on the same folder waits rather than failing at once
    db = try DatabaseQueue(path: path, configuration: config)
    try Self.migrator.migrate(db)
  }

  static var migrator: DatabaseMigrator {
    var m = DatabaseMigrator()
    m.registerMigration("v1") { db in
      try db.create(table: "job") { t in
        t.autoIncrementedPrimaryKey("id")  // AUTOINCREMENT: a deleted job's id (and output name) is never reused
        t.column("state", .text).notNull().indexed()
        t.column("created_at", .datetime).notNull()
        t.column("queued_at", .datetime).notNull()
        t.column("started_at", .datetime)
        t.column("finished_at", .datetime)
        t.column("prompt", .text).notNull()
        t.column("settings", .jsonText).notNull()
        t.column("resolved", .jsonText).notNull()
        t.column("image_name", .text).notNull()
        t.column("image_file", .text).notNull()
        t.column("image_sha256", .text).notNull()
        t.column("output_file", .text).notNull()
        t.column("output_sha256", .text)
        t.column("error", .text)
        t.column("warnings", .jsonText).notNull()
        t.column("timings", .jsonText)
      }
    }
    return m
  }

  /// Jobs left `running` by a server that stopped (crash, kill, power loss) become `interrupted`; returns them.
  @discardableResult
  public func recoverInterrupted(now: Date = Date()) throws -> [Int64] {
    try db.write { db in
      let stale = try Job.filter(Column("state") == JobState.running.rawValue).fetchAll(db)
      for var job in stale {
        job.state = .interrupted
        job.finishedAt = now
        job.error = "the server stopped while this job was running; nothing was written. Re-queue it to run it again"
        try job.update(db)
      }
      return stale.compactMap(\.id)
    }
  }

  /// Adds a job at the end of the queue, unless `limit` jobs are already waiting.
  public func enqueue(_ job: Job, limit: Int) throws -> Job {
    try db.write { db in
      let waiting = try Job.filter(Column("state") == JobState.queued.rawValue).fetchCount(db)
      guard waiting < limit else { throw QueueFull(limit: limit) }
      var j = job
      try j.insert(db)
      return j
    }
  }

  public func job(_ id: Int64) throws -> Job? { try db.read { try Job.fetchOne($0, key: id) } }

  /// Newest first.
  public func jobs(limit: Int = 200) throws -> [Job] {
    try db.read { try Job.order(Column("id").desc).limit(limit).fetchAll($0) }
  }

  /// How many queued jobs run before this one (0: it is next).
  public func position(of id: Int64) throws -> Int {
    try db.read { db in
      guard let job = try Job.fetchOne(db, key: id) else { return 0 }
      let at = Column("queued_at")
      return try Job.filter(Column("state") == JobState.queued.rawValue
        && (at < job.queuedAt || (at == job.queuedAt && Column("id") < id))).fetchCount(db)
    }
  }

  public func waitingCount() throws -> Int {
    try db.read { try Job.filter(Column("state") == JobState.queued.rawValue).fetchCount($0) }
  }

  /// Takes the job queued longest ago and marks it running.
  public func claimNext(now: Date = Date()) throws -> Job? {
    try db.write { db in
      guard var job = try Job.filter(Column("state") == JobState.queued.rawValue)
        .order(Column("queued_at"), Column("id")).fetchOne(db)
      else { return nil }
      job.state = .running
      job.startedAt = now
      try job.update(db)
      return job
    }
  }

  /// Applies `change` to a job in one transaction; nil when it does not exist.
  @discardableResult
  public func update(_ id: Int64, _ change: (inout Job) throws -> Void) throws -> Job? {
    try db.write { db in
      guard var job = try Job.fetchOne(db, key: id) else { return nil }
      try change(&job)
      try job.update(db)
      return job
    }
  }

  /// Deletes a job in one transaction after `check` accepts it (it throws to refuse); nil when it does not exist.
  public func delete(_ id: Int64, check: (Job) throws -> Void = { _ in }) throws -> Job? {
    try db.write { db in
      guard let job = try Job.fetchOne(db, key: id) else { return nil }
      try check(job)
      try job.delete(db)
      return job
    }
  }

  /// Puts a finished job back at the end of the queue (same settings, seed and output name), unless `limit`
  /// jobs are waiting; `check` may refuse it.
  public func requeue(_ id: Int64, limit: Int, check: (Job) throws -> Void) throws -> Job? {
    try db.write { db in
      guard var job = try Job.fetchOne(db, key: id) else { return nil }
      try check(job)
      let waiting = try Job.filter(Column("state") == JobState.queued.rawValue).fetchCount(db)
      guard waiting < limit else { throw QueueFull(limit: limit) }
      job.state = .queued
      job.queuedAt = Date()  // last in line
      (job.startedAt, job.finishedAt, job.error, job.outputSHA256, job.timings) = (nil, nil, nil, nil, nil)
      try job.update(db)
      return job
    }
  }
}
