import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Headless Chromium (Debian's `chromium`, Scripts/install-deps.sh) driven over the DevTools protocol through
/// `--remote-debugging-pipe`: commands go in on the browser's fd 3 and answers come out of its fd 4, as JSON
/// messages ended by a NUL byte. One page target, attached in flat mode.
final class Chromium {
  struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
  }

  static func find() -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      for name in ["chromium", "chromium-browser"] {
        let p = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
      }
    }
    return nil
  }

  private let pid: pid_t
  private let toBrowser: Int32
  private let fromBrowser: Int32
  private var buffer = [UInt8]()
  private var nextID = 0
  private var session: String?
  let profile: URL

  init(executable: String, width: Int = 1360, height: Int = 900) throws {
    profile = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-chromium-\(UUID().uuidString)")
    var commands: [Int32] = [0, 0], answers: [Int32] = [0, 0]
    guard pipe(&commands) == 0, pipe(&answers) == 0 else { throw Failure("pipe failed") }
    for fd in commands + answers { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    // The child's ends land on fds 3 and 4; first moved above them so dup2 cannot clobber one with the other.
    let childIn = fcntl(commands[0], F_DUPFD_CLOEXEC, 10), childOut = fcntl(answers[1], F_DUPFD_CLOEXEC, 10)
    Glibc.close(commands[0])
    Glibc.close(answers[1])
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, childIn, 3)
    posix_spawn_file_actions_adddup2(&actions, childOut, 4)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let args = [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--remote-debugging-pipe", "--user-data-dir=\(profile.path)", "--no-first-run",
                "--no-default-browser-check", "--mute-audio", "--hide-scrollbars",
                "--autoplay-policy=no-user-gesture-required", "--window-size=\(width),\(height)", "about:blank"]
    var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    var child: pid_t = 0
    let status = posix_spawn(&child, executable, &actions, nil, &argv, environ)
    Glibc.close(childIn)
    Glibc.close(childOut)
    guard status == 0 else { throw Failure("cannot start \(executable): \(String(cString: strerror(status)))") }
    pid = child
    toBrowser = commands[1]
    fromBrowser = answers[0]
  }

  deinit { close() }

  private var closed = false

  /// Ends the browser and closes the pipes, once (closing an fd twice could close a file another test opened since).
  func close() {
    guard !closed else { return }
    closed = true
    _ = try? send("Browser.close", [:], inPage: false, timeout: 5)
    var status: Int32 = 0
    for _ in 0..<50 {
      if waitpid(pid, &status, WNOHANG) == pid { break }
      usleep(100_000)
    }
    Glibc.kill(pid, SIGKILL)
    _ = waitpid(pid, &status, 0)
    Glibc.close(toBrowser)
    Glibc.close(fromBrowser)
    try? FileManager.default.removeItem(at: profile)
  }

  /// Opens a page target and attaches to it; later commands go to that page.
  func openPage(_ url: String) throws {
    let target = try send("Target.createTarget", ["url": "about:blank"], inPage: false)
    guard let id = target["targetId"] as? String else { throw Failure("no target: \(target)") }
    let attached = try send("Target.attachToTarget", ["targetId": id, "flatten": true], inPage: false)
    session = attached["sessionId"] as? String
    _ = try send("Page.enable")
    _ = try send("Runtime.enable")
    _ = try send("Page.navigate", ["url": url])
  }

  /// Runs a JavaScript expression in the page (promises awaited) and returns its value.
  @discardableResult
  func evaluate(_ expression: String) throws -> Any? {
    let r = try send("Runtime.evaluate", ["expression": expression, "awaitPromise": true, "returnByValue": true])
    if let exception = r["exceptionDetails"] { throw Failure("script failed: \(exception)") }
    return (r["result"] as? [String: Any])?["value"]
  }

  /// Polls `expression` until it is true; false after `seconds`.
  func waitUntil(_ expression: String, seconds: Double) throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if (try? evaluate(expression)) as? Bool == true { return true }
      usleep(100_000)
    }
    return false
  }

  /// Puts a file into an `<input type=file>` as if the user picked it (the input's change event fires).
  func setFile(selector: String, path: String) throws {
    let document = try send("DOM.getDocument", ["depth": 0])
    guard let root = (document["root"] as? [String: Any])?["nodeId"] as? Int else { throw Failure("no document") }
    let found = try send("DOM.querySelector", ["nodeId": root, "selector": selector])
    guard let node = found["nodeId"] as? Int, node != 0 else { throw Failure("no element \(selector)") }
    _ = try send("DOM.setFileInputFiles", ["files": [path], "nodeId": node])
  }

  func screenshot(to url: URL) throws {
    let shot = try send("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": false])
    guard let base64 = shot["data"] as? String, let data = Data(base64Encoded: base64) else {
      throw Failure("no screenshot")
    }
    try data.write(to: url)
  }

  /// Sends one command and waits for its answer (events in between are skipped).
  func send(_ method: String, _ params: [String: Any] = [:], inPage: Bool = true, timeout: Double = 30) throws
    -> [String: Any]
  {
    nextID += 1
    let id = nextID
    var message: [String: Any] = ["id": id, "method": method, "params": params]
    if inPage, let session { message["sessionId"] = session }
    var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
    bytes.append(0)
    var sent = 0
    while sent < bytes.count {
      let n = bytes[sent...].withUnsafeBytes { write(toBrowser, $0.baseAddress, $0.count) }
      guard n > 0 else { throw Failure("the browser closed its pipe") }
      sent += n
    }
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      let reply = try readMessage(until: deadline)
      guard reply["id"] as? Int == id else { continue }
      if let error = reply["error"] { throw Failure("\(method): \(error)") }
      return reply["result"] as? [String: Any] ?? [:]
    }
  }

  private func readMessage(until deadline: Date) throws -> [String: Any] {
    while true {
      if let end = buffer.firstIndex(of: 0) {
        let data = Data(buffer[..<end])
        buffer.removeSubrange(...end)
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
      }
      let left = deadline.timeIntervalSinceNow
      guard left > 0 else { throw Failure("the browser did not answer in time") }
      var fds = pollfd(fd: fromBrowser, events: Int16(POLLIN), revents: 0)
      guard poll(&fds, 1, Int32(min(left, 1) * 1000)) >= 0 else { throw Failure("poll failed") }
      guard fds.revents != 0 else { continue }
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      let n = read(fromBrowser, &chunk, chunk.count)
      guard n > 0 else { throw Failure("the browser closed its pipe") }
      buffer += chunk[0..<n]
    }
  }
}
