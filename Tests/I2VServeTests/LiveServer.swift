import Foundation
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// `i2v serve` as users run it: the built executable on a free port, talked to over HTTP.
final class LiveServer {
  /// The executable next to the test bundle (SwiftPM builds both into the same folder).
  static let executable: String = {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [dir, dir.deletingLastPathComponent()] {
      let p = candidate.appendingPathComponent("i2v").path
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return ServeFixture.root.appendingPathComponent(".build/debug/i2v").path
  }()

  let process = Process()
  let stderrFile: URL
  /// `http://127.0.0.1:PORT/`
  private(set) var url = ""

  /// Starts the server on `outputDir` with the tiny model and waits for its address.
  init(outputDir: URL, extra: [String] = []) throws {
    let parent = outputDir.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    stderrFile = parent.appendingPathComponent("serve-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
    process.executableURL = URL(fileURLWithPath: Self.executable)
    process.arguments = ["serve", "--port", "0", "--model", ServeFixture.fixture("models/tiny-a"),
                         "--output-dir", outputDir.path, "--threads", "1"] + extra
    var env = ProcessInfo.processInfo.environment
    env["XDG_CACHE_HOME"] = ServeFixture.cacheHome
    process.environment = env
    let out = Pipe()
    process.standardOutput = out
    process.standardError = try FileHandle(forWritingTo: stderrFile)
    try process.run()
    // The first stdout line is `i2v serve: URL` once the socket listens.
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
      let chunk = out.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      line += chunk
    }
    let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard text.hasPrefix("i2v serve: http://") else {
      throw LiveServerError("the server did not start: \(text) \(log)")
    }
    url = String(text.dropFirst("i2v serve: ".count))
  }

  var log: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

  /// SIGKILL: no chance to clean up, as in a crash or power loss.
  func kill() {
    Foundation.kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  /// SIGTERM and wait; the exit status.
  func stop() -> Int32 {
    process.terminate()
    process.waitUntilExit()
    return process.terminationStatus
  }

  struct Reply {
    var status: Int
    var body: Data
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
  }

  func request(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil) throws -> Reply {
    var r = URLRequest(url: URL(string: url + path.drop { $0 == "/" })!)
    r.httpMethod = method
    r.httpBody = body
    if let contentType { r.setValue(contentType, forHTTPHeaderField: "Content-Type") }
    r.timeoutInterval = 30
    final class Outcome: @unchecked Sendable {
      var reply: Reply?
      var failure: Error?
    }
    let done = DispatchSemaphore(value: 0)
    let outcome = Outcome()
    URLSession.shared.dataTask(with: r) { data, response, error in
      if let http = response as? HTTPURLResponse { outcome.reply = Reply(status: http.statusCode, body: data ?? Data()) }
      outcome.failure = error
      done.signal()
    }.resume()
    done.wait()
    if let reply = outcome.reply { return reply }
    throw outcome.failure ?? LiveServerError("no response to \(method) \(path)")
  }

  func submit(_ settings: String, image: String = "landscape_96x72.png") throws -> Int {
    let body = try Multipart.job(settings, image: try ServeFixture.image(image))
    let r = try request("POST", "/api/jobs", body: Data(buffer: body), contentType: Multipart.contentType)
    guard r.status == 201, let id = r.object["id"] as? Int else {
      throw LiveServerError("job refused: \(r.status) \(String(decoding: r.body, as: UTF8.self))")
    }
    return id
  }

  func job(_ id: Int) throws -> [String: Any] { try request("GET", "/api/jobs/\(id)").object }

  /// Polls until `condition` holds or `seconds` pass; the job as last seen.
  func wait(_ id: Int, seconds: Double = 120, until condition: ([String: Any]) -> Bool) throws -> [String: Any] {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
      let j = try job(id)
      if condition(j) || Date() > deadline { return j }
      Thread.sleep(forTimeInterval: 0.05)
    }
  }
}

struct LiveServerError: Error, CustomStringConvertible {
  let description: String
  init(_ d: String) { description = d }
}
