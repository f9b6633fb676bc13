import Foundation

/// Speed and time left of a counted activity (denoising steps, decoded frames), measured from when it began:
/// the CLI's progress bar and the server's job events report the same numbers.
public struct StepRate: Sendable {
  public var started: Date

  public init(started: Date = Date()) { self.started = started }

  public struct Reading: Sendable, Equatable {
    public var elapsed: Double
    /// Items per second (0 before the first is done).
    public var perSecond: Double
    /// Seconds left at the rate so far (0 before the first item is done: unknown).
    public var remaining: Double
  }

  public func reading(_ done: Int, of total: Int, now: Date = Date()) -> Reading {
    let elapsed = now.timeIntervalSince(started)
    let rate = done > 0 && elapsed > 0 ? Double(done) / elapsed : 0
    return Reading(elapsed: elapsed, perSecond: rate, remaining: rate > 0 ? Double(total - done) / rate : 0)
  }
}
