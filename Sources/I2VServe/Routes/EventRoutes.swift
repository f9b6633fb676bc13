import Foundation
import Hummingbird

/// Server-Sent Events: every job's changes and progress (`/api/events`, what the page listens to: one connection
/// however many jobs), or one job's, ending when it is finished (`/api/jobs/{id}/events`).
extension ServeRoutes {
  func registerEvents(_ t: RouteTable) {
    let server = self.server
    t.on(.get, "/api/events") { _, _ in
      let stream = server.events.subscribe(job: nil)
      return ServerSentEvents.response(initial: [], stream: stream, events: server.events) { _ in false }
    }

    t.on(.get, "/api/jobs/:id/events") { _, context in
      // Subscribed before the job is read, so no change falls between the two.
      let id = try Self.jobID(context)
      let stream = server.events.subscribe(job: id)
      let job = try await Self.blocking { try self.job(context) }
      let current = try await Self.blocking { try self.view(job) }
      var initial: [ServerEvent] = [.job(current)]
      if let p = current.progress { initial.append(.progress(p)) }
      return ServerSentEvents.response(initial: initial, stream: stream, events: server.events) { event in
        switch event {
        case .job(let j): return j.state.isFinished
        case .deleted: return true
        default: return false
        }
      }
    }
  }
}
