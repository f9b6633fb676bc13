import Hummingbird

/// The page: static HTML, CSS and JavaScript compiled into the binary (SwiftPM's `embedInCode`), no build step.
extension ServeRoutes {
  static let pageFiles: [(path: String, type: String, bytes: [UInt8])] = [
    ("/", "text/html; charset=utf-8", PackageResources.index_html),
    ("/app.js", "text/javascript; charset=utf-8", PackageResources.app_js),
    ("/style.css", "text/css; charset=utf-8", PackageResources.style_css),
    ("/favicon.svg", "image/svg+xml", PackageResources.favicon_svg),
  ]

  func registerPage(_ t: RouteTable) {
    for file in Self.pageFiles {
      let type = file.type, bytes = file.bytes
      t.on(.get, file.path) { _, _ in
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                 body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
      }
    }
  }
}
