import Foundation
import Hummingbird
import HummingbirdTesting
import I2VApp
import I2VCheckpoint
import Testing

@testable import I2VServe

/// Jobs through the API on the tiny model: created, run on the shared session, their files served; cancelled,
/// re-queued and deleted; the queue bounded.
@Suite struct ServeJobTests {
  static let smoke = #"{"prompt": "a cat turning its head", "preset": "smoke", "seed": 7}"#

  @Test func jobRunsAndItsFilesAreServed() async throws {
    let fixture = try ServeFixture()
    let dir = fixture.dir
    let events = fixture.server.events
    try await fixture.test { client in
      let created = try await client.postJob(Self.smoke)
      #expect(created.status == .created, "\(created.text)")
      let id = try #require(created.object["id"] as? Int)
      #expect(created.headers[.location] == "/api/jobs/\(id)")
      let resolved = created.object["resolved"] as? [String: Any] ?? [:]
      #expect(resolved["seed"] as? String == "7" && resolved["steps"] as? Int == 2 && resolved["width"] as? Int == 32)
      #expect(resolved["guidance_source"] as? String == "preset")
      #expect((created.object["settings"] as? [String: String])?["seed"] == "7")

      let job = try await client.waitFinished(id)
      #expect(job["state"] as? String == "done", "\(job)")
      let output = try #require(job["output"] as? [String: Any])
      let name = try #require(output["name"] as? String)
      #expect(name.hasSuffix("-a-cat-turning-its-head.mp4"))
      let timings = job["timings"] as? [String: Double] ?? [:]
      #expect(timings["total"] != nil && timings["denoise"] != nil)

      // The video: the file the session wrote into the output folder, its hash recorded on the job.
      let onDisk = try Data(contentsOf: dir.appendingPathComponent(name))
      let video = try await client.execute(uri: "/api/jobs/\(id)/video", method: .get)
      #expect(video.status == .ok && video.headers[.contentType] == "video/mp4")
      #expect(Data(buffer: video.body) == onDisk)
      #expect(output["sha256"] as? String == SHA256.hex(Array(onDisk)))
      // Byte ranges, for the video element's seeking.
      let part = try await client.execute(uri: "/api/jobs/\(id)/video", method: .get, headers: [.range: "bytes=4-11"])
      #expect(part.status == .partialContent)
      #expect(part.headers[.contentRange] == "bytes 4-11/\(onDisk.count)")
      #expect(Data(buffer: part.body) == onDisk[4...11])
      let tail = try await client.execute(uri: "/api/jobs/\(id)/video", method: .get, headers: [.range: "bytes=-5"])
      #expect(Data(buffer: tail.body) == onDisk.suffix(5))
      let outside = try await client.execute(uri: "/api/jobs/\(id)/video", method: .get,
                                             headers: [.range: "bytes=\(onDisk.count + 10)-"])
      #expect(outside.status == .rangeNotSatisfiable && outside.headers[.contentRange] == "bytes */\(onDisk.count)")

      // The sidecar is generate's provenance record of this video.
      let sidecar = try await client.execute(uri: "/api/jobs/\(id)/sidecar", method: .get)
      #expect(sidecar.status == .ok)
      let record = sidecar.object
      #expect((record["parameters"] as? [String: Any])?["seed"] as? Int == 7)
      #expect((record["output"] as? [String: Any])?["sha256"] as? String == output["sha256"] as? String)
      #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name + ".json").path))

      // The uploaded image, as it was sent.
      let image = try await client.execute(uri: "/api/jobs/\(id)/image", method: .get)
      #expect(image.status == .ok && image.headers[.contentType] == "image/png")
      #expect(Array(buffer: image.body) == (try ServeFixture.image()))

      // The list has it, newest first.
      let (_, list) = try await client.json("/api/jobs")
      #expect((list["jobs"] as? [[String: Any]])?.first?["id"] as? Int == id)
      #expect(list["waiting"] as? Int == 0)

      // The model stays loaded for the next job.
      #expect(try await client.json("/api/model").1["loaded"] as? Bool == true)

      // A finished job's event stream: the job, then it ends.
      let stream = try await client.execute(uri: "/api/jobs/\(id)/events", method: .get)
      #expect(stream.headers[.contentType]?.hasPrefix("text/event-stream") == true)
      #expect(stream.text.hasPrefix("event: job\ndata: {"))
      #expect(stream.text.contains("\"state\":\"done\""))
      #expect(events.listenerCount == 0)  // the stream's listener is gone with it
    }
  }

  /// Two jobs with the same settings give the same video, bit for bit, as `generate --seed` does.
  @Test func sameSeedSameVideo() async throws {
    let fixture = try ServeFixture()
    let dir = fixture.dir
    try await fixture.test { client in
      let a = try #require(try await client.postJob(Self.smoke).object["id"] as? Int)
      let b = try #require(try await client.postJob(Self.smoke).object["id"] as? Int)
      let ja = try await client.waitFinished(a), jb = try await client.waitFinished(b)
      let na = try #require((ja["output"] as? [String: Any])?["name"] as? String)
      let nb = try #require((jb["output"] as? [String: Any])?["name"] as? String)
      #expect(na != nb)  // the server names each output
      #expect(try Data(contentsOf: dir.appendingPathComponent(na)) == Data(contentsOf: dir.appendingPathComponent(nb)))
    }
  }

