import Foundation
import Hummingbird
import I2VApp
import I2VMedia
import NIOCore

/// An error answered as JSON, `{"error": "message"}`, with its 4xx or 5xx status. Messages are the CLI's.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
  public var status: HTTPResponse.Status
  public var message: String
  public var headers: HTTPFields = [:]

  public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
    self.status = status
    self.message = message
    self.headers = headers
  }

  public var description: String { message }

  public func response(from request: Request, context: some RequestContext) throws -> Response {
    var h = headers
    h[.contentType] = "application/json; charset=utf-8"
    h[.cacheControl] = "no-store"
    let body = try JSONEncoder().encode(["error": message])
    return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: body)))
  }

  static func notFound(job id: String) -> APIError { APIError(.notFound, "no job \(id); GET /api/jobs lists them") }

  /// A problem with the request's settings or image, with the status that says what kind.
  static func from(_ error: Error) -> APIError {
    switch error {
    case let e as APIError: return e
    case let e as MediaError:
      switch e {
      case .tooManyPixels: return APIError(.contentTooLarge, e.description)
      case .notAnImage, .unsupportedFormat: return APIError(.unsupportedMediaType, e.description)
      case .corrupt, .emptyFile: return APIError(.badRequest, e.description)
      default: return APIError(.internalServerError, e.description)
      }
    case let e as PresetError:
      return APIError(.badRequest, e.description + " (GET /api/presets lists the presets)")
    case let e as JobStore.QueueFull:
      return APIError(.tooManyRequests, e.description, headers: [.retryAfter: "30"])
    default:
      let f = GenerationFailure(error, session: nil)
      return APIError(f.kind == .usage ? .badRequest : .internalServerError, f.message)
    }
  }
}

/// Every error leaves as `{"error": ...}` JSON: the routes' own, Hummingbird's (404 for an unknown route, 413 for
/// a body over the limit) and anything unexpected (500, its message, never a stack).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
    -> Response
  {
    do {
      return try await next(request, context)
    } catch let e as APIError {
      return try e.response(from: request, context: context)
    } catch let e as NIOTooManyBytesError {
      let limit = e.maxBytes.map { " (\(Format.bytes($0)))" } ?? ""
      return try APIError(.contentTooLarge, "the request body is larger than this server accepts\(limit); send a "
        + "smaller image (or start the server with a larger --max-upload-mb)").response(from: request, context: context)
    } catch let e as HTTPError {
      let message = e.body ?? Self.text(for: e.status, path: request.uri.path)
      return try APIError(e.status, message, headers: e.headers).response(from: request, context: context)
    } catch {
      return try APIError.from(error).response(from: request, context: context)
    }
  }

  static func text(for status: HTTPResponse.Status, path: String) -> String {
    switch status {
    case .notFound: return "no such route: \(path) (docs/openapi.yaml lists the API)"
    case .contentTooLarge: return "the request body is too large"
    case .methodNotAllowed: return "\(path) does not take this method (docs/openapi.yaml lists the API)"
    default: return status.reasonPhrase
    }
  }
}
