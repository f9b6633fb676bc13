import Foundation
import Hummingbird

/// Server-Sent Events: every job's changes and progress (`/api/events`, what the page listens to: one connection
/// however many jobs), or one job's, ending when it is finished (`/api/jobs/{id}/events`).
extension ServeRoutes {
  func registerEvents(_ t: RouteTable) {
    let server = self.server
    t.on(.get, "/api/events") { _, _ in
      let subscription = server.events.subscribe(job: nil)
      return ServerSentEvents.response(initial: [], subscription: subscription, events: server.events) { _ in false }
    }

    t.on(.get, "/api/jobs/:id/events") { _, context in
      let id = try Self.jobID(context)
      _ = try await Self.blocking { try self.job(context) }  // 404 for an unknown job
      // Subscribed before the job is read again, so no change falls between the two.
      let subscription = server.events.subscribe(job: id)
      let current: JobView
      do {
        current = try await Self.blocking { try self.view(try self.job(context)) }
      } catch {
        server.events.unsubscribe(subscription)
        throw error
      }
      var initial: [ServerEvent] = [.job(current)]
      if let p = current.progress { initial.append(.progress(p)) }
      return ServerSentEvents.response(initial: initial, subscription: subscription, events: server.events) { event in
        switch event {
        case .job(let j): return j.state.isFinished
        case .deleted: return true
        default: return false
        }
      }
    }
  }
}
