import Foundation
import Testing

/// `generate --analyze` and `batch --analyze`: the written video's motion in the sidecar and the batch summary.
@Suite struct AnalyzeOptionTests {
  @Test func generateRecordsTheMotionOfWhatItWrote() throws {
    let dir = try CLI.tempDir()
    let out = dir.appendingPathComponent("cat.mp4").path
    let r = try CLI.run(["generate", "--model", CLI.fixture("models/tiny-a"), "--image",
                         CLI.fixture("images/square_48x48.png"), "--prompt", "a cat", "--preset", "smoke", "--seed", "5",
                         "--interpolate", "2", "--analyze", "-o", out, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("motion: "), "the verdict is said: \(r.stderr)")
    let sidecar = try ModelCopies.json(file: out + ".json")
    let motion = try #require(sidecar["motion"] as? [String: Any])
    let clip = motion["clip"] as? [String: Any] ?? [:]
    // The frames as written: 4 generated, interpolated to 8 at 16 fps.
    #expect(clip["frames"] as? Int == 8 && clip["fps"] as? Double == 16 && clip["fps_source"] as? String == "generated")
    #expect((motion["pairs"] as? [Any])?.count == 7 && (motion["verdict"] as? [String: Any])?["rating"] is String)
    #expect((sidecar["timings_seconds"] as? [String: Any])?["analyze"] is Double)
    let printed = jsonObject(r.stdout)
    #expect((printed["provenance"] as? [String: Any])?["motion"] != nil, "--json carries the sidecar's record")

    let plain = try CLI.run(["generate", "--model", CLI.fixture("models/tiny-a"), "--image",
                             CLI.fixture("images/square_48x48.png"), "--prompt", "a cat", "--preset", "smoke",
                             "-o", dir.appendingPathComponent("plain.mp4").path, "--quiet"])
    #expect(plain.status == 0)
    #expect(try ModelCopies.json(file: dir.appendingPathComponent("plain.mp4.json").path)["motion"] == nil)

    let one = try CLI.run(["generate", "--model", CLI.fixture("models/tiny-a"), "--image",
                           CLI.fixture("images/square_48x48.png"), "--prompt", "a cat", "--preset", "smoke",
                           "--frames", "1", "--analyze", "-o", dir.appendingPathComponent("one.mp4").path])
    #expect(one.status == 64 && one.stderr.contains("at least 2"), "\(one.stderr)")
    #expect(!one.stderr.contains("loading"), "refused before the model loads")
  }

  @Test func batchSummaryCarriesMotionSortedByJitter() throws {
    let f = try BatchFolder.four()
    let r = try f.run(["--analyze", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let summary = try f.summary()
    var jitters: [(String, Double)] = []
    for e in summary.entries {
      let m = try #require(e["motion"] as? [String: Any], "\(e)")
      #expect(m["rating"] is String && m["motion_pct_diagonal_per_s"] is Double && m["warp_error"] is Double)
      jitters.append((e["output"] as? String ?? "", m["jitter_pct_diagonal"] as? Double ?? -1))
    }
    #expect(jitters.count == 4)
    // The report at the end lists them, most jittery first.
    let listed = r.stderr.components(separatedBy: "\n").drop { !$0.hasPrefix("motion, most jittery first") }.dropFirst()
      .prefix(4).map { $0.trimmingCharacters(in: .whitespaces).components(separatedBy: ":")[0] }
    #expect(listed == jitters.sorted { $0.1 > $1.1 }.map(\.0), "\(r.stderr)")
    // A rerun skips the finished items and takes their motion from the sidecars.
    let again = try f.run(["--analyze"])
    #expect(again.status == 0)
    let skipped = try f.summary()
    #expect(skipped.count("skipped") == 4 && skipped.entries.allSatisfy { $0["motion"] != nil })
  }
}
