// Encode synthetic clips to every format, read them back with our own decoder, check count, size, rate,
// duration and pixels.
import Foundation
import XCTest

@testable import I2VMedia

final class VideoWriterTests: XCTestCase {
  static let clip = Synthetic.smoothClip()  // 16 frames, 96x64

  private func roundTrip(_ name: String, frames: [RGBImage] = clip, options: VideoWriteOptions = VideoWriteOptions())
    throws -> (DecodedVideo, String, ScratchFolder)
  {
    let scratch = try makeScratch()
    let path = scratch.file(name)
    try writeVideo(frames: frames, to: path, options: options)
    return (try VideoReader.read(path: path), path, scratch)
  }

  func testMP4RoundTripTimingAndQuality() throws {
    let (video, _, _) = try roundTrip("clip.mp4")
    XCTAssertEqual(video.codec, "h264")
    XCTAssertEqual(video.profile, "High")
    XCTAssertEqual(video.pixelFormat, "yuv420p")
    XCTAssertEqual(video.frames.count, 16, "every frame decodable, the last one included")
    XCTAssertEqual(video.width, 96)
    XCTAssertEqual(video.height, 64)
    XCTAssertEqual(video.frameRate.num, 8)
    XCTAssertEqual(video.frameRate.den, 1)
    XCTAssertEqual(video.duration, 2.0, accuracy: 1e-9)
    XCTAssertEqual(video.containerDuration ?? 0, 2.0, accuracy: 0.0005)
    let worst = zip(Self.clip, video.frames).map { Metrics.psnr($0, $1) }.min() ?? 0
    XCTAssertGreaterThan(worst, 35, "default CRF on a smooth clip")
  }

  func testWebMRoundTrip() throws {
    let (video, _, _) = try roundTrip("clip.webm")
    XCTAssertEqual(video.codec, "vp9")
    XCTAssertEqual(video.frames.count, 16)
    XCTAssertEqual(video.width, 96)
    XCTAssertEqual(video.height, 64)
    XCTAssertEqual(video.fps, 8, accuracy: 1e-9)
    XCTAssertEqual(video.duration, 2.0, accuracy: 1e-9)
    XCTAssertEqual(video.containerDuration ?? 0, 2.0, accuracy: 0.0005)
    let worst = zip(Self.clip, video.frames).map { Metrics.psnr($0, $1) }.min() ?? 0
    XCTAssertGreaterThan(worst, 33)
  }

  func testGIFRoundTripTimingAndQuality() throws {
    let (video, path, _) = try roundTrip("clip.gif")
    XCTAssertEqual(video.codec, "gif")
    XCTAssertEqual(video.frames.count, 16)
    XCTAssertEqual(video.width, 96)
    XCTAssertEqual(video.height, 64)
    // 8 fps in 1/100 s delays: 12, 13, 12, 13, ... adding up to exactly 2 s.
    XCTAssertEqual(video.duration, 2.0, accuracy: 1e-9)
    let worst = zip(Self.clip, video.frames).map { Metrics.psnr($0, $1) }.min() ?? 0
    XCTAssertGreaterThan(worst, 30, "one 256-colour palette with ordered dithering")
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    XCTAssertTrue(bytes.starts(with: Array("GIF89a".utf8)))
    XCTAssertNotNil(bytes.firstRange(of: Array("NETSCAPE2.0".utf8)), "looping extension")
  }

  func testGIFWithFewColoursIsLossless() throws {
    let frames = Synthetic.flatClip(frames: 6, width: 41, height: 29)
    let (video, _, _) = try roundTrip("flat.gif", frames: frames)
    XCTAssertEqual(video.frames.count, 6)
    XCTAssertEqual(video.width, 41)
    XCTAssertEqual(video.height, 29)
    XCTAssertEqual(video.duration, 0.75, accuracy: 1e-9)
    for (a, b) in zip(frames, video.frames) { XCTAssertEqual(a.pixels, b.pixels) }
  }

  func testPNGFramesAreExactAndNumbered() throws {
    let scratch = try makeScratch()
    let folder = scratch.file("frames/")
    let frames = Array(Self.clip.prefix(5))
    try writeVideo(frames: frames, to: folder)
    let names = try FileManager.default.contentsOfDirectory(atPath: scratch.file("frames")).sorted()
    XCTAssertEqual(names, ["frame_0000.png", "frame_0001.png", "frame_0002.png", "frame_0003.png", "frame_0004.png"])
    let video = try VideoReader.read(path: scratch.file("frames"))
    XCTAssertEqual(video.frames, frames)
  }

