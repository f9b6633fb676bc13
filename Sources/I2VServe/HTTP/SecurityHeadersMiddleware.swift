import Hummingbird

/// Headers on every response, errors included: the page's scripts, styles and media come only from this server,
/// it is never framed, types are not sniffed, and no address leaks in a Referer.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
    -> Response
  {
    var response = try await next(request, context)
    let h = Self.headers
    for field in h { response.headers[field.name] = field.value }
    return response
  }

  static var headers: HTTPFields { [
    .xContentTypeOptions: "nosniff",
    .init("X-Frame-Options")!: "DENY",
    .init("Referrer-Policy")!: "no-referrer",
    .contentSecurityPolicy: "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
      + "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
      + "form-action 'none'",
  ] }
}
