import Foundation
import Hummingbird

/// A file of the server's own (a video, its sidecar, an uploaded image) as a response, with byte ranges so the
/// page's video element can seek (`Range: bytes=a-b`, `a-`, `-n`; 206 with Content-Range, 416 outside the file).
enum FileResponse {
  static func send(path: String, contentType: String, downloadName: String?, request: Request,
                   context: ServeContext) async throws -> Response
  {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
      let size = (attributes[.size] as? NSNumber)?.intValue
    else {
      throw APIError(.notFound, "the file is no longer in the output folder (moved or deleted outside the server)")
    }
    var headers: HTTPFields = [.contentType: contentType, .acceptRanges: "bytes", .cacheControl: "no-cache"]
    if let downloadName {
      headers[.contentDisposition] = "inline; filename=\"\(downloadName.replacingOccurrences(of: "\"", with: ""))\""
    }
    let io = FileIO()
    if let header = request.headers[.range] {
      guard let range = parseRange(header, size: size) else {
        headers[.contentRange] = "bytes */\(size)"
        throw APIError(.rangeNotSatisfiable, "the range '\(header)' is outside the file (\(size) bytes)",
                       headers: headers)
      }
      headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
      headers[.contentLength] = String(range.count)
      let body = try await io.loadFile(path: path, range: range, context: context)
      return Response(status: .partialContent, headers: headers, body: body)
    }
    headers[.contentLength] = String(size)
    if size == 0 { return Response(status: .ok, headers: headers) }
    return Response(status: .ok, headers: headers, body: try await io.loadFile(path: path, context: context))
  }

  /// One range of RFC 9110's `bytes=` forms, clamped to the file; nil when it is malformed or unsatisfiable.
  static func parseRange(_ header: String, size: Int) -> ClosedRange<Int>? {
    let h = header.trimmingCharacters(in: .whitespaces)
    guard h.lowercased().hasPrefix("bytes="), size > 0 else { return nil }
    let spec = h.dropFirst(6)
    guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
    let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
    let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
    if first.isEmpty {
      guard let n = Int(last), n > 0 else { return nil }
      return max(0, size - n)...(size - 1)
    }
    guard let a = Int(first), a >= 0, a < size else { return nil }
    if last.isEmpty { return a...(size - 1) }
    guard let b = Int(last), b >= a else { return nil }
    return a...min(b, size - 1)
  }
}
