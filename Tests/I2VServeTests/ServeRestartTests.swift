import Foundation
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The queue survives the server: killed (SIGKILL) with one job running and one queued, the next server marks
/// the first interrupted and runs the second; SIGTERM stops a server cleanly even with an event stream open.
@Suite struct ServeRestartTests {
  @Test func killedServerResumesItsQueue() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-serve-restart-\(UUID().uuidString)")
    let output = dir.appendingPathComponent("videos")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)

    let first = try LiveServer(outputDir: output)
    // A long job to be caught running, and a short one waiting behind it.
    let long = try first.submit(#"{"prompt": "a long pan", "preset": "smoke", "steps": 500}"#)
    let short = try first.submit(#"{"prompt": "a cat turning its head", "preset": "smoke", "seed": 3}"#)
    let running = try first.wait(long) { ($0["progress"] as? [String: Any])?["step"] as? Int ?? 0 > 0 }
    #expect(running["state"] as? String == "running", "\(running)")
    #expect(try first.job(short)["state"] as? String == "queued")
    first.kill()

    let second = try LiveServer(outputDir: output)
    defer { _ = second.stop() }
    #expect(second.log.contains("job \(long) was running when the last server stopped: marked interrupted"),
            "\(second.log)")
    let done = try second.wait(short) { $0["state"] as? String == "done" }
    #expect(done["state"] as? String == "done", "\(done) \(second.log)")
    let name = try #require((done["output"] as? [String: Any])?["name"] as? String)
    #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path))
    #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(name + ".json").path))
    let interrupted = try second.job(long)
    #expect(interrupted["state"] as? String == "interrupted")
    #expect((interrupted["error"] as? String)?.contains("the server stopped while this job was running") == true)
    // Nothing half-written: the killed job left no video, and no temporary file stays visible.
    let visible = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { !$0.hasPrefix(".") }
    #expect(Set(visible) == [name, name + ".json"], "\(visible)")

    // Queued again, it runs on the second server (cancelled once it is seen running, to stay quick).
    let requeued = try second.request("POST", "/api/jobs/\(long)/requeue")
    #expect(requeued.status == 200 && requeued.object["state"] as? String == "queued")
    _ = try second.wait(long) { $0["state"] as? String == "running" }
    #expect(try second.request("POST", "/api/jobs/\(long)/cancel").status == 202)
    let cancelled = try second.wait(long) { $0["state"] as? String == "cancelled" }
    #expect(cancelled["state"] as? String == "cancelled")
  }

  @Test func terminatedServerStopsCleanlyWithAnOpenEventStream() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-serve-stop-\(UUID().uuidString)")
    let server = try LiveServer(outputDir: dir.appendingPathComponent("videos"))
    let job = try server.submit(#"{"prompt": "a long pan", "preset": "smoke", "steps": 500}"#)
    _ = try server.wait(job) { ($0["progress"] as? [String: Any])?["step"] as? Int ?? 0 > 0 }
    // A listener that never hangs up by itself.
    let stream = URLSession.shared.dataTask(with: URL(string: server.url + "api/events")!)
    stream.resume()
    Thread.sleep(forTimeInterval: 0.3)
    let started = Date()
    #expect(server.stop() == 0)
    #expect(Date().timeIntervalSince(started) < 30)
    stream.cancel()
    // The job it was running is interrupted, not lost: the next server says so.
    let next = try LiveServer(outputDir: dir.appendingPathComponent("videos"))
    defer { _ = next.stop() }
    #expect(try next.job(job)["state"] as? String == "interrupted")
  }
}
