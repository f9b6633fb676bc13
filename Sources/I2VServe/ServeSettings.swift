import Foundation
import I2VApp
import I2VMedia

/// How `i2v serve` listens and where it keeps its work. The CLI fills it from flags; tests build it directly.
public struct ServeSettings: Sendable {
  public var host = "127.0.0.1"
  public var port = 7860
  /// Required for any host that is not loopback; nil on loopback means no token is asked for.
  public var token: String?
  /// Videos and their sidecars, named by the server; the queue database and uploaded images live in
  /// `stateFolder` inside it.
  public var outputDir = "i2v-output"
  /// Jobs waiting behind the running one; a request beyond it gets 429.
  public var queueLimit = 32
  /// Largest accepted upload (the whole multipart body), in bytes.
  public var maxUploadBytes = 32 << 20
  /// Largest accepted image, in pixels (the CLI's limit).
  public var maxPixels = ImageLoader.defaultMaxPixels
  /// The model, device and precision, as `generate` takes them; the model stays loaded between jobs.
  public var model = ModelSettings()

  public init() {}

  /// `<output-dir>/.i2v-serve`: queue.sqlite and the uploaded images (hidden, so the folder lists the videos).
  public var stateFolder: String { (outputDir as NSString).appendingPathComponent(".i2v-serve") }

  /// Settings that cannot work, in the words of the flags; any host but loopback needs a token.
  public func validate() throws {
    guard (0...65535).contains(port) else { throw SettingsError("--port must be between 0 and 65535 (got \(port))") }
    guard queueLimit >= 1 else { throw SettingsError("--queue-limit must be at least 1 (got \(queueLimit))") }
    guard maxUploadBytes >= 1 << 10 else {
      throw SettingsError("--max-upload-mb must be more than 0 (got \(maxUploadBytes >> 20))")
    }
    if let token, token.utf8.count < AccessToken.minimumLength {
      throw SettingsError("--token must be at least \(AccessToken.minimumLength) characters (got \(token.utf8.count)); "
        + "leave it out to have one generated")
    }
    // It travels in a URL, a header and a cookie: only characters all three carry as they are.
    if let token, !token.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
      || "-_.~".unicodeScalars.contains($0)) })
    {
      throw SettingsError("--token may hold only letters, digits, '-', '_', '.' and '~'")
    }
    try model.validate()
  }

  /// 127.0.0.0/8, ::1 and `localhost`: only this machine can connect.
  public static func isLoopback(_ host: String) -> Bool {
    let h = host.lowercased()
    if h == "localhost" || h == "::1" || h == "[::1]" { return true }
    let parts = h.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
  }

  public var isLoopback: Bool { Self.isLoopback(host) }
}
