import Foundation
import Hummingbird
import I2VApp
import I2VModels
import Logging

/// `i2v serve`: the web page and the HTTP API over the persistent job queue, on the same application layer as
/// `generate` and `batch`. Opening it resolves and checks the model (no weights yet), opens the queue (jobs the
/// last server was running become interrupted) and starts the worker; `run` serves until SIGINT or SIGTERM.
public final class I2VServer: @unchecked Sendable {
  public let settings: ServeSettings
  /// The token every request must carry (generated when the host is not loopback and none was given).
  public let token: String?
  public let paths: ServePaths
  let session: GenerationSession
  let store: JobStore
  let events: JobEvents
  let runner: JobRunner
  let tokenizer: CLIPTokenizer
  let log: @Sendable (String) -> Void
  /// The model folder the jobs run (resolved as `generate` resolves it).
  public var modelPath: String { session.model.path }
  /// Job numbers a previous server left running (now interrupted).
  public let interruptedAtStart: [Int64]

  public init(_ settings: ServeSettings, log: @escaping @Sendable (String) -> Void) throws {
    try settings.validate()
    self.settings = settings
    self.log = log
    token = settings.token ?? (settings.isLoopback ? nil : AccessToken.generate())
    paths = ServePaths(outputDir: settings.outputDir)
    try paths.create()
    events = JobEvents()
    let sink = JobProgressSink(events: events, log: log)
    session = try GenerationSession(settings.model, report: sink)
    tokenizer = try CLIPTokenizer(directory: ModelLocator.tokenizerDirectory(model: session.model.path))
    do {
      store = try JobStore(path: paths.database)
    } catch {
      throw ServeError("cannot open the job queue \(paths.database): \(error)")
    }
    interruptedAtStart = try store.recoverInterrupted()
    runner = JobRunner(session: session, sink: sink, store: store, events: events, paths: paths, log: log)
  }

  /// The routes, for `run` and for in-process tests (HummingbirdTesting).
  func makeRouter() -> (Router<ServeContext>, [RouteTable.Entry]) {
    let router = Router(context: ServeContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: AccessMiddleware(token: token))
    let table = RouteTable(router: router)
    ServeRoutes(server: self).register(table)
    return (router, table.entries)
  }

  /// The application; the worker starts with it. `onReady` gets the page's address (with `?token=` when there
  /// is one) once the socket listens.
  public func makeApplication(onReady: @escaping @Sendable (String) async -> Void = { _ in })
    -> some ApplicationProtocol
  {
    makeApplication(startWorker: true, onReady: onReady)
  }

  /// `startWorker: false` (tests): jobs stay queued, so the queue's rules can be checked without timing.
  func makeApplication(startWorker: Bool, onReady: @escaping @Sendable (String) async -> Void = { _ in })
    -> some ApplicationProtocol
  {
    if startWorker { runner.start() }
    events.startHeartbeat()
    var logger = Logger(label: "i2v-serve")
    logger.logLevel = .warning
    let host = settings.host, token = token
    return Application(
      router: makeRouter().0,
      configuration: .init(address: .hostname(host, port: settings.port), serverName: "i2v/\(I2VVersion.string)"),
      onServerRunning: { channel in
        let port = channel.localAddress?.port ?? 0
        let shown = host.contains(":") ? "[\(host)]" : host
        await onReady("http://\(shown):\(port)/" + (token.map { "?token=\($0)" } ?? ""))
      },
      logger: logger)
  }

  /// Serves until SIGINT/SIGTERM; then the running job is stopped (it becomes interrupted) and nothing is lost.
  public func run(onReady: @escaping @Sendable (String) async -> Void) async throws {
    let app = makeApplication(onReady: onReady)
    defer { shutDown() }
    try await app.runService()
  }

  /// Stops the worker (the running job, if any, becomes interrupted) and ends every event stream.
  public func shutDown() {
    events.close()
    runner.stop()
  }

  /// Runs the server from synchronous code (the CLI's `serve`), blocking until it stops.
  public func runBlocking(onReady: @escaping @Sendable (String) async -> Void) throws {
    let done = DispatchSemaphore(value: 0)
    let failure = LockedBox<Error?>(nil)
    Task.detached { [self] in
      do { try await run(onReady: onReady) } catch { failure.set(error) }
      done.signal()
    }
    done.wait()
    if let error = failure.get() { throw error }
  }
}

/// A value shared between a task and the thread waiting for it.
final class LockedBox<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value
  init(_ value: Value) { self.value = value }
  func get() -> Value {
    lock.lock()
    defer { lock.unlock() }
    return value
  }
  func set(_ v: Value) {
    lock.lock()
    value = v
    lock.unlock()
  }
}
