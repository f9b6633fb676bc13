import Hummingbird

/// Registers routes and remembers each one, so the test suite can compare what the server serves with
/// docs/openapi.yaml (Hummingbird's router does not list its routes).
final class RouteTable: @unchecked Sendable {
  struct Entry: Hashable, Sendable {
    var method: String
    /// OpenAPI's spelling: `/api/jobs/{id}`.
    var path: String
  }

  let router: Router<ServeContext>
  private(set) var entries: [Entry] = []

  init(router: Router<ServeContext>) { self.router = router }

  /// `path` in Hummingbird's spelling (`/api/jobs/:id`).
  func on<Output: ResponseGenerator>(
    _ method: HTTPRequest.Method, _ path: String,
    _ handler: @Sendable @escaping (Request, ServeContext) async throws -> Output
  ) {
    router.on(RouterPath(path), method: method, use: handler)
    let documented = path.split(separator: "/", omittingEmptySubsequences: false).map { part in
      part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
    }.joined(separator: "/")
    entries.append(Entry(method: method.rawValue, path: documented))
  }
}
