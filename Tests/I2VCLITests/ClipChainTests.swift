import Foundation
import I2VCheckpoint
import I2VMedia
import Testing

/// `--clips K` on the tiny fixture model (smoke preset: 4 frames of 32x32 per clip, 8 fps).
@Suite struct ClipChainTests {
  func generate(_ extra: [String], in dir: URL, name: String = "o") throws -> CLI.Result {
    try CLI.run(["generate", "--model", CLI.fixture("models/tiny-a"), "--image", CLI.fixture("images/square_48x48.png"),
                 "--preset", "smoke", "--seed", "5", "--frames-dir", dir.appendingPathComponent(name).path + "/",
                 "-o", dir.appendingPathComponent(name + ".mp4").path] + extra)
  }

  func frames(_ dir: URL, _ name: String) throws -> [Data] {
    let folder = dir.appendingPathComponent(name)
    return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".png") }.sorted()
      .map { try Data(contentsOf: folder.appendingPathComponent($0)) }
  }

  func clips(_ dir: URL, _ name: String) throws -> [[String: Any]] {
    let data = try Data(contentsOf: dir.appendingPathComponent(name + ".mp4.json"))
    let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    return json?["clips"] as? [[String: Any]] ?? []
  }

  @Test func helpShowsAChainedExample() throws {
    let help = try CLI.run(["generate", "--help"])
    #expect(help.stdout.contains("--clips 3 -o walk.mp4") && help.stdout.contains("--prompt-file story.txt"))
  }

  @Test func oneClipIsTodaysOutputBitForBit() throws {
    let dir = try CLI.tempDir()
    let plain = try generate(["--prompt", "a cat"], in: dir, name: "plain")
    let one = try generate(["--prompt", "a cat", "--clips", "1"], in: dir, name: "one")
    #expect(plain.status == 0 && one.status == 0, "\(plain.stderr)\n\(one.stderr)")
    #expect(try frames(dir, "plain") == frames(dir, "one"))
    #expect(try clips(dir, "one").isEmpty)
  }

  @Test func clipTwoStartsFromClipOnesLastFrameAsWritten() throws {
    let dir = try CLI.tempDir()
    let r = try generate(["--prompt", "a cat", "--clips", "2"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    // 4 + 3 frames (clip 2's first frame, a repeat of clip 1's last, is dropped); 7 frames at 8 fps.
    let written = try frames(dir, "o")
    #expect(written.count == 7)
    #expect(r.stderr.contains("7 frames from 2 clips") && r.stderr.contains("(0.88 s)"), "\(r.stderr)")
    let lastOfClip1 = try ImageLoader.loadDetailed(path: dir.appendingPathComponent("o/frame_0003.png").path).image
    var h = SHA256()
    h.update(lastOfClip1.pixels)
    let records = try clips(dir, "o")
    #expect(records.count == 2)
    #expect(records.last?["conditioning_sha256"] as? String == h.finalizeHex())
    #expect(records.map { $0["seed"] as? Int } == [5, 6])
    #expect(records.map { $0["first_frame"] as? Int } == [0, 4] && records.map { $0["last_frame"] as? Int } == [3, 6])
    // The intermediate clip is gone once the video is whole.
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".o.mp4.i2v-clip-1").path))
  }

  @Test func joinBlendShortensEachJoin() throws {
    let dir = try CLI.tempDir()
    let r = try generate(["--prompt", "a cat", "--clips", "3", "--join-blend", "1"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try frames(dir, "o").count == 4 + 2 * (4 - 1 - 1))
    let tooLong = try generate(["--prompt", "a cat", "--clips", "2", "--join-blend", "2"], in: dir, name: "bad")
    #expect(tooLong.status == 64 && tooLong.stderr.contains("--join-blend 2 is too long"), "\(tooLong.stderr)")
  }

  @Test func promptFileGivesOnePromptPerClip() throws {
    let dir = try CLI.tempDir()
    let story = dir.appendingPathComponent("story.txt")
    try "a cat sits\n\na cat jumps\n".write(to: story, atomically: true, encoding: .utf8)
    let r = try generate(["--prompt-file", story.path, "--clips", "2"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try clips(dir, "o").map { $0["prompt"] as? String } == ["a cat sits", "a cat jumps"])
    let mismatch = try generate(["--prompt-file", story.path, "--clips", "3"], in: dir, name: "bad")
    #expect(mismatch.status == 64 && mismatch.stderr.contains("2 prompt(s)") && !mismatch.stderr.contains("loading"),
            "\(mismatch.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.mp4").path))
  }

  /// Ctrl-C while clip 2 runs keeps clip 1; the next run takes it and makes clips 2 and 3 only, the same video.
  @Test func resumeAfterInterruptRedoesFromClipTwo() throws {
    let dir = try CLI.tempDir()
    let whole = try generate(["--prompt", "a cat", "--clips", "3"], in: dir, name: "whole")
    #expect(whole.status == 0, "\(whole.stderr)")

    let cut = try CLI.interrupt(
      ["generate", "--model", CLI.fixture("models/tiny-a"), "--image", CLI.fixture("images/square_48x48.png"),
       "--preset", "smoke", "--seed", "5", "--prompt", "a cat", "--clips", "3", "--progress",
       "--frames-dir", dir.appendingPathComponent("o").path + "/", "-o", dir.appendingPathComponent("o.mp4").path],
      after: "clip 2 of 3:")
    #expect(cut.status != nil && cut.status != 0, "not interrupted in clip 2: \(cut.stderr)")
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".o.mp4.i2v-clip-1").path))
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o.mp4").path))

    let again = try generate(["--prompt", "a cat", "--clips", "3", "--progress"], in: dir)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stderr.contains("clip 1 of 3: kept from an earlier run"))
    #expect(again.stderr.contains("clip 2 of 3: seed 6") && again.stderr.contains("clip 3 of 3: seed 7"))
    #expect(try clips(dir, "o").map { $0["resumed"] as? Bool } == [true, false, false])
    #expect(try frames(dir, "o") == frames(dir, "whole"))
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("i2v-clip") }
    #expect(left.isEmpty, "\(left)")
  }
}
