// Frame folders: natural ordering, filtering, and re-encoding saved frames (what frames-to-video does).
import Foundation
import XCTest

@testable import I2VMedia

final class FrameFilesTests: XCTestCase {
  func testNaturalOrder() {
    let names = ["frame10.png", "frame2.png", "frame1.png", "frame_0003.png", "a01.png", "a1.png", "b.png", "frame100.png"]
    XCTAssertEqual(
      names.sorted(by: FrameFiles.naturalLess),
      ["a01.png", "a1.png", "b.png", "frame1.png", "frame2.png", "frame10.png", "frame100.png", "frame_0003.png"])
    XCTAssertTrue(FrameFiles.naturalLess("img9.jpg", "img10.jpg"))
    XCTAssertFalse(FrameFiles.naturalLess("img10.jpg", "img9.jpg"))
    XCTAssertFalse(FrameFiles.naturalLess("same", "same"))
  }

  func testListingKeepsImagesOnly() throws {
    let scratch = try makeScratch()
    for name in ["10.png", "9.JPG", "notes.txt", ".hidden.png", "2.webp"] { _ = try scratch.write(name, [0]) }
    try FileManager.default.createDirectory(atPath: scratch.file("sub"), withIntermediateDirectories: false)
    let listed = try FrameFiles.list(folder: scratch.path + "/").map { ($0 as NSString).lastPathComponent }
    XCTAssertEqual(listed, ["2.webp", "9.JPG", "10.png"])
    // frames-to-video also takes GIF frames, but never its own output.
    _ = try scratch.write("1.gif", [0])
    _ = try scratch.write("clip.gif", [0])
    let clip = try FrameFiles.list(folder: scratch.path, extensions: FrameFiles.clipFrameExtensions,
                                   excluding: [scratch.path + "/./clip.gif"]).map { ($0 as NSString).lastPathComponent }
    XCTAssertEqual(clip, ["1.gif", "2.webp", "9.JPG", "10.png"])
    assertMediaError(try FrameFiles.list(folder: scratch.file("missing"))) {
      if case .fileNotFound = $0 { return true }
      return false
    }
  }

  func testReencodingSavedFrames() throws {
    let scratch = try makeScratch()
    let clip = Synthetic.smoothClip(frames: 12, width: 48, height: 32)
    try writeVideo(frames: clip, to: scratch.file("saved/"))
    let files = try FrameFiles.list(folder: scratch.file("saved"))
    XCTAssertEqual(files.count, 12)
    let loaded = try files.map { try ImageLoader.load(path: $0) }
    XCTAssertEqual(loaded, clip)
    try writeVideo(frames: loaded, to: scratch.file("again.mp4"), options: VideoWriteOptions(fps: 12))
    let video = try VideoReader.read(path: scratch.file("again.mp4"))
    XCTAssertEqual(video.frames.count, 12)
    XCTAssertEqual(video.duration, 1.0, accuracy: 1e-9)
  }
}
