import Foundation
import I2VSupport
import Testing

/// Re-running a batch: skip what is done, `--force`, resume after an interrupted run, and sharding.
@Suite struct BatchResumeTests {
  func modified(_ f: BatchFolder, _ name: String) throws -> Date {
    try FileManager.default.attributesOfItem(atPath: f.output.appendingPathComponent(name).path)[.modificationDate]
      as? Date ?? .distantPast
  }

  @Test func skipsDoneItemsAndForceRedoesThem() throws {
    let f = try BatchFolder([("a.png", "square_48x48.png"), ("b.png", "wide_55x31.png")])
    let first = try f.run(["--prompt", "x"])
    #expect(first.status == 0, "\(first.stderr)")
    let before = try modified(f, "a.mp4")

    let again = try f.run(["--prompt", "x"])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stderr.contains("0 to generate, 2 already done"), "\(again.stderr)")
    let summary = try f.summary()
    #expect(summary.count("skipped") == 2 && summary.count("done") == 0)
    #expect(summary.entry(image: "a.png")?["output"] as? String == "a.mp4")
    #expect(try modified(f, "a.mp4") == before, "a skipped output is not touched")

    // A removed output is made again; the other is still skipped.
    try FileManager.default.removeItem(at: f.output.appendingPathComponent("b.mp4"))
    let partial = try f.run(["--prompt", "x"])
    #expect(partial.status == 0, "\(partial.stderr)")
    #expect(try f.summary().images("done") == ["b.png"] && f.summary().images("skipped") == ["a.png"])

