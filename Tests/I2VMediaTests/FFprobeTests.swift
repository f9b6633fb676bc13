// Cross-checks with FFmpeg's own ffprobe (from the `ffmpeg` package): skipped when it is not installed.
import Foundation
import XCTest

@testable import I2VMedia

final class FFprobeTests: XCTestCase {
  private func write(_ name: String, frames: Int = 16) throws -> (String, ScratchFolder) {
    if FFprobe.path == nil { throw XCTSkip("ffprobe is not installed (apt-get install ffmpeg)") }
    let scratch = try makeScratch()
    let path = scratch.file(name)
    let options = VideoWriteOptions(metadata: VideoMetadata(prompt: "probe me", seed: 3, toolVersion: "9.9"))
    try writeVideo(frames: Array(VideoWriterTests.clip.prefix(frames)), to: path, options: options)
    return (path, scratch)
  }

  func testMP4AsFFprobeSeesIt() throws {
    let (path, _) = try write("probe.mp4")
    let (stream, format) = try FFprobe.probe(path)
    XCTAssertEqual(stream["codec_name"] as? String, "h264")
    XCTAssertEqual(stream["profile"] as? String, "High")
    XCTAssertEqual(stream["pix_fmt"] as? String, "yuv420p")
    XCTAssertEqual(stream["width"] as? Int, 96)
    XCTAssertEqual(stream["height"] as? Int, 64)
    XCTAssertEqual(stream["r_frame_rate"] as? String, "8/1")
    XCTAssertEqual(stream["nb_read_frames"] as? String, "16")
    XCTAssertEqual(format["duration"] as? String, "2.000000")
    let tags = format["tags"] as? [String: String] ?? [:]
    XCTAssertEqual(tags["description"], "probe me")
    XCTAssertEqual(tags["comment"], "i2v 9.9; seed 3")
  }

  func testWebMAsFFprobeSeesIt() throws {
    let (path, _) = try write("probe.webm")
    let (stream, format) = try FFprobe.probe(path)
    XCTAssertEqual(stream["codec_name"] as? String, "vp9")
    XCTAssertEqual(stream["pix_fmt"] as? String, "yuv420p")
    XCTAssertEqual(stream["r_frame_rate"] as? String, "8/1")
    XCTAssertEqual(stream["nb_read_frames"] as? String, "16")
    XCTAssertEqual(Double(format["duration"] as? String ?? "") ?? 0, 2.0, accuracy: 0.0005)
  }

  func testGIFAsFFprobeSeesIt() throws {
    let (path, _) = try write("probe.gif")
    let (stream, format) = try FFprobe.probe(path)
    XCTAssertEqual(stream["codec_name"] as? String, "gif")
    XCTAssertEqual(stream["width"] as? Int, 96)
    XCTAssertEqual(stream["nb_read_frames"] as? String, "16")
    XCTAssertEqual(Double(format["duration"] as? String ?? "") ?? 0, 2.0, accuracy: 0.0005)
  }
}
