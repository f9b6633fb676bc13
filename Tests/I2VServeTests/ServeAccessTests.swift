import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@testable import I2VServe

/// Who may use the server: loopback by default (loopback Host names only), a token everywhere else, requests from
/// other sites refused, never a CORS header.
@Suite struct ServeAccessTests {
  @Test func settings() throws {
    #expect(ServeSettings.isLoopback("127.0.0.1") && ServeSettings.isLoopback("127.1.2.3"))
    #expect(ServeSettings.isLoopback("localhost") && ServeSettings.isLoopback("::1") && ServeSettings.isLoopback("[::1]"))
    #expect(!ServeSettings.isLoopback("0.0.0.0") && !ServeSettings.isLoopback("192.168.1.4"))
    #expect(!ServeSettings.isLoopback("127.0.0.1.evil.example") && !ServeSettings.isLoopback("localhost.example"))
    var s = ServeSettings()
    s.token = "short"
    expectError("at least 16 characters") { try s.validate() }
    s.token = "has spaces in it, sixteen+"
    expectError("only letters, digits") { try s.validate() }
    s.token = "abcdefghijklmnop-_.~"
    try s.validate()
    s.port = 70000
    expectError("--port must be between 0 and 65535") { try s.validate() }
    s.port = 0
    s.queueLimit = 0
    expectError("--queue-limit must be at least 1") { try s.validate() }
  }

  @Test func tokenComparison() {
    let t = AccessToken.generate()
    #expect(t.count == 64 && t.allSatisfy { $0.isHexDigit })
    #expect(AccessToken.generate() != t)
    #expect(AccessToken.matches(t, t))
    #expect(!AccessToken.matches(String(t.dropLast()), t))
    #expect(!AccessToken.matches(t + "0", t))
    #expect(!AccessToken.matches("", t))
    var other = Array(t.utf8)
    other[0] = other[0] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
    #expect(!AccessToken.matches(String(decoding: other, as: UTF8.self), t))
  }

  /// Off loopback a token is generated when none is given; on loopback none is asked for.
  @Test func tokenIsGeneratedOffLoopback() throws {
    let open = try ServeFixture { $0.host = "0.0.0.0" }
    defer { open.server.shutDown() }
    #expect(open.server.token?.count == 64)
    let local = try ServeFixture()
    defer { local.server.shutDown() }
    #expect(local.server.token == nil)
  }

  @Test func everyRequestNeedsTheToken() async throws {
    let token = "test-token-0123456789abcdef"
    let fixture = try ServeFixture {
      $0.host = "0.0.0.0"
      $0.token = token
    }
    try await fixture.test(worker: false) { client in
      for uri in ["/", "/app.js", "/api/model", "/api/jobs", "/api/events", "/api/jobs/1/video"] {
        let r = try await client.execute(uri: uri, method: .get)
        #expect(r.status == .unauthorized, "\(uri)")
        #expect(r.error.contains("access token") && r.headers[.wwwAuthenticate] == "Bearer")
        #expect(r.headers[.xContentTypeOptions] == "nosniff")
      }
      let wrong = try await client.execute(uri: "/api/model", method: .get, headers: [.authorization: "Bearer \(token)x"])
      #expect(wrong.status == .unauthorized)
      let bearer = try await client.execute(uri: "/api/model", method: .get, headers: [.authorization: "Bearer \(token)"])
      #expect(bearer.status == .ok)
      // The address printed at start: the page gets a cookie, so its own requests carry the token.
      let page = try await client.execute(uri: "/?token=\(token)", method: .get)
      #expect(page.status == .ok)
      let cookie = page.headers[.setCookie] ?? ""
      #expect(cookie.contains("i2v_token=\(token)") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
      let withCookie = try await client.execute(uri: "/api/jobs", method: .get, headers: [.cookie: "i2v_token=\(token)"])
      #expect(withCookie.status == .ok)
      let badCookie = try await client.execute(uri: "/api/jobs", method: .get, headers: [.cookie: "i2v_token=nope"])
      #expect(badCookie.status == .unauthorized)
      let job = try await client.postJob(ServeJobTests.smoke, headers: [.authorization: "Bearer \(token)"])
      #expect(job.status == .created)
    }
  }

  @Test func requestsFromOtherSitesAreRefused() async throws {
    let fixture = try ServeFixture()
    try await fixture.test(worker: false) { client in
      let foreign = try await client.postJob(ServeJobTests.smoke, headers: [.origin: "http://evil.example"])
      #expect(foreign.status == .forbidden && foreign.error.contains("another site"))
      #expect(foreign.headers[.accessControlAllowOrigin] == nil)
      let delete = try await client.execute(uri: "/api/jobs/1", method: .delete, headers: [.origin: "null"])
      #expect(delete.status == .forbidden)
      // The page's own requests (same origin) pass.
      let own = try await client.postJob(ServeJobTests.smoke, headers: [.origin: "http://localhost"])
      #expect(own.status == .created, "\(own.text)")
      // Reading is not changed by an Origin (and still gets no CORS header, so another site cannot read it).
      let read = try await client.execute(uri: "/api/jobs", method: .get, headers: [.origin: "http://evil.example"])
      #expect(read.status == .ok && read.headers[.accessControlAllowOrigin] == nil, "\(read.text)")
    }
  }

  /// A page whose name was made to resolve to 127.0.0.1 (DNS rebinding) sends its own name as Host: refused.
  @Test func loopbackServerAnswersOnlyLoopbackNames() async throws {
    let fixture = try ServeFixture()
    try await fixture.test(worker: false, .live) { client in
      let port = try #require(client.port)
      let evil = try RawHTTP.get("/api/model", host: "rebind.evil.example:\(port)", port: port)
      #expect(evil.hasPrefix("HTTP/1.1 403"), "\(evil.prefix(200))")
      #expect(evil.contains("loopback names"))
      for host in ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"] {
        let ok = try RawHTTP.get("/api/model", host: host, port: port)
        #expect(ok.hasPrefix("HTTP/1.1 200"), "\(host): \(ok.prefix(200))")
      }
    }
  }
}

/// `body` throws an error whose message contains `text`.
func expectError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
  do {
    try body()
    Issue.record("no error; expected one saying '\(text)'", sourceLocation: sourceLocation)
  } catch {
    #expect("\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
  }
}

/// One HTTP/1.1 request over a plain socket, with the Host header the test chooses.
enum RawHTTP {
  static func get(_ path: String, host: String, port: Int) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var response = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = recv(fd, &buffer, buffer.count, 0)
      if n <= 0 { break }
      response += buffer[0..<n]
    }
    return String(decoding: response, as: UTF8.self)
  }
}
