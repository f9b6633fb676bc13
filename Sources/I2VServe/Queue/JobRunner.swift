import Foundation
import I2VApp

/// The one worker: takes queued jobs oldest first and runs each through the same `GenerationSession` as
/// `generate` and `batch` (prepare, run, atomic outputs, provenance sidecar), on one thread, with the model
/// loaded by the first job and kept. Cancelling the running job goes through the session's `isCancelled`.
final class JobRunner: @unchecked Sendable {
  let session: GenerationSession
  let sink: JobProgressSink
  let store: JobStore
  let events: JobEvents
  let paths: ServePaths
  let log: @Sendable (String) -> Void

  private let condition = NSCondition()
  private var wakeups = 1  // > 0: look at the queue (at start: jobs a previous server left queued)
  private var stopping = false
  private var stopped = false
  private var cancelRequests: Set<Int64> = []
  private var started = false
  private var loaded = false

  /// Whether the model's weights are in memory (read from the worker, which owns the session's pipeline).
  var modelLoaded: Bool {
    condition.lock()
    defer { condition.unlock() }
    return loaded
  }

  init(session: GenerationSession, sink: JobProgressSink, store: JobStore, events: JobEvents, paths: ServePaths,
       log: @escaping @Sendable (String) -> Void)
  {
    (self.session, self.sink, self.store, self.events, self.paths, self.log) = (session, sink, store, events, paths, log)
  }

  func start() {
    condition.lock()
    defer { condition.unlock() }
    guard !started else { return }
    started = true
    let thread = Thread { [self] in work() }
    thread.name = "i2v-serve jobs"
    thread.stackSize = 16 << 20
    thread.start()
  }

  /// A job was queued.
  func wake() {
    condition.lock()
    wakeups += 1
    condition.signal()
    condition.unlock()
  }

  /// Asks the running job `id` to stop (it ends as cancelled at its next step). Also works when the worker is
  /// just taking the job from the queue.
  func cancel(_ id: Int64) {
    condition.lock()
    cancelRequests.insert(id)
    condition.unlock()
  }

  /// A job that is queued again starts without the cancel request of an earlier run.
  func forgetCancel(_ id: Int64) {
    condition.lock()
    cancelRequests.remove(id)
    condition.unlock()
  }

  private func isCancelled(_ id: Int64) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    return stopping || cancelRequests.contains(id)
  }

  /// Stops taking jobs, stops the running one (it becomes interrupted) and waits for the worker to end.
  func stop() {
    condition.lock()
    stopping = true
    condition.broadcast()
    if started { while !stopped { condition.wait() } }
    condition.unlock()
  }

  private func work() {
    while true {
      condition.lock()
      while wakeups == 0 && !stopping { condition.wait() }
      wakeups = 0
      if stopping {
        stopped = true
        condition.broadcast()
        condition.unlock()
        return
      }
      condition.unlock()
      while !isStopping, let job = claim() { run(job) }
    }
  }

  private var isStopping: Bool {
    condition.lock()
    defer { condition.unlock() }
    return stopping
  }

  private func claim() -> Job? {
    do { return try store.claimNext() } catch {
      log("error: cannot read the queue (\(error)); retrying when the next job is queued")
      return nil
    }
  }

  private func run(_ job: Job) {
    guard let id = job.id else { return }
    publish(job)
    log("job \(id): running (\(job.outputFile))")
    sink.attach(id)
    sink.stage("checking")
    defer { sink.attach(nil) }
    var outcome: (state: JobState, error: String?, result: GenerationSession.Result?)
    do {
      let settings = try JobSettings(fields: job.settings)
      let item = GenerationSession.Item(image: paths.input(job.imageFile), prompt: settings.prompt,
                                        output: paths.output(job.outputFile), framesDir: nil,
                                        options: settings.generation, saveTensors: nil)
      let prepared = try session.prepare(item)
      let result = try session.run(prepared) { [self] in isCancelled(id) }
      outcome = (.done, nil, result)
    } catch {
      let f = GenerationFailure(error, session: session)
      if f.kind == .cancelled {
        outcome = isStopping && !cancelRequested(id)
          ? (.interrupted, "the server was stopped while this job ran; nothing was written. Re-queue it to run it again",
             nil)
          : (.cancelled, f.message, nil)
      } else {
        outcome = (.failed, f.message, nil)
      }
    }
    condition.lock()
    cancelRequests.remove(id)
    loaded = session.pipeline != nil
    condition.unlock()
    do {
      let updated = try store.update(id) { j in
        j.state = outcome.state
        j.finishedAt = Date()
        j.error = outcome.error
        if let r = outcome.result {
          j.outputSHA256 = r.provenance.output.sha256
          j.timings = r.provenance.timings
          j.warnings = r.warnings
        }
      }
      if let updated { publish(updated) }
      let how = outcome.result.map { "in \(Format.fixed($0.seconds, 1)) s, seed \($0.seed)" } ?? (outcome.error ?? "")
      log("job \(id): \(outcome.state.rawValue) \(how)")
    } catch {
      log("error: job \(id) finished as \(outcome.state.rawValue) but the queue could not record it: \(error)")
    }
  }

  private func cancelRequested(_ id: Int64) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    return cancelRequests.contains(id)
  }

  private func publish(_ job: Job) {
    events.publish(.job(JobView(job, progress: job.id.flatMap { events.progress(of: $0) })))
  }
}