    let forced = try f.run(["--prompt", "x", "--force"])
    #expect(forced.status == 0, "\(forced.stderr)")
    #expect(try f.summary().images("done") == ["a.png", "b.png"])
    #expect(try modified(f, "a.mp4") > before)
  }

  /// Ctrl-C in the middle: no partial or temporary file is left, and the next run does only what is missing.
  @Test func resumesAfterAnInterruptedBatch() throws {
    let f = try BatchFolder.four()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: CLI.executable)
    // More steps than the smoke preset, so the signal lands while an item is being generated.
    p.arguments = f.arguments(["--steps", "12"])
    var env = ProcessInfo.processInfo.environment
    env["I2V_THREADS"] = "1"
    p.environment = env
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    let deadline = Date().addingTimeInterval(60)
    // The first item is complete once its provenance sidecar (written last) is there.
    while p.isRunning && Date() < deadline && !f.outputs().contains("a.mp4.json") { usleep(20_000) }
    #expect(p.isRunning, "the batch finished before it could be interrupted")
    kill(p.processIdentifier, SIGINT)
    p.waitUntilExit()
    #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGINT)

    let left = f.outputs()
    #expect(left.contains("a.mp4") && left.contains("a.mp4.json"))
    #expect(!left.contains { $0.hasPrefix(".") || $0.contains("tmp-") }, "temporary files left: \(left)")
    #expect(!left.contains("d.mp4.json"), "the batch did not finish")
    #expect(!left.contains("batch-summary.json"), "an interrupted batch writes no summary")
    // Complete = the video and its sidecar; a video whose sidecar was not written yet is made again.
    let finished = left.filter { $0.hasSuffix(".mp4") && left.contains($0 + ".json") }
    // What a SIGKILL (no chance to clean up) would leave: the re-run removes its own items' temporaries whose
    // process on this machine is gone; another machine's (a shared folder) stay until they are an hour old.
    let host = TemporaryName.host
    let stale = [".d.mp4.i2v-tmp-\(host)-999999-1", ".d.mp4.json.tmp-\(host)-999999-2"]
    let foreign = ".other.mp4.i2v-tmp-\(host)-999999-3", fresh = ".d.mp4.i2v-tmp-othermachine-999998-4"
    for name in stale + [foreign, fresh] { try Data().write(to: f.output.appendingPathComponent(name)) }

    let r = try f.run(["--steps", "12"])
    #expect(r.status == 0, "\(r.stderr)")
    let summary = try f.summary()
    #expect(summary.images("skipped") == finished.map { $0.replacingOccurrences(of: ".mp4", with: ".png") })
    #expect(summary.count("done") == 4 - finished.count && summary.count("failed") == 0)
    #expect(f.outputs().filter { $0.hasSuffix(".mp4") } == ["a.mp4", "b.mp4", "c.mp4", "d.mp4"])
    #expect(r.stderr.contains("removed 2 temporary file(s)"), "\(r.stderr)")
    #expect(f.outputs().filter { $0.hasPrefix(".") } == [fresh, foreign].sorted())
  }

  /// Three shards run one after another do every item exactly once; Slurm and Kubernetes variables pick the
  /// same shards as --shard.
  @Test func shardsCoverEveryItemExactlyOnce() throws {
    let f = try BatchFolder([("1.png", "square_48x48.png"), ("2.png", "wide_55x31.png"), ("3.png", "wide_102x58.png"),
                             ("4.png", "landscape_96x72.png"), ("5.png", "square_48x48.png")])
    var doneBy: [[String]] = []
    for k in 0..<3 {
      let r = try f.run(["--prompt", "x", "--shard", "\(k)/3"])
      #expect(r.status == 0, "\(r.stderr)")
      let summary = try f.summary("batch-summary-shard-\(k)-of-3.json")
      #expect(summary.count("skipped") == 0, "shards never see each other's items")
      doneBy.append(summary.images("done"))
    }
    #expect(doneBy == [["1.png", "4.png"], ["2.png", "5.png"], ["3.png"]])
    #expect(f.outputs().filter { $0.hasSuffix(".mp4") }.count == 5)
    #expect(!FileManager.default.fileExists(atPath: f.output.appendingPathComponent("batch-summary.json").path))

    // The same split from the cluster schedulers' variables (dry runs: nothing is generated or written).
    for k in 0..<3 {
      let slurm = ["SLURM_ARRAY_TASK_ID": "\(k + 1)", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "3",
                   "SLURM_ARRAY_TASK_COUNT": "3"]
      let kubernetes = ["JOB_COMPLETION_INDEX": "\(k)", "I2V_SHARD_COUNT": "3"]
      for env in [slurm, kubernetes] {
        let r = try f.run(["--prompt", "x", "--dry-run", "--force", "--json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let summary = jsonObject(r.stdout)
        #expect(summary.images("pending") == doneBy[k], "\(env): \(r.stdout)")
        #expect((summary["shard"] as? [String: Any])?["index"] as? Int == k)
      }
    }
  }
}

/// Two batches started together on one folder, without --shard, do every item exactly once between them.
@Suite struct ConcurrentBatchTests {
  @Test func twoBatchesShareTheWork() throws {
    let f = try BatchFolder((0..<6).map { ("img\($0).png", "square_48x48.png") })
    func start() throws -> (Process, Pipe) {
      let p = Process()
      p.executableURL = URL(fileURLWithPath: CLI.executable)
      p.arguments = f.arguments(["--prompt", "a cat", "--frames", "2", "--json"])
      var env = ProcessInfo.processInfo.environment
      env["XDG_CACHE_HOME"] = f.root.appendingPathComponent("cache").path
      p.environment = env
      let out = Pipe()
      p.standardOutput = out
      p.standardError = FileHandle.nullDevice
      try p.run()
      return (p, out)
    }
    let (a, aOut) = try start(), (b, bOut) = try start()
    let aText = String(decoding: aOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let bText = String(decoding: bOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    a.waitUntilExit()
    b.waitUntilExit()
    #expect(a.terminationStatus == 0 && b.terminationStatus == 0)
    let doneA = jsonObject(aText).images("done"), doneB = jsonObject(bText).images("done")
    #expect((doneA + doneB).sorted() == (0..<6).map { "img\($0).png" }, "A: \(doneA), B: \(doneB)")
    #expect(Set(doneA).isDisjoint(with: doneB))
    #expect(f.outputs().filter { $0.hasPrefix(".") }.isEmpty, "\(f.outputs())")
  }
}