  func testOddSizesArePaddedForYUV420AndKeptElsewhere() throws {
    let frames = Synthetic.smoothClip(frames: 4, width: 33, height: 21)
    for name in ["odd.mp4", "odd.webm"] {
      let scratch = try makeScratch()
      let writer = try VideoWriter(path: scratch.file(name))
      for f in frames { try writer.append(f) }
      XCTAssertEqual(writer.codedSize?.width, 34)
      XCTAssertEqual(writer.codedSize?.height, 22)
      try writer.finish()
      let video = try VideoReader.read(path: scratch.file(name))
      XCTAssertEqual(video.width, 34, name)
      XCTAssertEqual(video.height, 22, name)
      XCTAssertEqual(video.frames.count, 4)
      XCTAssertGreaterThan(Metrics.psnr(frames[0], video.frames[0]), 30, name)
      // The padding repeats the edge, so it looks like its neighbour (not black).
      let edge = video.frames[0][32, 10], pad = video.frames[0][33, 10]
      XCTAssertEqual(Double(edge.0), Double(pad.0), accuracy: 12, name)
    }
    for name in ["odd.gif", "oddframes"] {
      let (video, _, _) = try roundTrip(name, frames: frames)
      XCTAssertEqual(video.width, 33, name)
      XCTAssertEqual(video.height, 21, name)
    }
  }

