// Shared helpers for the media tests: fixture paths, scratch folders, synthetic clips, PSNR, ffprobe.
import Foundation
import XCTest

@testable import I2VMedia

enum Fixtures {
  /// Tests/Fixtures/media, found from this file's location (works from any working directory).
  static let media: String = {
    let here = URL(fileURLWithPath: #filePath)
    return here.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/media").path
  }()

  static func path(_ name: String) -> String { media + "/" + name }

  static func bytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
  }
}

extension XCTestCase {
  /// A fresh folder kept alive until the test ends, then removed (ARC could otherwise remove a folder whose
  /// object is no longer referenced while its files are still being checked).
  func makeScratch() throws -> ScratchFolder {
    let scratch = try ScratchFolder()
    addTeardownBlock { withExtendedLifetime(scratch) {} }
    return scratch
  }
}

/// A fresh folder for one test (see `makeScratch()`), removed when released.
final class ScratchFolder {
  let path: String

  init() throws {
    path = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-media-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  func file(_ name: String) -> String { path + "/" + name }

  func write(_ name: String, _ bytes: [UInt8]) throws -> String {
    let p = file(name)
    try Data(bytes).write(to: URL(fileURLWithPath: p))
    return p
  }

  /// Names in the folder, hidden ones included.
  func listing() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

enum Synthetic {
  /// A smooth moving clip (gradients and a soft blob drifting right): what "smooth synthetic" means for the
  /// PSNR requirement. Deterministic.
  static func smoothClip(frames: Int = 16, width: Int = 96, height: Int = 64) -> [RGBImage] {
    (0..<frames).map { t in
      var px = [UInt8](repeating: 0, count: width * height * 3)
      let cx = Double(width) * (0.25 + 0.5 * Double(t) / Double(max(1, frames - 1)))
      let cy = Double(height) * 0.5
      for y in 0..<height {
        for x in 0..<width {
          let dx = Double(x) - cx, dy = Double(y) - cy
          let blob = 120.0 * exp(-(dx * dx + dy * dy) / (2 * 12.0 * 12.0))
          let i = (y * width + x) * 3
          px[i] = UInt8(min(255, 40 + 150 * Double(x) / Double(width) + blob * 0.8))
          px[i + 1] = UInt8(min(255, 60 + 120 * Double(y) / Double(height) + blob * 0.3))
          px[i + 2] = UInt8(min(255, 180 - 100 * Double(x + y) / Double(width + height) + blob * 0.5))
        }
      }
      return try! RGBImage(width: width, height: height, pixels: px)
    }
  }

  /// Flat-coloured frames with few distinct colours (GIF encodes them losslessly).
  static func flatClip(frames: Int, width: Int, height: Int) -> [RGBImage] {
    (0..<frames).map { t in
      var px = [UInt8](repeating: 0, count: width * height * 3)
      for y in 0..<height {
        for x in 0..<width {
          let i = (y * width + x) * 3
          let band = (x + t * 3) / 8 % 4
          px[i] = UInt8(band * 60)
          px[i + 1] = UInt8(y < height / 2 ? 200 : 30)
          px[i + 2] = UInt8(t * 10)
        }
      }
      return try! RGBImage(width: width, height: height, pixels: px)
    }
  }
}

enum Metrics {
  /// PSNR in dB of `b` against `a` over a's size (b may be larger, e.g. padded).
  static func psnr(_ a: RGBImage, _ b: RGBImage) -> Double {
    var sse = 0.0
    for y in 0..<a.height {
      let ra = y * a.width * 3, rb = y * b.width * 3
      for k in 0..<(a.width * 3) {
        let d = Double(a.pixels[ra + k]) - Double(b.pixels[rb + k])
        sse += d * d
      }
    }
    let mse = sse / Double(a.width * a.height * 3)
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
  }

  static func meanAbsDiff(_ a: [UInt8], _ b: [UInt8]) -> Double {
    precondition(a.count == b.count)
    var sum = 0
    for i in a.indices { sum += abs(Int(a[i]) - Int(b[i])) }
    return Double(sum) / Double(max(1, a.count))
  }
}

enum FFprobe {
  static let path: String? = tool("ffprobe")

  /// An FFmpeg command-line tool on PATH.
  static func tool(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
      let candidate = String(dir) + "/" + name
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// The decoded sound of the first audio stream as ffprobe shows it: when its first frame plays and when its
  /// last one ends (seconds), after the decoder has dropped the encoder's priming samples (AAC in MP4 hides them
  /// behind an edit list, Opus in WebM keeps them at negative times).
  static func decodedAudio(_ file: String) throws -> (start: Double, end: Double) {
    let rate = Double(try stream(file, type: "audio")["sample_rate"] as? String ?? "") ?? .nan
    guard let path else { throw XCTSkip("ffprobe is not installed (apt-get install ffmpeg); skipping the ffprobe cross-check") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = [
      "-v", "error", "-select_streams", "a:0", "-show_entries", "frame=best_effort_timestamp_time,nb_samples",
      "-of", "json", file,
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    let frames = json["frames"] as? [[String: Any]] ?? []
    func time(_ f: [String: Any]) -> Double { Double(f["best_effort_timestamp_time"] as? String ?? "") ?? .nan }
    guard let first = frames.first, let last = frames.last else { return (.nan, .nan) }
    return (time(first), time(last) + Double(last["nb_samples"] as? Int ?? 0) / rate)
  }

  /// ffprobe's JSON for the first stream of a type ("video", "audio"): codec, sample rate, start and duration.
  static func stream(_ file: String, type: String) throws -> [String: Any] {
    guard let path else { throw XCTSkip("ffprobe is not installed (apt-get install ffmpeg); skipping the ffprobe cross-check") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = [
      "-v", "error", "-select_streams", type == "audio" ? "a:0" : "v:0", "-show_entries",
      "stream=codec_type,codec_name,sample_rate,channels,start_time,duration", "-of", "json", file,
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, "ffprobe failed on \(file)")
    let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    let stream = (json["streams"] as? [[String: Any]])?.first ?? [:]
    XCTAssertEqual(stream["codec_type"] as? String, type, "\(file) has no \(type) stream")
    return stream
  }

  /// ffprobe's JSON for the first video stream (frames counted by decoding) and the format; skips the
  /// calling test when ffprobe is not installed.
  static func probe(_ file: String) throws -> (stream: [String: Any], format: [String: Any]) {
    guard let path else { throw XCTSkip("ffprobe is not installed (apt-get install ffmpeg); skipping the ffprobe cross-check") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = [
      "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
      "stream=codec_name,profile,pix_fmt,width,height,r_frame_rate,avg_frame_rate,nb_read_frames,duration:format=duration:format_tags",
      "-of", "json", file,
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, "ffprobe failed on \(file)")
    let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    let stream = (json["streams"] as? [[String: Any]])?.first ?? [:]
    let format = json["format"] as? [String: Any] ?? [:]
    return (stream, format)
  }
}

/// Asserts that `body` throws a MediaError matching `predicate`, and returns it.
@discardableResult
func assertMediaError<T>(
  _ body: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line,
  _ predicate: (MediaError) -> Bool
) -> MediaError? {
  do {
    _ = try body()
    XCTFail("expected a MediaError, got success", file: file, line: line)
  } catch let error as MediaError {
    XCTAssertTrue(predicate(error), "unexpected error: \(error)", file: file, line: line)
    return error
  } catch {
    XCTFail("expected a MediaError, got \(error)", file: file, line: line)
  }
  return nil
}
