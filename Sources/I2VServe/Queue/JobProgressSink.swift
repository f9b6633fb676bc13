import Foundation
import I2VApp

/// The session's progress, turned into job events: the stage, step i of N and the time left (`StepRate`, the
/// CLI bar's numbers). Notices (seed, `guidance auto`, warnings) go to the server's log with the job's number.
/// Called from the worker thread only.
final class JobProgressSink: ProgressSink, @unchecked Sendable {
  private let events: JobEvents
  private let log: @Sendable (String) -> Void
  private var job: Int64?
  private var jobStarted = Date()
  private var stageName = ""
  private var rate = StepRate()
  private var lastSent = Date.distantPast

  init(events: JobEvents, log: @escaping @Sendable (String) -> Void) {
    self.events = events
    self.log = log
  }

  /// The job the following reports belong to (nil between jobs).
  func attach(_ id: Int64?) {
    job = id
    jobStarted = Date()
    stageName = ""
    lastSent = .distantPast
  }

  func note(_ text: String) {}

  func notice(_ text: String) { log(job.map { "job \($0): \(text)" } ?? text) }

  func stage(_ name: String) {
    stageName = name
    send(step: nil, steps: nil, eta: nil)
  }

  func begin(_ label: String) { rate = StepRate() }

  func update(_ done: Int, of total: Int) {
    let now = Date()
    // At most four events a second, but always the first and the last of a stage.
    guard done == 0 || done >= total || now.timeIntervalSince(lastSent) >= 0.25 else { return }
    let reading = rate.reading(done, of: total, now: now)
    send(step: done, steps: total, eta: done > 0 ? reading.remaining : nil)
  }

  private func send(step: Int?, steps: Int?, eta: Double?) {
    guard let job else { return }
    lastSent = Date()
    events.publish(.progress(JobProgress(id: job, stage: stageName, step: step, steps: steps, etaSeconds: eta,
                                         elapsedSeconds: Date().timeIntervalSince(jobStarted))))
  }
}
