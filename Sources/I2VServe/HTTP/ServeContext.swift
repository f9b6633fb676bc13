import Hummingbird

/// The request context of every route. JSON bodies are small (settings, a prompt): anything over 64 KiB is
/// refused with 413 before it is decoded; uploads are read against the server's own limit (`--max-upload-mb`).
public struct ServeContext: RequestContext {
  public var coreContext: CoreRequestContextStorage

  public init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
  }

  public var maxUploadSize: Int { 64 << 10 }
}
