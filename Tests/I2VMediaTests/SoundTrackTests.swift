// Sound tracks muxed by VideoWriter, checked with FFmpeg's own ffprobe (independently of the writer); test sounds
// come from FFmpeg's lavfi sine source, made per test.
import Foundation
import XCTest

@testable import I2VMedia

final class SoundTrackTests: XCTestCase {
  /// A sine tone made by the ffmpeg CLI (skips when it is not installed).
  static func tone(_ path: String, seconds: Double, rate: Int = 44100, stereo: Bool = false) throws {
    guard let ffmpeg = FFprobe.tool("ffmpeg") else { throw XCTSkip("ffmpeg is not installed (apt-get install ffmpeg)") }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: ffmpeg)
    p.arguments = ["-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=\(rate):duration=\(seconds)"]
      + (stereo ? ["-ac", "2"] : []) + ["-y", path]
    try p.run()
    p.waitUntilExit()
    XCTAssertEqual(p.terminationStatus, 0, "ffmpeg could not make the test tone")
  }

  private func mux(_ name: String, toneSeconds: Double, frames: Int = 16) throws
    -> (path: String, report: SoundTrackReport?, scratch: ScratchFolder)
  {
    let scratch = try makeScratch()
    let wav = scratch.file("tone.wav")
    try Self.tone(wav, seconds: toneSeconds)
    let path = scratch.file(name)
    var options = VideoWriteOptions()
    options.audio = wav
    let report = try writeVideo(frames: Array(VideoWriterTests.clip.prefix(frames)), to: path, options: options)
    return (path, report, scratch)
  }

  /// 16 frames at 8 fps (2 s) with 3 s of sound: cut at 2 s, faded over 0.25 s.
  func testMP4GetsAnAACTrackCutToTheVideo() throws {
    let (path, report, _) = try mux("sound.mp4", toneSeconds: 3)
    let video = try FFprobe.stream(path, type: "video"), audio = try FFprobe.stream(path, type: "audio")
    XCTAssertEqual(audio["codec_name"] as? String, "aac")
    XCTAssertEqual(audio["sample_rate"] as? String, "44100")
    XCTAssertEqual(Double(audio["start_time"] as? String ?? "") ?? -1, 0, accuracy: 1e-6)
    let videoSeconds = Double(video["duration"] as? String ?? "") ?? 0
    XCTAssertEqual(videoSeconds, 2.0, accuracy: 1e-6)
    XCTAssertEqual(Double(audio["duration"] as? String ?? "") ?? 0, videoSeconds, accuracy: 1.0 / 8)
    let heard = try FFprobe.decodedAudio(path)
    XCTAssertEqual(heard.start, 0, accuracy: 1e-6)
    XCTAssertEqual(heard.end, videoSeconds, accuracy: 1.0 / 8)
    XCTAssertEqual(report?.cut, true)
    XCTAssertEqual(report?.fadeSeconds ?? 0, 0.25, accuracy: 1e-4)
    XCTAssertEqual(report?.seconds ?? 0, 2.0, accuracy: 1e-4)
  }

  func testWebMGetsAnOpusTrack() throws {
    let (path, report, _) = try mux("sound.webm", toneSeconds: 3)
    let video = try FFprobe.stream(path, type: "video"), audio = try FFprobe.stream(path, type: "audio")
    XCTAssertEqual(audio["codec_name"] as? String, "opus")
    XCTAssertEqual(audio["sample_rate"] as? String, "48000")
    // Opus keeps its priming samples before 0 (start_time -0.007); the first one heard is at 0, with the video's.
    XCTAssertEqual(Double(video["start_time"] as? String ?? "") ?? -1, 0, accuracy: 1e-6)
    let heard = try FFprobe.decodedAudio(path)
    XCTAssertEqual(heard.start, 0, accuracy: 0.001)
    XCTAssertEqual(heard.end, 2.0, accuracy: 1.0 / 8)
    let total = Double(try FFprobe.probe(path).format["duration"] as? String ?? "") ?? 0
    XCTAssertEqual(total, 2.0, accuracy: 1.0 / 8, "the container's length is the video's")
    XCTAssertEqual(report?.codec, "opus")
  }

  /// The fade-out is in the samples: ffmpeg's own decode of the track is loud mid-clip, near silent at the end.
  func testCutSoundFadesOut() throws {
    let (path, _, scratch) = try mux("fade.mp4", toneSeconds: 3)
    guard let ffmpeg = FFprobe.tool("ffmpeg") else { throw XCTSkip("ffmpeg is not installed") }
    let raw = scratch.file("fade.f32")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: ffmpeg)
    p.arguments = ["-v", "error", "-i", path, "-map", "0:a", "-f", "f32le", "-ac", "1", "-y", raw]
    try p.run()
    p.waitUntilExit()
    let data = try Data(contentsOf: URL(fileURLWithPath: raw))
    let samples = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    func rms(_ from: Double, _ to: Double) -> Double {
      let a = Int(from * 44100), b = min(samples.count, Int(to * 44100))
      guard b > a else { return .nan }
      return (samples[a..<b].reduce(0.0) { $0 + Double($1) * Double($1) } / Double(b - a)).squareRoot()
    }
    let full = rms(1.0, 1.5), end = rms(1.97, 2.0)
    XCTAssertGreaterThan(full, 0.05, "lavfi's sine has amplitude 1/8: RMS 0.088")
    XCTAssertLessThan(end, full * 0.15, "the last 30 ms are faded (RMS \(end) vs \(full))")
    XCTAssertGreaterThan(rms(1.70, 1.74), full * 0.6, "the fade starts 0.25 s before the end, not earlier")
  }

  /// A sound shorter than the video is padded with silence to the video's length (never faded).
  func testShortSoundIsPaddedWithSilence() throws {
    let (path, report, _) = try mux("short.mp4", toneSeconds: 1)
    let audio = try FFprobe.stream(path, type: "audio")
    XCTAssertEqual(Double(audio["duration"] as? String ?? "") ?? 0, 2.0, accuracy: 1.0 / 8)
    XCTAssertEqual(report?.cut, false)
    XCTAssertEqual(report?.fadeSeconds, 0)
    XCTAssertEqual(report?.paddedSeconds ?? 0, 1.0, accuracy: 0.05)
  }

  func testProbeCountsDecodedSound() throws {
    let scratch = try makeScratch()
    let wav = scratch.file("tone.wav")
    try Self.tone(wav, seconds: 1.5, rate: 22050)
    let info = try SoundTrack.probe(path: wav)
    XCTAssertEqual(info.duration, 1.5, accuracy: 1e-6)
    XCTAssertEqual(info.sampleRate, 22050)
    XCTAssertEqual(info.channels, 1)
    XCTAssertEqual(info.codec, "pcm_s16le")
  }

  /// A damaged sound track fails the write and leaves nothing behind; so does a file without sound.
  func testCorruptSoundLeavesNothingBehind() throws {
    let scratch = try makeScratch()
    var bytes = Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVEjunk".utf8)
    bytes += [UInt8](repeating: 0x5A, count: 200)
    let bad = try scratch.write("bad.wav", bytes)
    var options = VideoWriteOptions()
    options.audio = bad
    let out = scratch.file("clip.mp4")
    XCTAssertThrowsError(try writeVideo(frames: Array(VideoWriterTests.clip.prefix(4)), to: out, options: options)) {
      XCTAssertTrue("\($0)".contains("bad.wav"), "\($0)")
    }
    XCTAssertEqual(scratch.listing(), ["bad.wav"], "no output, no temporary file")
    assertMediaError(try SoundTrack.probe(path: bad)) { if case .badAudio = $0 { return true } else { return false } }
    let silentless = Fixtures.path("gif_palette.gif")
    let e = assertMediaError(try SoundTrack.probe(path: silentless)) {
      if case .badAudio = $0 { return true } else { return false }
    }
    XCTAssertTrue("\(e.map { "\($0)" } ?? "")".contains("no audio stream"), "\(String(describing: e))")
  }

  func testGIFAndPNGFramesRefuseSound() throws {
    let scratch = try makeScratch()
    var options = VideoWriteOptions()
    options.audio = "/nonexistent/tone.wav"
    for out in [scratch.file("clip.gif"), scratch.file("frames/")] {
      let e = assertMediaError(try writeVideo(frames: Array(VideoWriterTests.clip.prefix(2)), to: out, options: options)) {
        if case .invalidFrames(let reason) = $0 { return reason.contains("has no sound track") } else { return false }
      }
      XCTAssertNotNil(e)
    }
    XCTAssertEqual(scratch.listing(), [])
  }
}
