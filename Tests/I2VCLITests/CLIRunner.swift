import Foundation

/// Runs the built `i2v` executable, as users do.
enum CLI {
  static let root: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
      url.deleteLastPathComponent()
    }
    return url
  }()

  /// The executable next to the test bundle (SwiftPM builds both into the same folder).
  static let executable: String = {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [dir, dir.deletingLastPathComponent()] {
      let p = candidate.appendingPathComponent("i2v").path
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return root.appendingPathComponent(".build/debug/i2v").path
  }()

  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  static func run(_ args: [String], environment: [String: String] = [:]) throws -> Result {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    var env = ProcessInfo.processInfo.environment
    env["I2V_THREADS"] = env["I2V_THREADS"] ?? "1"  // tests run in parallel; don't oversubscribe the cores
    env["XDG_CACHE_HOME"] = cacheHome  // the hash cache of test runs stays out of the user's ~/.cache
    for (k, v) in environment { env[k] = v }
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                  stderr: String(decoding: e, as: UTF8.self))
  }

  static let cacheHome: String = {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-test-cache-\(getpid())")
    try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d.path
  }()

  static func tempDir() throws -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
  }

  static func fixture(_ path: String) -> String { root.appendingPathComponent("Tests/Fixtures/" + path).path }

  /// Runs `args`, sends SIGINT as soon as stderr shows `text`, and waits for the end; returns the exit status
  /// (nil when `text` never came) and what stderr said.
  static func interrupt(_ args: [String], after text: String) throws -> (status: Int32?, stderr: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    var env = ProcessInfo.processInfo.environment
    env["I2V_THREADS"] = "1"
    env["XDG_CACHE_HOME"] = cacheHome
    p.environment = env
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    var seen = ""
    while !seen.contains(text) {
      let chunk = err.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      seen += String(decoding: chunk, as: UTF8.self)
    }
    let found = seen.contains(text)
    if found { kill(p.processIdentifier, SIGINT) }
    seen += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (found ? p.terminationStatus : nil, seen)
  }
}