  @Test func progressEventsReachListeners() async throws {
    let fixture = try ServeFixture()
    let events = fixture.server.events
    try await fixture.test { client in
      let listener = Task { () -> String in
        let r = try await client.execute(uri: "/api/events", method: .get)
        return r.text
      }
      while events.listenerCount == 0 { try await Task.sleep(nanoseconds: 20_000_000) }
      let id = try #require(try await client.postJob(#"{"prompt": "waves", "preset": "smoke", "steps": 6}"#).object["id"] as? Int)
      _ = try await client.waitFinished(id)
      events.close()  // ends the stream so the response completes
      let text = try await listener.value
      #expect(text.contains("event: job\ndata: {"))
      #expect(text.contains("\"state\":\"queued\"") && text.contains("\"state\":\"running\"") && text.contains("\"state\":\"done\""))
      #expect(text.contains("event: progress") && text.contains("\"stage\":\"denoising\""))
      #expect(text.contains("\"step\":6,\"steps\":6"))
      #expect(text.contains("\"eta_seconds\":"))
    }
  }

  @Test func cancelARunningJob() async throws {
    let fixture = try ServeFixture()
    let dir = fixture.dir
    try await fixture.test { client in
      // Enough steps to be caught running.
      let id = try #require(try await client.postJob(#"{"prompt": "a slow pan", "preset": "smoke", "steps": 500}"#)
        .object["id"] as? Int)
      let running = try await client.waitFor(id) {
        ($0["progress"] as? [String: Any])?["step"] as? Int ?? 0 > 0 || $0["state"] as? String != "queued" && $0["state"] as? String != "running"
      }
      #expect(running["state"] as? String == "running")
      let delete = try await client.execute(uri: "/api/jobs/\(id)", method: .delete)
      #expect(delete.status == .conflict && delete.error.contains("cancel it first"))
      let cancel = try await client.execute(uri: "/api/jobs/\(id)/cancel", method: .post)
      #expect(cancel.status == .accepted)
      let job = try await client.waitFinished(id, seconds: 60)
      #expect(job["state"] as? String == "cancelled")
      #expect(job["error"] as? String == "cancelled; no output written")
      let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }
      #expect(files.isEmpty, "\(files)")
      let again = try await client.execute(uri: "/api/jobs/\(id)/cancel", method: .post)
      #expect(again.status == .conflict && again.error.contains("already cancelled"))
    }
  }

  /// Without the worker, jobs stay queued: positions, cancel, re-queue, delete and the queue's bound.
  @Test func queueRules() async throws {
    let fixture = try ServeFixture { $0.queueLimit = 2 }
    let dir = fixture.dir
    try await fixture.test(worker: false) { client in
      let a = try #require(try await client.postJob(Self.smoke).object["id"] as? Int)
      let second = try await client.postJob(Self.smoke)
      let b = try #require(second.object["id"] as? Int)
      #expect(second.object["queue_position"] as? Int == 1)
      let full = try await client.postJob(Self.smoke)
      #expect(full.status == .tooManyRequests)
      #expect(full.error.contains("the queue is full (2 jobs waiting)"))
      #expect(full.headers[.retryAfter] != nil)
      // Nothing of the refused job stays: two uploads stored.
      let inputs = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(".i2v-serve/inputs").path)
      #expect(inputs.count == 2)

      let cancelled = try await client.execute(uri: "/api/jobs/\(a)/cancel", method: .post)
      #expect(cancelled.status == .ok && cancelled.object["state"] as? String == "cancelled")
      #expect(cancelled.object["error"] as? String == "cancelled before it started")
      let (_, bJob) = try await client.json("/api/jobs/\(b)")
      #expect(bJob["queue_position"] as? Int == 0)

      // Re-queued: at the end of the line, same settings and seed.
      let requeued = try await client.execute(uri: "/api/jobs/\(a)/requeue", method: .post)
      #expect(requeued.status == .ok && requeued.object["state"] as? String == "queued")
      #expect(requeued.object["queue_position"] as? Int == 1 && requeued.object["error"] == nil)
      #expect((requeued.object["settings"] as? [String: String])?["seed"] == "7")
      let notAgain = try await client.execute(uri: "/api/jobs/\(a)/requeue", method: .post)
      #expect(notAgain.status == .conflict && notAgain.error.contains("only failed, cancelled or interrupted"))
      let video = try await client.execute(uri: "/api/jobs/\(a)/video", method: .get)
      #expect(video.status == .conflict && video.error.contains("is queued"))

      // Deleting a queued job removes it and its upload.
      let deleted = try await client.execute(uri: "/api/jobs/\(b)", method: .delete)
      #expect(deleted.status == .noContent)
      #expect(try await client.execute(uri: "/api/jobs/\(b)", method: .get).status == .notFound)
      #expect(try await client.execute(uri: "/api/jobs/\(b)", method: .delete).status == .notFound)
      let left = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(".i2v-serve/inputs").path)
      #expect(left.count == 1)
    }
  }

  @Test func unknownJobs() async throws {
    let fixture = try ServeFixture()
    let events = fixture.server.events
    try await fixture.test(worker: false) { client in
      for (uri, method) in [("/api/jobs/42", HTTPRequest.Method.get), ("/api/jobs/42/cancel", .post),
                            ("/api/jobs/42/requeue", .post), ("/api/jobs/42", .delete), ("/api/jobs/42/video", .get),
                            ("/api/jobs/42/sidecar", .get), ("/api/jobs/42/image", .get),
                            ("/api/jobs/42/events", .get), ("/api/jobs/abc", .get), ("/api/jobs/-1", .get)]
      {
        let r = try await client.execute(uri: uri, method: method)
        #expect(r.status == .notFound, "\(method) \(uri)")
        #expect(r.error.hasPrefix("no job"), "\(uri): \(r.error)")
      }
      #expect(events.listenerCount == 0)
    }
  }
}
