import Foundation

#if !I2V_NO_NETWORK && canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// HTTP for the hub client, over Foundation's URLSession (libcurl on Linux, part of the Swift toolchain, so no
/// package to build). It covers what downloads need: custom headers (Range, Authorization), redirects to LFS
/// storage, and the body delivered piece by piece (a data task's delegate), so a 3 GB file streams to disk.
final class HubHTTP {
  struct Reply {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    /// The body of JSON requests and of failed requests (the first 64 KiB), else empty.
    var body: Data
    /// Headers of the first response, before any redirect (the hub's own, not the storage's).
    var firstHeaders: [String: String]
  }

  let environment: HubEnvironment
  /// Seconds without any data before a request is given up (then retried by the caller).
  let idleTimeout: TimeInterval

  init(environment: HubEnvironment, idleTimeout: TimeInterval = 30) {
    self.environment = environment
    self.idleTimeout = idleTimeout
  }
}

#if I2V_NO_NETWORK
/// The carryable build (`I2V_MEDIA=png`, Scripts/build-device-binary.sh) links the Swift runtime statically, and a
/// static FoundationNetworking needs libcurl and its whole dependency tree on the target. That build is for
/// machines without internet, so it leaves networking out and says so.
extension HubHTTP {
  func get(_ url: URL, headers: [String: String] = [:], start: ((Int, [String: String]) -> Bool)? = nil,
           sink: ((Data) -> Bool)? = nil) throws -> Reply
  {
    throw HubError(.network, "this i2v was built without networking (the small PNG-only build, I2V_MEDIA=png), so "
      + "it cannot fetch \(url.absoluteString); download the model with a full build of i2v (or huggingface-cli) "
      + "and pass its folder with --model, or set HF_HUB_OFFLINE=1 to use what is already in the cache")
  }
}
#else
extension HubHTTP {
  /// GETs `url`. With `sink`, successful bodies go to it as they arrive (it returns false to stop); otherwise
  /// they are collected. Throws only for transport failures; HTTP statuses are the caller's to judge.
  /// `start(status, headers)` sees a successful response before its body and may refuse it (returns false).
  func get(_ url: URL, headers: [String: String] = [:], start: ((Int, [String: String]) -> Bool)? = nil,
           sink: ((Data) -> Bool)? = nil) throws -> Reply
  {
    var request = URLRequest(url: url)
    request.httpMethod = "GET"
    request.setValue("i2v/\(I2VVersion.string)", forHTTPHeaderField: "User-Agent")
    if let token = environment.token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
    for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
    let transfer = Transfer(host: url.host, start: start, sink: sink)
    let config = URLSessionConfiguration.ephemeral
    config.timeoutIntervalForRequest = idleTimeout
    config.timeoutIntervalForResource = 7 * 24 * 3600
    config.requestCachePolicy = .reloadIgnoringLocalCacheData
    let queue = OperationQueue()
    queue.maxConcurrentOperationCount = 1
    let session = URLSession(configuration: config, delegate: transfer, delegateQueue: queue)
    defer { session.finishTasksAndInvalidate() }
    session.dataTask(with: request).resume()
    transfer.done.wait()
    if let error = transfer.error, !transfer.stoppedBySink {
      throw HubError(.network, Self.describe(error, url: url, proxies: environment.proxies))
    }
    guard let response = transfer.response else {
      throw HubError(.network, "no answer from \(url.host ?? url.absoluteString)")
    }
    return Reply(status: response.statusCode, headers: Self.lowercased(response), body: transfer.body,
                 firstHeaders: transfer.first.map(Self.lowercased) ?? Self.lowercased(response))
  }

  static func lowercased(_ r: HTTPURLResponse) -> [String: String] {
    var h: [String: String] = [:]
    for (k, v) in r.allHeaderFields { h["\(k)".lowercased()] = "\(v)" }
    return h
  }

  /// What a transport failure means for the user, with the proxy settings in play.
  static func describe(_ error: Error, url: URL, proxies: [String: String]) -> String {
    let host = url.host ?? url.absoluteString
    let proxy = proxies.isEmpty ? "no proxy variables are set (behind a proxy, set HTTPS_PROXY)"
      : "proxy settings: " + proxies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    let reason = (error as? URLError).map { e -> String in
      switch e.code {
      case .timedOut: return "no data for a while (timed out)"
      case .networkConnectionLost: return "the connection was dropped"
      case .cannotFindHost, .dnsLookupFailed: return "cannot resolve \(host)"
      case .cannotConnectToHost: return "cannot connect to \(host)"
      case .notConnectedToInternet: return "no network connection"
      case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
           .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
        return "the TLS connection to \(host) failed (a proxy intercepting HTTPS, or a wrong system clock?)"
      default: return e.localizedDescription
      }
    } ?? "\(error)"
    return "\(reason) (\(url.absoluteString)); check the network connection; \(proxy); "
      + "to use only what is already downloaded, set HF_HUB_OFFLINE=1"
  }

  /// One request's delegate: records the responses, streams or collects the body, and keeps the token away
  /// from other hosts on redirects (the hub sends LFS files from a storage host; huggingface_hub's
  /// `file_download.py` drops the authorization header for it too).
  private final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let host: String?
    let start: ((Int, [String: String]) -> Bool)?
    let sink: ((Data) -> Bool)?
    var response: HTTPURLResponse?
    var first: HTTPURLResponse?
    var body = Data()
    var error: Error?
    var stoppedBySink = false
    let done = DispatchSemaphore(value: 0)

    init(host: String?, start: ((Int, [String: String]) -> Bool)?, sink: ((Data) -> Bool)?) {
      self.host = host
      self.start = start
      self.sink = sink
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void)
    {
      self.response = response as? HTTPURLResponse
      if first == nil { first = self.response }
      if let r = self.response, (200..<300).contains(r.statusCode), let start, !start(r.statusCode, HubHTTP.lowercased(r)) {
        stoppedBySink = true
        completionHandler(.cancel)
        return
      }
      completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
      let ok = response.map { (200..<300).contains($0.statusCode) } ?? false
      if ok, let sink {
        if !sink(data) {
          stoppedBySink = true
          dataTask.cancel()
        }
      } else if body.count < 64 << 10 || (ok && sink == nil) {
        body.append(data)
      }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void)
    {
      if first == nil { first = response }
      var next = request
      if request.url?.host != host { next.setValue(nil, forHTTPHeaderField: "Authorization") }
      completionHandler(next)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
      self.error = error
      done.signal()
    }
  }
}
#endif
