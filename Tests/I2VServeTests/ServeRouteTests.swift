import Foundation
import Hummingbird
import HummingbirdTesting
import I2VApp
import Testing

@testable import I2VServe

/// The routes the server registers are the ones docs/openapi.yaml documents; the page, model and preset routes.
@Suite struct ServeRouteTests {
  /// `paths:` of the OpenAPI file: each path with its methods (the file's own two-space layout).
  static func documentedRoutes() throws -> Set<RouteTable.Entry> {
    let text = try String(contentsOf: ServeFixture.root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
    var routes: Set<RouteTable.Entry> = []
    var inPaths = false
    var current: String?
    let methods: Set<String> = ["get", "post", "put", "patch", "delete", "head", "options"]
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line == "paths:" { inPaths = true; continue }
      guard inPaths else { continue }
      if !line.hasPrefix(" ") && !line.isEmpty { break }  // the next top-level key
      if line.hasPrefix("  /") && line.hasSuffix(":") && !line.hasPrefix("   ") {
        current = String(line.dropFirst(2).dropLast())
      } else if line.hasPrefix("    ") && !line.hasPrefix("     "), let path = current {
        let key = line.trimmingCharacters(in: .whitespaces).split(separator: ":").first.map(String.init) ?? ""
        if methods.contains(key) { routes.insert(.init(method: key.uppercased(), path: path)) }
      }
    }
    return routes
  }

  @Test func registeredRoutesMatchTheOpenAPIFile() throws {
    let fixture = try ServeFixture()
    defer { fixture.server.shutDown() }
    let registered = Set(fixture.server.makeRouter().1)
    let documented = try Self.documentedRoutes()
    #expect(documented.count >= 17)
    #expect(registered.subtracting(documented).isEmpty, "served but not documented: \(registered.subtracting(documented))")
    #expect(documented.subtracting(registered).isEmpty, "documented but not served: \(documented.subtracting(registered))")
  }

  /// Every registered route answers (not the router's 404), so the table is what the router holds.
  @Test func everyRegisteredRouteIsServed() async throws {
    let fixture = try ServeFixture()
    let routes = fixture.server.makeRouter().1
    try await fixture.test(worker: false) { client in
      for r in routes where !r.path.contains("events") {
        let uri = r.path.replacingOccurrences(of: "{id}", with: "999")
        let response = try await client.execute(uri: uri, method: HTTPRequest.Method(r.method)!)
        #expect(!response.error.hasPrefix("no such route"), "\(r.method) \(uri): \(response.error)")
      }
    }
  }

  @Test func pageIsServedWithItsScriptAndStyle() async throws {
    let fixture = try ServeFixture()
    try await fixture.test(worker: false) { client in
      let page = try await client.execute(uri: "/", method: .get)
      #expect(page.status == .ok)
      #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
      #expect(page.text.contains("<script src=\"/app.js\"") && page.text.contains("id=\"job-form\""))
      // A script only from the server itself, no frames, no sniffing, and never a CORS header.
      #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
      #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
      #expect(page.headers[.xContentTypeOptions] == "nosniff")
      #expect(page.headers[.accessControlAllowOrigin] == nil)
      let js = try await client.execute(uri: "/app.js", method: .get)
      #expect(js.status == .ok && js.headers[.contentType]?.hasPrefix("text/javascript") == true)
      #expect(js.text.contains("/api/jobs") && js.text.contains("EventSource"))
      let css = try await client.execute(uri: "/style.css", method: .get)
      #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
      let icon = try await client.execute(uri: "/favicon.svg", method: .get)
      #expect(icon.status == .ok && icon.text.hasPrefix("<svg"))
    }
  }

  @Test func unknownRoutesAreJSONErrorsWithoutCORS() async throws {
    let fixture = try ServeFixture()
    try await fixture.test(worker: false) { client in
      let r = try await client.execute(uri: "/api/nothing", method: .get, headers: [.origin: "http://elsewhere.example"])
      #expect(r.status == .notFound)
      #expect(r.headers[.contentType]?.hasPrefix("application/json") == true)
      #expect(r.error.contains("no such route: /api/nothing"))
      #expect(r.headers[.accessControlAllowOrigin] == nil)
      // A CORS preflight gets no permission either.
      let preflight = try await client.execute(uri: "/api/jobs", method: .options, headers: [
        .origin: "http://elsewhere.example", .accessControlRequestMethod: "POST",
      ])
      #expect(preflight.status.code >= 400)
      #expect(preflight.headers[.accessControlAllowOrigin] == nil && preflight.headers[.accessControlAllowMethods] == nil)
    }
  }

  @Test func modelInfo() async throws {
    let fixture = try ServeFixture { $0.queueLimit = 5 }
    try await fixture.test(worker: false) { client in
      let (r, m) = try await client.json("/api/model")
      #expect(r.status == .ok)
      #expect((m["model"] as? String)?.hasSuffix("models/tiny-a") == true)
      #expect(m["model_source"] as? String == "argument")
      #expect(m["device"] as? String == "cpu" && m["dtype"] as? String == "float32")
      #expect(m["size_multiple"] as? Int == 2)  // the tiny VAE's scale
      #expect(m["loaded"] as? Bool == false)
      #expect(m["queue_limit"] as? Int == 5)
      #expect(m["max_tokens"] as? Int == 75)
      #expect((m["formats"] as? [String]) == ["mp4", "webm", "gif"])
      #expect((m["settings_fields"] as? [String])?.contains("audio") == false)
    }
  }

  /// The presets as `i2v presets --json` lists them (the same `PresetSummary`).
  @Test func presets() async throws {
    let fixture = try ServeFixture()
    try await fixture.test(worker: false) { client in
      let (r, body) = try await client.json("/api/presets")
      #expect(r.status == .ok)
      let presets = body["presets"] as? [[String: Any]] ?? []
      let smoke = try #require(presets.first { $0["name"] as? String == "smoke" })
      let expected = try GenerationPreset.load("smoke")
      #expect(smoke["steps"] as? Int == expected.steps && smoke["frames"] as? Int == expected.frames)
      #expect(smoke["width"] as? Int == expected.width && smoke["guidance"] as? Double == expected.guidance)
      #expect(smoke["scheduler"] as? String == "ddim")
      #expect(presets.contains { $0["name"] as? String == "standard" })
      #expect(body["errors"] as? [String] == [])
    }
  }
}
