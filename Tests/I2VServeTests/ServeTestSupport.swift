import Foundation
import Hummingbird
import HummingbirdTesting
import I2VApp
import Testing

@testable import I2VServe

/// A server on the bundled tiny model (random weights, seconds per job) with its own output folder.
struct ServeFixture {
  static let root: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
      url.deleteLastPathComponent()
    }
    return url
  }()

  static func fixture(_ path: String) -> String { root.appendingPathComponent("Tests/Fixtures/" + path).path }

  /// The provenance hash cache of test runs stays out of the user's ~/.cache (set once for the process).
  static let cacheHome: String = {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-serve-test-cache-\(getpid())")
    try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    setenv("XDG_CACHE_HOME", d.path, 1)
    return d.path
  }()

  let dir: URL
  let server: I2VServer

  init(configure: (inout ServeSettings) -> Void = { _ in }) throws {
    _ = Self.cacheHome
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-serve-\(UUID().uuidString)")
    var s = ServeSettings()
    s.outputDir = dir.path
    s.model.model = Self.fixture("models/tiny-a")
    s.model.runtime.threads = 1  // tests run in parallel; don't oversubscribe the cores
    configure(&s)
    server = try I2VServer(s, log: { _ in })
  }

  /// Runs `body` against the routes in process; the worker runs jobs unless `worker` is false.
  func test<T>(worker: Bool = true, _ setup: TestingSetup = .router,
               _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T
  {
    defer { server.shutDown() }
    return try await server.makeApplication(startWorker: worker).test(setup, body)
  }

  /// The image fixture's bytes.
  static func image(_ name: String = "landscape_96x72.png") throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: fixture("images/" + name))))
  }
}

/// A multipart/form-data body, as browsers and curl send it.
struct Multipart {
  static let boundary = "i2v-test-boundary-7d1f"
  var body = ByteBuffer()

  mutating func file(_ name: String, filename: String, bytes: [UInt8], type: String = "application/octet-stream") {
    body.writeString("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n"
      + "Content-Type: \(type)\r\n\r\n")
    body.writeBytes(bytes)
    body.writeString("\r\n")
  }

  mutating func field(_ name: String, _ value: String) {
    body.writeString("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
  }

  func finished() -> ByteBuffer {
    var b = body
    b.writeString("--\(Self.boundary)--\r\n")
    return b
  }

  static let contentType = "multipart/form-data; boundary=\(boundary)"

  /// The usual job: an image and its settings.
  static func job(_ settings: String, image: [UInt8]? = nil, filename: String = "landscape.png") throws -> ByteBuffer {
    var m = Multipart()
    m.file("image", filename: filename, bytes: try image ?? ServeFixture.image(), type: "image/png")
    m.field("settings", settings)
    return m.finished()
  }
}

extension TestClientProtocol {
  func postJob(_ settings: String, image: [UInt8]? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
    var h = headers
    h[.contentType] = Multipart.contentType
    return try await execute(uri: "/api/jobs", method: .post, headers: h, body: try Multipart.job(settings, image: image))
  }

  func json(_ uri: String, method: HTTPRequest.Method = .get, body: String? = nil) async throws -> (TestResponse, [String: Any]) {
    let r = try await execute(uri: uri, method: method, headers: body == nil ? [:] : [.contentType: "application/json"],
                              body: body.map { ByteBuffer(string: $0) })
    return (r, (try? JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]) ?? [:])
  }

  /// Polls a job until it is finished (done, failed, cancelled, interrupted) or `seconds` pass.
  func waitFinished(_ id: Int, seconds: Double = 120) async throws -> [String: Any] {
    try await waitFor(id, seconds: seconds) { ["done", "failed", "cancelled", "interrupted"].contains($0["state"] as? String ?? "") }
  }

  func waitFor(_ id: Int, seconds: Double = 120, _ condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
      let (_, job) = try await json("/api/jobs/\(id)")
      if condition(job) || Date() > deadline { return job }
      try await Task.sleep(nanoseconds: 50_000_000)
    }
  }
}

extension TestResponse {
  var text: String { String(buffer: body) }
  var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:] }
  var error: String { object["error"] as? String ?? "" }
}
