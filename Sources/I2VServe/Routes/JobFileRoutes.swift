import Foundation
import Hummingbird

/// A job's files: the video and its provenance sidecar (once done) and the uploaded image, looked up by the job's
/// number; a client never names a path.
extension ServeRoutes {
  static let videoTypes = ["mp4": "video/mp4", "webm": "video/webm", "gif": "image/gif"]
  static let imageTypes = ["png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "tiff": "image/tiff",
                           "gif": "image/gif", "bmp": "image/bmp"]

  func registerJobFiles(_ t: RouteTable) {
    let server = self.server
    t.on(.get, "/api/jobs/:id/video") { request, context in
      let job = try await Self.blocking { try self.job(context) }
      try Self.requireDone(job)
      let ext = (job.outputFile as NSString).pathExtension
      return try await FileResponse.send(path: server.paths.output(job.outputFile),
                                         contentType: Self.videoTypes[ext] ?? "application/octet-stream",
                                         downloadName: job.outputFile, request: request, context: context)
    }

    t.on(.get, "/api/jobs/:id/sidecar") { request, context in
      let job = try await Self.blocking { try self.job(context) }
      try Self.requireDone(job)
      return try await FileResponse.send(path: server.paths.sidecar(job.outputFile),
                                         contentType: "application/json; charset=utf-8",
                                         downloadName: job.outputFile + ".json", request: request, context: context)
    }

    t.on(.get, "/api/jobs/:id/image") { request, context in
      let job = try await Self.blocking { try self.job(context) }
      let ext = (job.imageFile as NSString).pathExtension
      // Formats a browser cannot show (PPM, QOI) still download as bytes.
      return try await FileResponse.send(path: server.paths.input(job.imageFile),
                                         contentType: Self.imageTypes[ext] ?? "application/octet-stream",
                                         downloadName: job.imageName, request: request, context: context)
    }
  }

  static func requireDone(_ job: Job) throws {
    guard job.state == .done else {
      throw APIError(.conflict, "job \(job.id ?? 0) is \(job.state.rawValue); its video exists once it is done")
    }
  }
}
