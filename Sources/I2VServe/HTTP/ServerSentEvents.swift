import Foundation
import Hummingbird
import ServiceLifecycle

/// `text/event-stream` responses (the page's `EventSource`): `event: job|progress|deleted` with the JSON as
/// `data:`, and a comment line as heartbeat. The stream ends when `until` says so (a job's own stream, when the
/// job is finished), when the client goes, or when the server stops.
enum ServerSentEvents {
  static func response(initial: [ServerEvent], subscription: JobEvents.Subscription, events: JobEvents,
                       until: @escaping @Sendable (ServerEvent) -> Bool) -> Response
  {
    let body = ResponseBody { writer in
      defer { events.unsubscribe(subscription) }
      for e in initial {
        try await writer.write(ByteBuffer(string: format(e)))
        if until(e) {
          try await writer.finish(nil)
          return
        }
      }
      try await withGracefulShutdownHandler {
        for await e in subscription.stream {
          try await writer.write(ByteBuffer(string: format(e)))
          if until(e) { break }
        }
      } onGracefulShutdown: {
        events.close()
      }
      try await writer.finish(nil)
    }
    return Response(status: .ok, headers: [
      .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store",
      .init("X-Accel-Buffering")!: "no",
    ], body: body)
  }

  static func format(_ event: ServerEvent) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    func message(_ name: String, _ value: some Encodable) -> String {
      let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
      return "event: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
    }
    switch event {
    case .job(let j): return message("job", j)
    case .progress(let p): return message("progress", p)
    case .deleted(let id): return message("deleted", ["id": id])
    case .heartbeat: return ": heartbeat\n\n"
    }
  }
}
