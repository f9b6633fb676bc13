import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A real browser for the tests: headless Chromium driven over the DevTools protocol on a pipe
/// (`--remote-debugging-pipe`: JSON messages ending in NUL, commands on fd 3, answers on fd 4). Loads a page,
/// collects what its console and log say, lets its videos start, and takes a full-page screenshot (`load`); or
/// opens a page to be driven step by step: scripts, a file picked into an input, a screenshot (`openPage`).
/// Shared by the test targets that check a page (`i2v analyze`'s report, the `i2v serve` page).
public final class HeadlessChromium {
  public struct PageResult {
    /// Console errors and warnings, uncaught exceptions, and log entries of level error or warning.
    public var problems: [String]
    /// Per <video>: readyState (4: enough data to play) and its decoded width.
    public var videos: [(readyState: Int, width: Int)]
    public var screenshot: Data
  }

  public struct Failure: Error, CustomStringConvertible { public let description: String }

  /// The browser, from `$I2V_CHROMIUM` or the PATH (Debian's package is `chromium`; Scripts/install-deps.sh
  /// installs it). Nil when there is none.
  public static var executable: String? {
    if let e = ProcessInfo.processInfo.environment["I2V_CHROMIUM"], !e.isEmpty { return e }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      for name in ["chromium", "chromium-browser", "google-chrome"] {
        let p = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
      }
    }
    return nil
  }

  private let pid: pid_t
  private let toBrowser: Int32
  private let fromBrowser: Int32
  private let profile: String
  private var buffer = [UInt8]()
  private var nextID = 0
  private var events: [[String: Any]] = []
  /// The page `openPage` attached to.
  private var pageSession: String?

  public init(executable: String) throws {
    profile = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-chromium-\(UUID().uuidString)").path
    var commands: [Int32] = [0, 0], answers: [Int32] = [0, 0]
    guard pipe(&commands) == 0, pipe(&answers) == 0 else { throw Failure(description: "pipe() failed") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, commands[0], 3)
    posix_spawn_file_actions_adddup2(&actions, answers[1], 4)
    let devNull = open("/dev/null", O_WRONLY)
    posix_spawn_file_actions_adddup2(&actions, devNull, 1)
    posix_spawn_file_actions_adddup2(&actions, devNull, 2)
    let args = [executable, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--mute-audio", "--hide-scrollbars",
                "--autoplay-policy=no-user-gesture-required", "--user-data-dir=\(profile)", "about:blank"]
    var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    var child = pid_t()
    let status = posix_spawn(&child, executable, &actions, nil, &argv, environ)
    close(devNull)
    close(commands[0])
    close(answers[1])
    guard status == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(status)))") }
    pid = child
    toBrowser = commands[1]
    fromBrowser = answers[0]
  }

  deinit {
    close(toBrowser)
    close(fromBrowser)
    kill(pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    try? FileManager.default.removeItem(atPath: profile)
  }

  /// Opens `url` in a `width`-pixel-wide window, waits for its load event and up to `videoWait` seconds for its
  /// videos to have data, then screenshots the whole page.
  public func load(_ url: String, width: Int = 1200, videoWait: Double = 10) throws -> PageResult {
    let target = try send("Target.createTarget", ["url": "about:blank"])
    guard let targetID = target["targetId"] as? String else { throw Failure(description: "no target: \(target)") }
    let attached = try send("Target.attachToTarget", ["targetId": targetID, "flatten": true])
    guard let session = attached["sessionId"] as? String else { throw Failure(description: "no session: \(attached)") }
    for domain in ["Runtime.enable", "Log.enable", "Page.enable"] { _ = try send(domain, [:], session: session) }
    _ = try send("Emulation.setDeviceMetricsOverride",
                 ["width": width, "height": 900, "deviceScaleFactor": 1, "mobile": false], session: session)
    _ = try send("Page.navigate", ["url": url], session: session)
    _ = try waitForEvent("Page.loadEventFired", session: session, seconds: 30)
    // Videos: until each has enough data to play (or the wait is over), then their state.
    let script = """
      new Promise(done => {
        const videos = [...document.querySelectorAll('video')];
        const state = () => videos.map(v => [v.readyState, v.videoWidth]);
        const end = Date.now() + \(Int(videoWait * 1000));
        const check = () => (videos.every(v => v.readyState >= 4 && v.videoWidth > 0) || Date.now() > end)
          ? done(JSON.stringify(state())) : setTimeout(check, 50);
        check();
      })
      """
    let evaluated = try send("Runtime.evaluate", ["expression": script, "awaitPromise": true, "returnByValue": true],
                             session: session, seconds: videoWait + 20)
    let text = ((evaluated["result"] as? [String: Any])?["value"] as? String) ?? "[]"
    let pairs = (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[Int]]) ?? []
    let metrics = try send("Page.getLayoutMetrics", [:], session: session)
    let content = metrics["cssContentSize"] as? [String: Any]
    let height = Int((content?["height"] as? Double ?? 900).rounded(.up))
    _ = try send("Emulation.setDeviceMetricsOverride",
                 ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false], session: session)
    let shot = try send("Page.captureScreenshot", ["format": "png"], session: session, seconds: 30)
    guard let base64 = shot["data"] as? String, let png = Data(base64Encoded: base64) else {
      throw Failure(description: "no screenshot: \(shot.keys)")
    }
    return PageResult(problems: problems(session: session), videos: pairs.map { ($0[0], $0[1]) }, screenshot: png)
  }

  // MARK: A page driven step by step

  /// Opens `url` in a `width` x `height` viewport and keeps it for the calls below (no wait for its load).
  public func openPage(_ url: String, width: Int = 1360, height: Int = 900) throws {
    let target = try send("Target.createTarget", ["url": "about:blank"])
    guard let targetID = target["targetId"] as? String else { throw Failure(description: "no target: \(target)") }
    let attached = try send("Target.attachToTarget", ["targetId": targetID, "flatten": true])
    guard let session = attached["sessionId"] as? String else { throw Failure(description: "no session: \(attached)") }
    pageSession = session
    for domain in ["Runtime.enable", "Log.enable", "Page.enable"] { _ = try send(domain, [:], session: session) }
    _ = try send("Emulation.setDeviceMetricsOverride",
                 ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false], session: session)
    _ = try send("Page.navigate", ["url": url], session: session)
  }

  private func page() throws -> String {
    guard let pageSession else { throw Failure(description: "no page: call openPage first") }
    return pageSession
  }

  /// Runs a script in the page (a promise is awaited) and returns its value.
  @discardableResult
  public func evaluate(_ expression: String) throws -> Any? {
    let r = try send("Runtime.evaluate", ["expression": expression, "awaitPromise": true, "returnByValue": true],
                     session: try page())
    if let exception = r["exceptionDetails"] { throw Failure(description: "script failed: \(exception)") }
    return (r["result"] as? [String: Any])?["value"]
  }

  /// Polls a script until it returns true; false if it has not after `seconds`.
  public func waitUntil(_ expression: String, seconds: Double) throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if (try? evaluate(expression)) as? Bool == true { return true }
      usleep(100_000)
    }
    return false
  }

  /// Puts a file into an `<input type=file>` as a user picking it does (its change event fires).
  public func setFile(selector: String, path: String) throws {
    let session = try page()
    let document = try send("DOM.getDocument", ["depth": 0], session: session)
    guard let root = (document["root"] as? [String: Any])?["nodeId"] as? Int else {
      throw Failure(description: "no document")
    }
    let found = try send("DOM.querySelector", ["nodeId": root, "selector": selector], session: session)
    guard let node = found["nodeId"] as? Int, node != 0 else { throw Failure(description: "no element \(selector)") }
    _ = try send("DOM.setFileInputFiles", ["files": [path], "nodeId": node], session: session)
  }

  /// A PNG of the viewport.
  public func screenshot() throws -> Data {
    let shot = try send("Page.captureScreenshot", ["format": "png"], session: try page(), seconds: 30)
    guard let base64 = shot["data"] as? String, let png = Data(base64Encoded: base64) else {
      throw Failure(description: "no screenshot: \(shot.keys)")
    }
    return png
  }

  /// What the open page reported that a clean page does not (see `PageResult.problems`).
  public func pageProblems() throws -> [String] { problems(session: try page()) }

  /// What the page reported that a clean page does not: console errors and warnings, exceptions, log errors.
  private func problems(session: String) -> [String] {
    var out: [String] = []
    for e in events where e["sessionId"] as? String == session {
      let params = e["params"] as? [String: Any] ?? [:]
      switch e["method"] as? String {
      case "Runtime.consoleAPICalled":
        let type = params["type"] as? String ?? ""
        if type == "error" || type == "warning" || type == "assert" {
          let args = (params["args"] as? [[String: Any]] ?? []).map { "\($0["value"] ?? $0["description"] ?? "")" }
          out.append("console.\(type): \(args.joined(separator: " "))")
        }
      case "Runtime.exceptionThrown":
        let details = params["exceptionDetails"] as? [String: Any] ?? [:]
        out.append("exception: \(details["text"] ?? "") \((details["exception"] as? [String: Any])?["description"] ?? "")")
      case "Log.entryAdded":
        let entry = params["entry"] as? [String: Any] ?? [:]
        let level = entry["level"] as? String ?? ""
        if level == "error" || level == "warning" { out.append("log \(level): \(entry["text"] ?? "")") }
      default:
        break
      }
    }
    return out
  }

  private func send(_ method: String, _ params: [String: Any], session: String? = nil, seconds: Double = 30) throws
    -> [String: Any]
  {
    nextID += 1
    let id = nextID
    var message: [String: Any] = ["id": id, "method": method, "params": params]
    if let session { message["sessionId"] = session }
    var data = try JSONSerialization.data(withJSONObject: message)
    data.append(0)
    try data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let n = write(toBrowser, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw Failure(description: "writing to the browser failed") }
        offset += n
      }
    }
    let deadline = Date().addingTimeInterval(seconds)
    while true {
      let m = try nextMessage(until: deadline, waitingFor: method)
      if m["id"] as? Int == id {
        if let error = m["error"] { throw Failure(description: "\(method): \(error)") }
        return m["result"] as? [String: Any] ?? [:]
      }
      events.append(m)
    }
  }

  private func waitForEvent(_ method: String, session: String, seconds: Double) throws -> [String: Any] {
    if let seen = events.first(where: { $0["method"] as? String == method && $0["sessionId"] as? String == session }) {
      return seen
    }
    let deadline = Date().addingTimeInterval(seconds)
    while true {
      let m = try nextMessage(until: deadline, waitingFor: method)
      events.append(m)
      if m["method"] as? String == method && m["sessionId"] as? String == session { return m }
    }
  }

  private func nextMessage(until deadline: Date, waitingFor what: String) throws -> [String: Any] {
    while true {
      if let end = buffer.firstIndex(of: 0) {
        let body = Data(buffer[..<end])
        buffer.removeSubrange(...end)
        return (try JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
      }
      let left = deadline.timeIntervalSinceNow
      guard left > 0 else { throw Failure(description: "the browser did not answer \(what) in time") }
      var fds = pollfd(fd: fromBrowser, events: Int16(POLLIN), revents: 0)
      let ready = poll(&fds, 1, Int32(min(left, 1) * 1000))
      if ready < 0 && errno == EINTR { continue }
      guard ready >= 0 else { throw Failure(description: "poll failed") }
      if ready == 0 { continue }
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      let n = read(fromBrowser, &chunk, chunk.count)
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw Failure(description: "the browser closed the pipe while waiting for \(what)") }
      buffer += chunk[..<n]
    }
  }
}
