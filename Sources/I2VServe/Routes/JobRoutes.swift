import Foundation
import Hummingbird

/// Creating, listing, reading, cancelling, re-queueing and deleting jobs.
extension ServeRoutes {
  struct JobList: Encodable, Sendable {
    var jobs: [JobView]
    var waiting: Int
    var queueLimit: Int
    enum CodingKeys: String, CodingKey { case jobs, waiting, queueLimit = "queue_limit" }
  }

  func registerJobs(_ t: RouteTable) {
    let server = self.server
    t.on(.get, "/api/jobs") { _, _ in
      try await Self.blocking {
        let jobs = try server.store.jobs()
        let queued = jobs.filter { $0.state == .queued }.sorted { ($0.queuedAt, $0.id ?? 0) < ($1.queuedAt, $1.id ?? 0) }
        let positions = Dictionary(uniqueKeysWithValues: queued.enumerated().map { ($1.id ?? 0, $0) })
        return JSONBody(JobList(
          jobs: jobs.map { JobView($0, queuePosition: positions[$0.id ?? 0], progress: server.events.progress(of: $0.id ?? 0)) },
          waiting: queued.count, queueLimit: server.settings.queueLimit))
      }
    }

    t.on(.post, "/api/jobs") { request, context in
      let body = try await request.body.collect(upTo: server.settings.maxUploadBytes)
      let form = try MultipartForm(body: body, contentType: request.headers[.contentType])
      guard let image = form.part("image"), image.body.readableBytes > 0 else {
        throw APIError(.badRequest, "the request has no 'image' part (the picture to animate, as a file)")
      }
      guard let settings = form.part("settings") else {
        throw APIError(.badRequest, "the request has no 'settings' part (a JSON object with at least \"prompt\")")
      }
      if let extra = form.parts.first(where: { $0.name != "image" && $0.name != "settings" }) {
        throw APIError(.badRequest, "unknown part '\(extra.name)'; send 'image' and 'settings' only")
      }
      let upload = JobIntake.Upload(bytes: Array(buffer: image.body), filename: image.filename)
      let json = Data(buffer: settings.body)
      let job = try await Self.blocking {
        do {
          return try JobIntake(session: server.session, store: server.store, paths: server.paths,
                               settings: server.settings).accept(upload, settingsJSON: json)
        } catch {
          throw APIError.from(error)
        }
      }
      let view = try await Self.blocking { try self.view(job) }
      server.events.publish(.job(view))
      server.runner.wake()
      server.log("job \(view.id): queued (\(job.outputFile))")
      return JSONBody(view, status: .created, headers: [.location: "/api/jobs/\(view.id)"])
    }

    t.on(.get, "/api/jobs/:id") { _, context in
      try await Self.blocking { JSONBody(try self.view(try self.job(context))) }
    }

    t.on(.post, "/api/jobs/:id/cancel") { _, context in
      let id = try Self.jobID(context)
      let job = try await Self.blocking {
        try server.store.update(id) { j in
          switch j.state {
          case .queued:
            j.state = .cancelled
            j.finishedAt = Date()
            j.error = "cancelled before it started"
          case .running: break
          default:
            throw APIError(.conflict, "job \(id) is already \(j.state.rawValue); only queued or running jobs can be "
              + "cancelled")
          }
        }
      }
      guard let job else { throw APIError.notFound(job: String(id)) }
      if job.state == .running {
        server.runner.cancel(id)  // it stops at its next step, then becomes cancelled
        server.log("job \(id): cancel requested")
        return JSONBody(try await Self.blocking { try self.view(job) }, status: .accepted)
      }
      let view = try await Self.blocking { try self.view(job) }
      server.events.publish(.job(view))
      server.log("job \(id): cancelled")
      return JSONBody(view)
    }

    t.on(.post, "/api/jobs/:id/requeue") { _, context in
      let id = try Self.jobID(context)
      let job = try await Self.blocking {
        do {
          return try server.store.requeue(id, limit: server.settings.queueLimit) { j in
            guard [.failed, .cancelled, .interrupted].contains(j.state) else {
              throw APIError(.conflict, "job \(id) is \(j.state.rawValue); only failed, cancelled or interrupted jobs "
                + "can be queued again (a done job's settings can be sent again as a new job)")
            }
          }
        } catch { throw APIError.from(error) }
      }
      guard let job else { throw APIError.notFound(job: String(id)) }
      server.runner.forgetCancel(id)
      let view = try await Self.blocking { try self.view(job) }
      server.events.publish(.job(view))
      server.runner.wake()
      server.log("job \(id): queued again")
      return JSONBody(view)
    }

    t.on(.delete, "/api/jobs/:id") { _, context in
      let id = try Self.jobID(context)
      let deleted = try await Self.blocking {
        try server.store.delete(id) { j in
          if j.state == .running {
            throw APIError(.conflict, "job \(id) is running; cancel it first (POST /api/jobs/\(id)/cancel)")
          }
        }
      }
      guard let deleted else { throw APIError.notFound(job: String(id)) }
      // Its files go too: the video and sidecar the server wrote, and the uploaded image.
      for path in [server.paths.output(deleted.outputFile), server.paths.sidecar(deleted.outputFile),
                   server.paths.input(deleted.imageFile)]
      {
        try? FileManager.default.removeItem(atPath: path)
      }
      server.events.publish(.deleted(id))
      server.log("job \(id): deleted")
      return Response(status: .noContent)
    }
  }
}
