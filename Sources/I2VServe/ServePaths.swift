import Foundation

/// Where the server keeps things. Every path is the server's choice: clients only ever see file names and URLs.
public struct ServePaths: Sendable {
  public let outputDir: String
  public let stateFolder: String

  public init(outputDir: String) {
    let trimmed = outputDir.count > 1 && outputDir.hasSuffix("/") ? String(outputDir.dropLast()) : outputDir
    self.outputDir = URL(fileURLWithPath: trimmed).standardizedFileURL.path
    stateFolder = (self.outputDir as NSString).appendingPathComponent(".i2v-serve")
  }

  public var database: String { (stateFolder as NSString).appendingPathComponent("queue.sqlite") }
  public var inputs: String { (stateFolder as NSString).appendingPathComponent("inputs") }

  public func input(_ name: String) -> String { (inputs as NSString).appendingPathComponent(name) }
  public func output(_ name: String) -> String { (outputDir as NSString).appendingPathComponent(name) }
  /// The provenance sidecar the session writes beside a video (`Provenance.sidecarPath`: `NAME.json`).
  public func sidecar(_ name: String) -> String { output(name) + ".json" }

  /// Creates the output folder and the state folder inside it.
  public func create() throws {
    for dir in [outputDir, stateFolder, inputs] {
      var isDir: ObjCBool = false
      if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
        guard isDir.boolValue else { throw ServeError("\(dir): a file with that name exists; give --output-dir a folder") }
        continue
      }
      do {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      } catch {
        throw ServeError("cannot create \(dir) (\(error.localizedDescription)); give --output-dir a writable folder")
      }
    }
  }

  /// A video name that says when and what: `20261204-153012-a-cat-turning-its-head.mp4`, with `-2`, `-3`... when
  /// `taken` says the name is used.
  public static func outputName(prompt: String, format: String, date: Date = Date(), taken: (String) -> Bool) -> String {
    var slug = ""
    for u in prompt.lowercased().unicodeScalars {
      if slug.count >= 40 { break }
      if ("a"..."z").contains(u) || ("0"..."9").contains(u) {
        slug.unicodeScalars.append(u)
      } else if !slug.isEmpty && !slug.hasSuffix("-") {
        slug += "-"
      }
    }
    while slug.hasSuffix("-") { slug.removeLast() }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
    let stamp = "\(c.year ?? 0)\(two(c.month))\(two(c.day))-\(two(c.hour))\(two(c.minute))\(two(c.second))"
    let base = slug.isEmpty ? stamp : "\(stamp)-\(slug)"
    var name = "\(base).\(format)", n = 1
    while taken(name) {
      n += 1
      name = "\(base)-\(n).\(format)"
    }
    return name
  }
}

/// A problem of the server's own setup (folders, the queue file), said in terms of its flags.
public struct ServeError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