  func testMetadataIsWritten() throws {
    let meta = VideoMetadata(prompt: "a red fox running through snow", seed: 42, toolVersion: "0.1.0")
    let options = VideoWriteOptions(metadata: meta)
    for name in ["meta.mp4", "meta.webm"] {
      let (video, _, _) = try roundTrip(name, frames: Array(Self.clip.prefix(2)), options: options)
      let tags = Dictionary(video.metadata.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
      XCTAssertEqual(tags["description"], "a red fox running through snow", name)
      XCTAssertEqual(tags["comment"], "i2v 0.1.0; seed 42", name)
    }
    // PNG frames: tEXt for ASCII, iTXt for other text.
    let scratch = try makeScratch()
    let unicode = VideoWriteOptions(metadata: VideoMetadata(prompt: "un renard roux — 狐", seed: 7, toolVersion: "0.1.0"))
    try writeVideo(frames: Array(Self.clip.prefix(1)), to: scratch.file("f/"), options: unicode)
    let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.file("f/frame_0000.png"))))
    XCTAssertNotNil(png.firstRange(of: Array("iTXtDescription".utf8)))
    XCTAssertNotNil(png.firstRange(of: Array("un renard roux — 狐".utf8)))
    XCTAssertNotNil(png.firstRange(of: Array("tEXtComment\u{0}i2v 0.1.0; seed 7".utf8)))
    XCTAssertNotNil(png.firstRange(of: Array("tEXtSoftware\u{0}i2v 0.1.0".utf8)))
  }

  func testFractionalFrameRateIsExact() throws {
    let (video, _, _) = try roundTrip("ntsc.mp4", frames: Array(Self.clip.prefix(10)), options: VideoWriteOptions(fps: 29.97))
    XCTAssertEqual(video.frameRate.num, 30000)
    XCTAssertEqual(video.frameRate.den, 1001)
    XCTAssertEqual(video.frames.count, 10)
    XCTAssertEqual(video.duration, 10 * 1001 / 30000, accuracy: 1e-6)
    XCTAssertEqual(VideoWriteOptions(fps: 12.5).frameRate.num, 25)
    XCTAssertEqual(VideoWriteOptions(fps: 12.5).frameRate.den, 2)
    XCTAssertEqual(VideoWriteOptions(fps: 23.976).frameRate.num, 24000)
  }

  func testCRFChangesQualityAndSize() throws {
    let (best, bestPath, _) = try roundTrip("q10.mp4", options: VideoWriteOptions(crf: 10))
    let (worst, worstPath, _) = try roundTrip("q40.mp4", options: VideoWriteOptions(crf: 40))
    let size = { (p: String) in (try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0 }
    XCTAssertGreaterThan(size(bestPath), size(worstPath))
    XCTAssertGreaterThan(Metrics.psnr(Self.clip[8], best.frames[8]), Metrics.psnr(Self.clip[8], worst.frames[8]))
  }

  func testMP4IndexComesFirst() throws {
    let (_, path, _) = try roundTrip("fast.mp4", frames: Array(Self.clip.prefix(3)))
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    // Top-level boxes in order: +faststart puts moov before mdat so browsers can start playing at once.
    var boxes: [String] = []
    var pos = 0
    while pos + 8 <= bytes.count {
      let size = bytes[pos..<pos + 4].reduce(0) { $0 << 8 | Int($1) }
      boxes.append(String(decoding: bytes[pos + 4..<pos + 8], as: UTF8.self))
      guard size >= 8 else { break }
      pos += size
    }
    let moov = boxes.firstIndex(of: "moov"), mdat = boxes.firstIndex(of: "mdat")
    XCTAssertNotNil(moov)
    XCTAssertNotNil(mdat)
    XCTAssertLessThan(moov ?? 99, mdat ?? 0, "boxes: \(boxes)")
  }

  func testInvalidOptionsAndPathsAreRejectedBeforeWriting() throws {
    let scratch = try makeScratch()
    let frames = Array(Self.clip.prefix(1))
    let cases: [(String, VideoWriteOptions)] = [
      ("a.mp4", VideoWriteOptions(fps: 0)),
      ("a.mp4", VideoWriteOptions(fps: .nan)),
      ("a.mp4", VideoWriteOptions(crf: 52)),
      ("a.webm", VideoWriteOptions(crf: -1)),
      ("a.gif", VideoWriteOptions(fps: 60)),
      ("a.mp4", VideoWriteOptions(x264Preset: "warp9")),
      ("a.gif", VideoWriteOptions(gifColors: 1)),
    ]
    for (name, options) in cases {
      assertMediaError(try writeVideo(frames: frames, to: scratch.file(name), options: options)) {
        if case .invalidFrames = $0 { return true }
        return false
      }
    }
    for name in ["a.avi", "a.png", "a.jpg"] {
      let error = assertMediaError(try writeVideo(frames: frames, to: scratch.file(name))) {
        if case .invalidOutput = $0 { return true }
        return false
      }
      XCTAssertTrue(error?.description.contains(".mp4") ?? false)
    }
    assertMediaError(try writeVideo(frames: [], to: scratch.file("none.mp4"))) {
      if case .invalidFrames = $0 { return true }
      return false
    }
    XCTAssertEqual(scratch.listing(), [], "nothing written for rejected calls")
  }

  func testAwkwardFileNames() throws {
    // ':' looks like an FFmpeg protocol prefix, '%d' like an image-sequence pattern; relative names matter
    // most ("take:2.mp4" as typed), so this runs inside the scratch folder.
    let scratch = try makeScratch()
    let previous = FileManager.default.currentDirectoryPath
    XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(scratch.path))
    defer { FileManager.default.changeCurrentDirectoryPath(previous) }
    let names = ["take:2.mp4", "shot %d 50%.webm", "clip é 狐.gif", "file:odd.gif"]
    for name in names {
      try writeVideo(frames: Array(Self.clip.prefix(2)), to: name)
      XCTAssertEqual(try VideoReader.read(path: name).frames.count, 2, name)
    }
    XCTAssertEqual(scratch.listing(), names.sorted())
  }

  func testLibraryVersionsAndEncoders() {
    let versions = Dictionary(MediaLibraries.versions(), uniquingKeysWith: { a, _ in a })
    XCTAssertNotNil(versions["libavcodec"])
    XCTAssertNotNil(versions["libswscale"])
    XCTAssertTrue(versions["libpng"]?.hasPrefix("1.") ?? false)
    XCTAssertEqual(versions["encoders"], "libx264 yes, libvpx-vp9 yes, gif yes")
    XCTAssertEqual(versions["sound encoders"], "aac yes, libopus yes")
    XCTAssertNotNil(versions["libswresample"])
  }

  func testFormatFollowsThePath() throws {
    XCTAssertEqual(try VideoFormat.forOutput(path: "x/clip.MP4"), .mp4)
    XCTAssertEqual(try VideoFormat.forOutput(path: "clip.m4v"), .mp4)
    XCTAssertEqual(try VideoFormat.forOutput(path: "clip.webm"), .webm)
    XCTAssertEqual(try VideoFormat.forOutput(path: "clip.gif"), .gif)
    XCTAssertEqual(try VideoFormat.forOutput(path: "frames/"), .pngFrames)
    XCTAssertEqual(try VideoFormat.forOutput(path: "frames"), .pngFrames)
    let scratch = try makeScratch()
    try FileManager.default.createDirectory(atPath: scratch.file("out.v1"), withIntermediateDirectories: false)
    XCTAssertEqual(try VideoFormat.forOutput(path: scratch.file("out.v1")), .pngFrames)
  }
}
