import Foundation
import Hummingbird
import NIOPosix

/// Every route of the server (docs/openapi.yaml documents each; a test checks the two agree).
struct ServeRoutes: Sendable {
  let server: I2VServer

  func register(_ t: RouteTable) {
    registerPage(t)
    registerInfo(t)
    registerJobs(t)
    registerJobFiles(t)
    registerEvents(t)
  }

  /// The job number in the path, or 404 in the API's words.
  static func jobID(_ context: ServeContext) throws -> Int64 {
    let text = context.parameters.get("id") ?? ""
    guard let id = Int64(text), id > 0 else { throw APIError.notFound(job: "'\(text)'") }
    return id
  }

  func job(_ context: ServeContext) throws -> Job {
    let id = try Self.jobID(context)
    guard let job = try server.store.job(id) else { throw APIError.notFound(job: String(id)) }
    return job
  }

  func view(_ job: Job) throws -> JobView {
    let id = job.id ?? 0
    return JobView(job, queuePosition: job.state == .queued ? try server.store.position(of: id) : nil,
                   progress: server.events.progress(of: id))
  }

  /// Blocking work (decoding images, checking a job, the database) on NIO's thread pool, off the event loops.
  static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(work)
  }
}

/// JSON responses with the API's encoding (snake_case keys come from each type's CodingKeys).
struct JSONBody<Value: Encodable & Sendable>: ResponseGenerator {
  var value: Value
  var status: HTTPResponse.Status = .ok
  var headers: HTTPFields = [:]

  init(_ value: Value, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) {
    self.value = value
    self.status = status
    self.headers = headers
  }

  func response(from request: Request, context: some RequestContext) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var h = headers
    h[.contentType] = "application/json; charset=utf-8"
    h[.cacheControl] = "no-store"
    return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
  }
}
