import Foundation
import Hummingbird

/// Who may talk to the server, checked on every request before any route:
/// - a token, when the server has one (always off loopback): `Authorization: Bearer`, the `i2v_token` cookie or
///   `?token=`, compared in constant time; a page opened with `?token=` gets the cookie, so its own requests
///   (fetch, the event stream, the video element) carry it;
/// - on loopback without a token, the Host must be a loopback name, so a web page whose domain is made to
///   resolve to 127.0.0.1 (DNS rebinding) cannot reach the API;
/// - state-changing requests sent by a browser must come from the page itself (their Origin is this server), so
///   another site cannot submit or delete jobs; no CORS headers are ever sent.
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
  let token: String?
  static var cookieName: String { "i2v_token" }

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
    -> Response
  {
    let authority = request.head.authority
    if token == nil, let authority, !ServeSettings.isLoopback(Self.hostName(authority)) {
      throw APIError(.forbidden, "this server answers only to loopback names (127.0.0.1, localhost, [::1]), not "
        + "'\(authority)'; start it with --host and a --token to serve other machines")
    }
    if ![.get, .head].contains(request.method), let origin = request.headers[.origin] {
      guard let authority, origin == "http://\(authority)" || origin == "https://\(authority)" else {
        throw APIError(.forbidden, "requests from another site (Origin \(origin)) are refused; use the page this "
          + "server serves")
      }
    }
    var fromQuery = false
    if let token {
      let query = request.uri.queryParameters.get("token")
      let candidates = [Self.bearer(request.headers[.authorization]), request.cookies[Self.cookieName]?.value, query]
      // Every candidate is compared (each in constant time), so the answer's timing does not say which one it was.
      var ok = false
      for c in candidates { if let c, AccessToken.matches(c, token) { ok = true } }
      guard ok else {
        throw APIError(.unauthorized, "this server needs its access token: open the address it printed at start "
          + "(with ?token=...), or send the header 'Authorization: Bearer TOKEN'",
          headers: [.wwwAuthenticate: "Bearer"])
      }
      fromQuery = query.map { AccessToken.matches($0, token) } ?? false
    }
    var response = try await next(request, context)
    if fromQuery, let token {
      response.setCookie(Cookie(name: Self.cookieName, value: token, path: "/", httpOnly: true, sameSite: .strict))
    }
    return response
  }

  static func bearer(_ header: String?) -> String? {
    guard let header, header.lowercased().hasPrefix("bearer ") else { return nil }
    return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
  }

  /// `localhost:7860` → `localhost`, `[::1]:7860` → `::1`.
  static func hostName(_ authority: String) -> String {
    if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
      return String(authority[authority.index(after: authority.startIndex)..<end])
    }
    return authority.split(separator: ":", maxSplits: 1).first.map(String.init) ?? authority
  }
}
