import Foundation
import Testing

@testable import I2VServe

/// The SQLite queue: what survives a restart, the order jobs run in, and how a job's settings are read.
@Suite struct JobStoreTests {
  static func job(_ prompt: String, state: JobState = .queued) -> Job {
    let now = Date()
    return Job(id: nil, state: state, createdAt: now, queuedAt: now, startedAt: nil, finishedAt: nil, prompt: prompt,
               settings: ["prompt": prompt, "seed": "1"],
               resolved: ResolvedSettings(preset: "smoke", width: 32, height: 32, frames: 4, fps: 8, steps: 2,
                                          guidance: 9, guidanceSource: "preset", guidanceReason: "preset 'smoke'",
                                          scheduler: "ddim", seed: "1", negativePrompt: nil, format: "mp4"),
               imageName: "a.png", imageFile: "a.png", imageSHA256: "00", outputFile: "\(prompt).mp4",
               outputSHA256: nil, error: nil, warnings: ["w"], timings: nil)
  }

  static func path() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("i2v-queue-\(UUID().uuidString).sqlite").path
  }

  @Test func everythingSurvivesReopening() throws {
    let path = Self.path()
    do {
      let store = try JobStore(path: path)
      _ = try store.enqueue(Self.job("first"), limit: 10)
      _ = try store.enqueue(Self.job("second"), limit: 10)
      let claimed = try #require(try store.claimNext())
      #expect(claimed.prompt == "first" && claimed.state == .running)
      try store.update(claimed.id!) { $0.timings = ["total": 1.5] }
    }
    // A new server on the same folder: the running job was cut off, the queued one waits.
    let store = try JobStore(path: path)
    let interrupted = try store.recoverInterrupted()
    #expect(interrupted.count == 1)
    let jobs = try store.jobs()
    #expect(jobs.map(\.prompt) == ["second", "first"])
    let first = try #require(jobs.last)
    #expect(first.state == .interrupted && first.error?.contains("Re-queue it") == true)
    #expect(first.timings == ["total": 1.5] && first.settings["seed"] == "1" && first.warnings == ["w"])
    #expect(first.resolved.steps == 2)
    #expect(try store.claimNext()?.prompt == "second")
    #expect(try store.recoverInterrupted().count == 1)
  }

  @Test func queueOrderAndLimit() throws {
    let store = try JobStore(path: Self.path())
    let a = try store.enqueue(Self.job("a"), limit: 3)
    let b = try store.enqueue(Self.job("b"), limit: 3)
    _ = try store.enqueue(Self.job("c"), limit: 3)
    #expect(throws: JobStore.QueueFull.self) { try store.enqueue(Self.job("d"), limit: 3) }
    #expect(try store.position(of: b.id!) == 1)
    try store.update(a.id!) { $0.state = .cancelled }
    #expect(try store.position(of: b.id!) == 0)
    #expect(try store.waitingCount() == 2)
    // Re-queued: last in line, same id.
    let again = try #require(try store.requeue(a.id!, limit: 3) { _ in })
    #expect(again.id == a.id && again.state == .queued)
    #expect(try store.claimNext()?.prompt == "b")
    #expect(try store.claimNext()?.prompt == "c")
    #expect(try store.claimNext()?.prompt == "a")
    #expect(try store.claimNext() == nil)
  }

  @Test func deletedIDsAreNotReused() throws {
    let store = try JobStore(path: Self.path())
    let a = try store.enqueue(Self.job("a"), limit: 3)
    _ = try store.delete(a.id!)
    let b = try store.enqueue(Self.job("b"), limit: 3)
    #expect(b.id! > a.id!)
  }

  @Test func jobSettingsParseLikeAManifestRow() throws {
    let s = try JobSettings(json: Data(#"{"prompt": "waves", "Steps": 30, "guidance": "auto", "seed": "18446744073709551615", "long_prompt": true, "format": "WEBM"}"#.utf8))
    #expect(s.prompt == "waves" && s.format == "webm")
    #expect(s.generation.steps == 30 && s.generation.guidance == .auto && s.generation.seed == UInt64.max)
    #expect(s.generation.longPrompt == true)
    #expect(s.fields["steps"] == "30")
    // Stored fields read back to the same settings.
    #expect(try JobSettings(fields: s.fields) == s)
  }

  @Test func outputNames() {
    let date = Date(timeIntervalSince1970: 1_700_000_000)
    #expect(ServePaths.outputName(prompt: "A cat, turning its head!", format: "mp4", date: date) { _ in false }
      == "20231114-221320-a-cat-turning-its-head.mp4")
    #expect(ServePaths.outputName(prompt: "東京", format: "webm", date: date) { _ in false } == "20231114-221320.webm")
    let taken: Set = ["20231114-221320-x.mp4", "20231114-221320-x-2.mp4"]
    #expect(ServePaths.outputName(prompt: "x", format: "mp4", date: date) { taken.contains($0) }
      == "20231114-221320-x-3.mp4")
  }

  @Test func byteRanges() {
    #expect(FileResponse.parseRange("bytes=0-9", size: 100) == 0...9)
    #expect(FileResponse.parseRange("bytes=90-", size: 100) == 90...99)
    #expect(FileResponse.parseRange("bytes=-10", size: 100) == 90...99)
    #expect(FileResponse.parseRange("bytes=95-200", size: 100) == 95...99)
    #expect(FileResponse.parseRange("bytes=100-", size: 100) == nil)
    #expect(FileResponse.parseRange("bytes=5-2", size: 100) == nil)
    #expect(FileResponse.parseRange("bytes=0-1,4-5", size: 100) == nil)
    #expect(FileResponse.parseRange("items=0-1", size: 100) == nil)
  }
}
