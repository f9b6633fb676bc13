import Foundation

/// Live progress of the running job: its stage, the counted step and the time left at the rate so far.
public struct JobProgress: Codable, Sendable, Equatable {
  public var id: Int64
  public var stage: String
  public var step: Int?
  public var steps: Int?
  public var etaSeconds: Double?
  /// Seconds since the job started running.
  public var elapsedSeconds: Double

  enum CodingKeys: String, CodingKey {
    case id, stage, step, steps, etaSeconds = "eta_seconds", elapsedSeconds = "elapsed_seconds"
  }
}

/// What the server tells listeners (`GET /api/events`, `GET /api/jobs/{id}/events`).
public enum ServerEvent: Sendable {
  /// A job was added or changed state (the whole job, as `GET /api/jobs/{id}` returns it).
  case job(JobView)
  case progress(JobProgress)
  case deleted(Int64)
  /// Nothing happened for a while: a comment line keeps proxies from closing the stream and shows a listener
  /// that left.
  case heartbeat

  /// The job it is about (nil: every listener gets it).
  public var jobID: Int64? {
    switch self {
    case .job(let j): return j.id
    case .progress(let p): return p.id
    case .deleted(let id): return id
    case .heartbeat: return nil
    }
  }
}

/// Fans events out to every open event stream, and keeps the running job's latest progress for newcomers.
/// Publishers are the worker thread and request handlers, so this is lock-based rather than an actor: events
/// keep the order they were published in.
public final class JobEvents: @unchecked Sendable {
  private let lock = NSLock()
  private var listeners: [UUID: (job: Int64?, continuation: AsyncStream<ServerEvent>.Continuation)] = [:]
  private var latest: JobProgress?
  private var closed = false

  public init() {}

  /// Sends a heartbeat to every listener every `seconds` until `close`.
  public func startHeartbeat(every seconds: Double = 15) {
    Task.detached { [weak self] in
      while true {
        try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        guard let events = self, !events.isClosed else { return }
        events.publish(.heartbeat)
      }
    }
  }

  private var isClosed: Bool {
    lock.lock()
    defer { lock.unlock() }
    return closed
  }

  /// One listener's stream; `unsubscribe` ends it.
  public struct Subscription: Sendable {
    let key: UUID
    public let stream: AsyncStream<ServerEvent>
  }

  /// The events of one job (or of all with nil), until `unsubscribe` or `close`.
  public func subscribe(job: Int64?) -> Subscription {
    let (stream, continuation) = AsyncStream<ServerEvent>.makeStream(bufferingPolicy: .bufferingNewest(256))
    let key = UUID()
    lock.lock()
    if closed {
      lock.unlock()
      continuation.finish()
    } else {
      listeners[key] = (job, continuation)
      lock.unlock()
    }
    return Subscription(key: key, stream: stream)
  }

  public func unsubscribe(_ s: Subscription) {
    lock.lock()
    let c = listeners.removeValue(forKey: s.key)
    lock.unlock()
    c?.continuation.finish()
  }

  public func publish(_ event: ServerEvent) {
    lock.lock()
    switch event {
    case .progress(let p): latest = p
    case .job(let j) where j.state != .running && latest?.id == j.id: latest = nil
    case .deleted(let id) where latest?.id == id: latest = nil
    default: break
    }
    let targets = listeners.values.filter { $0.job == nil || event.jobID == nil || $0.job == event.jobID }
      .map(\.continuation)
    lock.unlock()
    for c in targets { c.yield(event) }
  }

  /// The running job's last progress, if `id` is running.
  public func progress(of id: Int64) -> JobProgress? {
    lock.lock()
    defer { lock.unlock() }
    return latest?.id == id ? latest : nil
  }

  /// Ends every stream (the server is stopping; open connections must not hold it up).
  public func close() {
    lock.lock()
    closed = true
    let all = listeners.values.map(\.continuation)
    listeners = [:]
    lock.unlock()
    for c in all { c.finish() }
  }

  var listenerCount: Int {
    lock.lock()
    defer { lock.unlock() }
    return listeners.count
  }
}
