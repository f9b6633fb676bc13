import Foundation
import Testing

/// `--audio` end to end: bad sound files and impossible combinations fail before any weights load and leave
/// nothing behind; the written tracks are checked with ffprobe (the `ffmpeg` package that install-deps installs).
@Suite struct SoundTrackCommandTests {
  static func tool(_ name: String) throws -> String {
    let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    let found = dirs.map { String($0) + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    return try #require(found, "\(name) is not installed (bash Scripts/install-deps.sh installs ffmpeg)")
  }

  static func run(_ tool: String, _ args: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try Self.tool(tool))
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "\(tool) \(args)")
    return String(decoding: data, as: UTF8.self)
  }

  /// A sine tone from FFmpeg's lavfi source.
  static func tone(_ dir: URL, seconds: Double) throws -> String {
    let path = dir.appendingPathComponent("tone-\(seconds).wav").path
    _ = try run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100:duration=\(seconds)",
                           "-y", path])
    return path
  }

  /// codec_name, sample_rate, duration of a file's first stream of a type, as ffprobe reads them.
  static func probe(_ file: String, _ type: String) throws -> [String: String] {
    let text = try run("ffprobe", ["-v", "error", "-select_streams", type == "audio" ? "a:0" : "v:0", "-show_entries",
                                   "stream=codec_name,sample_rate,duration,start_time", "-of", "default=noprint_wrappers=1",
                                   file])
    var fields: [String: String] = [:]
    for line in text.split(separator: "\n") {
      let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
      if kv.count == 2 { fields[kv[0]] = kv[1] }
    }
    return fields
  }

  func generate(_ dir: URL, _ extra: [String], output: String = "o.mp4") throws -> CLI.Result {
    try CLI.run(["generate", "--model", CLI.fixture("models/tiny-a"), "--image", CLI.fixture("images/square_48x48.png"),
                 "--prompt", "a cat", "--preset", "smoke", "--seed", "2", "-o", dir.appendingPathComponent(output).path]
                + extra)
  }

  @Test func corruptSoundFailsBeforeLoadingAndLeavesNothing() throws {
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let bad = dir.appendingPathComponent("broken.wav")
    try Data("RIFF\0\0\0\0WAVEfmt garbage garbage garbage".utf8).write(to: bad)
    let r = try generate(dir, ["--audio", bad.path])
    #expect(r.status != 0)
    #expect(r.stderr.contains("broken.wav") && r.stderr.contains("sound track"), "\(r.stderr)")
    #expect(!r.stderr.contains("loading"), "refused before loading: \(r.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["broken.wav"])
    let image = try generate(dir, ["--audio", CLI.fixture("images/square_48x48.png")])
    #expect(image.status != 0 && image.stderr.contains("no audio stream"), "\(image.stderr)")
  }

  @Test func gifAndImpossibleCombinationsAreBadSettings() throws {
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let tone = try Self.tone(dir, seconds: 1)
    let gif = try generate(dir, ["--audio", tone], output: "o.gif")
    #expect(gif.status == 64, "\(gif.status) \(gif.stderr)")
    #expect(gif.stderr.contains("has no sound track") && gif.stderr.contains(".mp4"), "\(gif.stderr)")
    let alone = try generate(dir, ["--fit-to-audio"])
    #expect(alone.status == 64 && alone.stderr.contains("--fit-to-audio needs a sound track"), "\(alone.stderr)")
    let long = try Self.tone(dir, seconds: 10)  // 80 frames at 8 fps
    let tooLong = try generate(dir, ["--audio", long, "--fit-to-audio"])
    #expect(tooLong.status == 64, "\(tooLong.stderr)")
    #expect(tooLong.stderr.contains("80 frames") && tooLong.stderr.contains("at most 64"), "\(tooLong.stderr)")
    #expect(!tooLong.stderr.contains("loading"), "\(tooLong.stderr)")
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    #expect(names == ["tone-1.0.wav", "tone-10.0.wav"], "\(names)")
  }

  /// 1.3 s of sound at 8 fps: --fit-to-audio makes 10 frames (1.25 s), the track matches the video.
  @Test func fitToAudioChoosesTheFramesAndTheSidecarSaysSo() throws {
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let tone = try Self.tone(dir, seconds: 1.3)
    let r = try generate(dir, ["--audio", tone, "--fit-to-audio"], output: "fit.webm")
    #expect(r.status == 0, "\(r.stderr)")
    let out = dir.appendingPathComponent("fit.webm").path
    let audio = try Self.probe(out, "audio")
    #expect(audio["codec_name"] == "opus" && audio["sample_rate"] == "48000", "\(audio)")
    let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json")))
      as? [String: Any] ?? [:]
    let parameters = sidecar["parameters"] as? [String: Any] ?? [:]
    #expect(parameters["frames"] as? Int == 10)
    let record = sidecar["audio"] as? [String: Any] ?? [:]
    #expect(record["mode"] as? String == "fit")
    #expect(record["duration_seconds"] as? Double == 1.3)
    #expect(record["written_seconds"] as? Double == 1.25)
    #expect((record["sha256"] as? String)?.count == 64)
  }

  /// 1.5 s of sound at 8 fps (12 frames) over chained 4-frame clips: --clips auto takes 4 clips (4 + 3·3 = 13
  /// frames, one cut); --clips 2 shares it as 2 clips of 7 (13, one cut). Video and sound last 1.5 s.
  @Test func fitToAudioOverChainedClips() throws {
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let tone = try Self.tone(dir, seconds: 1.5)
    for (clips, count, perClip) in [("auto", 4, 4), ("2", 2, 7)] {
      let name = "fit-\(clips).mp4"
      let r = try generate(dir, ["--audio", tone, "--fit-to-audio", "--clips", clips], output: name)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stderr.contains("12 frames from \(count) clips"), "\(r.stderr)")
      #expect(!r.stderr.contains("warning: the sound track"), "lengths match: \(r.stderr)")
      let out = dir.appendingPathComponent(name).path
      let video = try Self.probe(out, "video"), audio = try Self.probe(out, "audio")
      let v = try #require(Double(video["duration"] ?? "")), a = try #require(Double(audio["duration"] ?? ""))
      #expect(abs(v - 1.5) < 1e-6 && abs(a - v) <= 1.0 / 8, "video \(v) s, audio \(a) s")
      let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json")))
        as? [String: Any] ?? [:]
      let records = sidecar["clips"] as? [[String: Any]] ?? []
      #expect(records.count == count)
      #expect(records.last?["last_frame"] as? Int == 11, "\(records.last ?? [:])")
      #expect((sidecar["parameters"] as? [String: Any])?["frames"] as? Int == perClip)
    }
    let noSound = try generate(dir, ["--clips", "auto"], output: "x.mp4")
    #expect(noSound.status == 64 && noSound.stderr.contains("--clips auto chooses"), "\(noSound.stderr)")
  }

  /// Without --fit-to-audio a longer sound is cut at the video's end (warned about); ffprobe sees AAC as long as
  /// the video, starting at 0.
  @Test func defaultCutsTheSoundAtTheVideosEnd() throws {
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let tone = try Self.tone(dir, seconds: 2)
    let r = try generate(dir, ["--audio", tone])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("longer than the video") && r.stderr.contains("--fit-to-audio makes 16 frames"), "\(r.stderr)")
    let out = dir.appendingPathComponent("o.mp4").path
    let audio = try Self.probe(out, "audio"), video = try Self.probe(out, "video")
    #expect(audio["codec_name"] == "aac" && audio["sample_rate"] == "44100", "\(audio)")
    #expect(Double(audio["start_time"] ?? "") == 0)
    let a = try #require(Double(audio["duration"] ?? "")), v = try #require(Double(video["duration"] ?? ""))
    #expect(abs(v - 0.5) < 1e-6 && abs(a - v) <= 1.0 / 8, "audio \(a) s, video \(v) s")
  }

  @Test func framesToVideoTakesASoundTrack() throws {
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let frames = dir.appendingPathComponent("frames")
    try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
    for i in 0..<6 {
      try FileManager.default.copyItem(atPath: CLI.fixture("images/square_48x48.png"),
                                       toPath: frames.appendingPathComponent("f\(i).png").path)
    }
    let tone = try Self.tone(dir, seconds: 0.75)
    let out = dir.appendingPathComponent("clip.mp4").path
    let r = try CLI.run(["frames-to-video", frames.path, "-o", out, "--fps", "8", "--audio", tone])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("sound: AAC 44100 Hz, 0.750 s"), "\(r.stdout)")
    #expect(!r.stderr.contains("warning"), "0.75 s of sound for 6 frames at 8 fps: no mismatch (\(r.stderr))")
    let a = try #require(Double(try Self.probe(out, "audio")["duration"] ?? ""))
    #expect(abs(a - 0.75) <= 1.0 / 8, "\(a)")
    let gif = try CLI.run(["frames-to-video", frames.path, "-o", dir.appendingPathComponent("c.gif").path,
                           "--audio", tone])
    #expect(gif.status == 64 && gif.stderr.contains("has no sound track"), "\(gif.stderr)")
  }

  /// Manifest rows each take their own sound (relative to the manifest's folder, like images) and fit_to_audio;
  /// a row whose sound is damaged fails alone, before the model loads.
  @Test func batchManifestRowsTakeTheirOwnSound() throws {
    let folder = try BatchFolder([("a.png", "square_48x48.png"), ("b.png", "square_48x48.png")])
    defer { try? FileManager.default.removeItem(at: folder.root) }
    _ = try Self.tone(folder.input, seconds: 1.3)
    try Data("not sound at all".utf8).write(to: folder.input.appendingPathComponent("bad.wav"))
    try folder.write("image,prompt,audio,fit_to_audio\na.png,a cat,tone-1.3.wav,true\nb.png,a dog,bad.wav,\n",
                     to: "jobs.csv")
    let r = try CLI.run(["batch", "--manifest", folder.input.appendingPathComponent("jobs.csv").path, "-o",
                         folder.output.path, "--model", CLI.fixture("models/tiny-a"), "--preset", "smoke", "--seed", "1"])
    #expect(r.status == 1, "one item fails: \(r.stderr)")
    #expect(r.stderr.contains("bad.wav") && r.stderr.contains("sound track"), "\(r.stderr)")
    let summary = try folder.summary()
    #expect(summary.count("done") == 1 && summary.count("failed") == 1, "\(summary)")
    #expect(summary.entry(image: "a.png")?["frames"] as? Int == 10, "\(summary)")
    let out = folder.output.appendingPathComponent("a.mp4").path
    let a = try #require(Double(try Self.probe(out, "audio")["duration"] ?? ""))
    #expect(abs(a - 1.25) <= 1.0 / 8, "\(a)")
    #expect(!folder.outputs().contains("b.mp4"), "\(folder.outputs())")
  }
}
