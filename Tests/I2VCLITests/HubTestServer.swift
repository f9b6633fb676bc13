import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for the download tests: one request per
/// connection, answers from a handler, and can cut or stall a body part-way to imitate a dropped or slow
/// transfer. POSIX sockets, so the tests need nothing but the toolchain.
final class HubTestServer: @unchecked Sendable {
  struct Request {
    var method: String
    /// Path and query, as sent.
    var target: String
    /// Header names lower-cased.
    var headers: [String: String]
    var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
  }

  struct Response {
    var status: Int
    var headers: [(String, String)] = []
    var body = Data()
    /// Close the connection after this many body bytes (Content-Length still announces the whole body).
    var cutAfter: Int?
    /// Send this many body bytes, then wait for `release()` before closing (the client is killed meanwhile).
    var stallAfter: Int?
  }

  let port: UInt16
  private let listener: Int32
  private let lock = NSLock()
  private var handler: (Request) -> Response
  private var requests: [Request] = []
  private var stalledBytes = 0
  private var stopped = false
  private let stallGate = DispatchSemaphore(value: 0)

  init(handler: @escaping (Request) -> Response) throws {
    self.handler = handler
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw CocoaError(.fileNoSuchFile) }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 64) == 0 else {
      close(fd)
      throw CocoaError(.fileWriteUnknown)
    }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    port = UInt16(bigEndian: addr.sin_port)
    listener = fd
    let thread = Thread { [self] in acceptLoop() }
    thread.start()
  }

  deinit { stop() }

  var endpoint: String { "http://127.0.0.1:\(port)" }

  func setHandler(_ h: @escaping (Request) -> Response) {
    lock.lock()
    handler = h
    lock.unlock()
  }

  /// Every request so far, in arrival order.
  var log: [Request] {
    lock.lock()
    defer { lock.unlock() }
    return requests
  }

  /// Body bytes sent by the stalled response so far.
  var stalled: Int {
    lock.lock()
    defer { lock.unlock() }
    return stalledBytes
  }

  func release() { stallGate.signal() }

  /// Closes the listening socket, once (a second close could hit a descriptor reused by someone else).
  func stop() {
    lock.lock()
    let first = !stopped
    stopped = true
    lock.unlock()
    guard first else { return }
    shutdown(listener, Int32(SHUT_RDWR))
    close(listener)
    stallGate.signal()
  }

  private func acceptLoop() {
    while true {
      let fd = accept(listener, nil, nil)
      if fd < 0 {
        if errno == EINTR { continue }
        return
      }
      DispatchQueue.global().async { [self] in serve(fd) }
    }
  }

  private func serve(_ fd: Int32) {
    defer { close(fd) }
    var buffer = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 4096)
    while !buffer.suffix(4).elementsEqual([13, 10, 13, 10]) {
      let n = recv(fd, &chunk, chunk.count, 0)
      if n <= 0 { return }
      buffer += chunk[0..<n]
      if buffer.count > 64 << 10 { return }
    }
    let lines = String(decoding: buffer, as: UTF8.self).components(separatedBy: "\r\n")
    let first = lines[0].split(separator: " ")
    guard first.count >= 2 else { return }
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let request = Request(method: String(first[0]), target: String(first[1]), headers: headers)
    lock.lock()
    requests.append(request)
    let h = handler
    lock.unlock()
    let r = h(request)
    var head = "HTTP/1.1 \(r.status) \(r.status < 300 ? "OK" : r.status < 400 ? "Found" : "Error")\r\n"
    for (k, v) in r.headers { head += "\(k): \(v)\r\n" }
    head += "Content-Length: \(r.body.count)\r\nConnection: close\r\n\r\n"
    guard send(fd, Array(head.utf8), head.utf8.count) else { return }
    let body = [UInt8](r.body)
    if let stall = r.stallAfter {
      _ = send(fd, Array(body.prefix(stall)), min(stall, body.count))
      lock.lock()
      stalledBytes = min(stall, body.count)
      lock.unlock()
      stallGate.wait()
      return
    }
    let count = min(r.cutAfter ?? body.count, body.count)
    _ = send(fd, Array(body.prefix(count)), count)
  }

  private func send(_ fd: Int32, _ bytes: [UInt8], _ count: Int) -> Bool {
    var done = 0
    while done < count {
      let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + done, count - done, Int32(MSG_NOSIGNAL)) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return false }
      done += n
    }
    return true
  }
}
