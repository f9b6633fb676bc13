import Foundation
import Hummingbird
import MultipartKit

/// A `multipart/form-data` body (the job upload: an `image` file part and a `settings` JSON part), parsed by
/// MultipartKit's parser. The body was already read against the upload limit; the number of parts is bounded.
struct MultipartForm {
  struct Part {
    var name: String
    /// The client's file name, for display only (never used as a path).
    var filename: String?
    var body: ByteBuffer
  }

  var parts: [Part] = []

  static let maxParts = 8

  init(body: ByteBuffer, contentType: String?) throws {
    guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data"),
      let boundary = Self.parameter("boundary", in: contentType), !boundary.isEmpty, boundary.count <= 200
    else {
      throw APIError(.unsupportedMediaType, "send the job as multipart/form-data with an 'image' file part and a "
        + "'settings' JSON part (docs/openapi.yaml)")
    }
    let parser = MultipartParser(boundary: boundary)
    var headers: [(String, String)] = []
    var current = ByteBuffer()
    var parts: [Part] = []
    var tooMany = false
    parser.onHeader = { name, value in headers.append((name.lowercased(), value)) }
    parser.onBody = { chunk in current.writeBuffer(&chunk) }
    parser.onPartComplete = {
      let disposition = headers.first { $0.0 == "content-disposition" }?.1 ?? ""
      if parts.count >= Self.maxParts { tooMany = true }
      parts.append(Part(name: Self.parameter("name", in: disposition) ?? "",
                        filename: Self.parameter("filename", in: disposition), body: current))
      headers = []
      current = ByteBuffer()
    }
    do { try parser.execute(body) } catch {
      throw APIError(.badRequest, "the multipart body is malformed (check its boundary and part headers)")
    }
    guard !tooMany else { throw APIError(.badRequest, "too many parts; send 'image' and 'settings' only") }
    self.parts = parts
  }

  func part(_ name: String) -> Part? { parts.first { $0.name == name } }

  /// `key=value` or `key="value"` from a header such as `form-data; name="image"; filename="cat.png"`.
  static func parameter(_ key: String, in header: String) -> String? {
    for piece in header.split(separator: ";").dropFirst() {
      let kv = piece.split(separator: "=", maxSplits: 1)
      guard kv.count == 2, kv[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
      var v = kv[1].trimmingCharacters(in: .whitespaces)
      if v.count >= 2 && v.hasPrefix("\"") && v.hasSuffix("\"") { v = String(v.dropFirst().dropLast()) }
      return v
    }
    return nil
  }
}
