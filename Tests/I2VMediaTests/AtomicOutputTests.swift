// Outputs appear complete or not at all; existing outputs are protected; interruption leaves nothing.
import Foundation
import XCTest

@testable import I2VMedia

#if canImport(Glibc)
  import Glibc
#endif

final class AtomicOutputTests: XCTestCase {
  let frames = Array(Synthetic.smoothClip(frames: 3, width: 32, height: 24))

  private func hidden(_ scratch: ScratchFolder) -> [String] { scratch.listing().filter { $0.hasPrefix(".") } }

  func testWritesToATemporaryNameThenRenames() throws {
    for name in ["out.mp4", "out.webm", "out.gif", "frames"] {
      let scratch = try makeScratch()
      let writer = try VideoWriter(path: scratch.file(name))
      for f in frames { try writer.append(f) }
      // Mid-write: the destination does not exist; one hidden temporary beside it, registered for Ctrl-C.
      XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file(name)), name)
      let temps = hidden(scratch)
      XCTAssertEqual(temps.count, 1, name)
      XCTAssertTrue(temps.first?.hasPrefix(".\(name).i2v-tmp-") ?? false, "\(temps)")
      XCTAssertTrue(InterruptCleanup.registeredPaths.contains(scratch.file(temps.first ?? "?")), name)
      try writer.finish()
      XCTAssertEqual(scratch.listing(), [name], "only the finished output remains")
      XCTAssertFalse(InterruptCleanup.registeredPaths.contains(scratch.file(temps.first ?? "?")))
      XCTAssertEqual(try VideoReader.read(path: scratch.file(name)).frames.count, 3, name)
    }
  }

  func testRefusesToOverwriteAnExistingOutput() throws {
    let scratch = try makeScratch()
    let path = try scratch.write("out.mp4", Array("precious".utf8))
    let error = assertMediaError(try writeVideo(frames: frames, to: path)) {
      if case .outputExists = $0 { return true }
      return false
    }
    XCTAssertTrue(error?.description.contains("--overwrite") ?? false)
    assertMediaError(try VideoWriter.checkOutput(path: path)) {
      if case .outputExists = $0 { return true }
      return false
    }
    XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data("precious".utf8))
    XCTAssertEqual(scratch.listing(), ["out.mp4"])
  }

  func testOverwriteReplacesTheFile() throws {
    let scratch = try makeScratch()
    let path = try scratch.write("out.gif", Array("old".utf8))
    try writeVideo(frames: frames, to: path, options: VideoWriteOptions(overwrite: true))
    XCTAssertEqual(try VideoReader.read(path: path).frames.count, 3)
    XCTAssertEqual(scratch.listing(), ["out.gif"])
  }

  func testAnOutputCreatedMeanwhileIsNotClobbered() throws {
    let scratch = try makeScratch()
    let path = scratch.file("race.mp4")
    let writer = try VideoWriter(path: path)
    for f in frames { try writer.append(f) }
    try Data("someone else's".utf8).write(to: URL(fileURLWithPath: path))
    assertMediaError(try writer.finish()) {
      if case .outputExists = $0 { return true }
      return false
    }
    XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data("someone else's".utf8))
    XCTAssertEqual(scratch.listing(), ["race.mp4"], "temporary removed")
  }

  func testErrorsAndCancellationLeaveNothing() throws {
    let scratch = try makeScratch()
    // A frame of another size mid-clip.
    let writer = try VideoWriter(path: scratch.file("a.mp4"))
    try writer.append(frames[0])
    assertMediaError(try writer.append(RGBImage(width: 8, height: 8))) {
      if case .invalidFrames(let reason) = $0 { return reason.contains("8x8") }
      return false
    }
    assertMediaError(try writer.finish()) {
      if case .invalidFrames = $0 { return true }
      return false
    }
    // Explicit cancel, and a writer dropped without finish.
    let cancelled = try VideoWriter(path: scratch.file("b.webm"))
    try cancelled.append(frames[0])
    cancelled.cancel()
    do {
      let dropped = try VideoWriter(path: scratch.file("c/"))
      try dropped.append(frames[0])
    }
    // Finishing with no frames.
    let empty = try VideoWriter(path: scratch.file("d.gif"))
    assertMediaError(try empty.finish()) {
      if case .invalidFrames = $0 { return true }
      return false
    }
    XCTAssertEqual(scratch.listing(), [])
  }

  func testInterruptCleanupRemovesTemporaryOutputs() throws {
    let scratch = try makeScratch()
    let writer = try VideoWriter(path: scratch.file("frames/"))
    for f in frames { try writer.append(f) }
    XCTAssertEqual(hidden(scratch).count, 1)
    InterruptCleanup.removeAll()  // what the Ctrl-C handler does
    XCTAssertEqual(scratch.listing(), [])
    assertMediaError(try writer.finish()) {
      if case .writeFailed = $0 { return true }
      return false
    }
    XCTAssertEqual(scratch.listing(), [])
  }

  func testSignalHandlerRemovesTemporaryOutputs() throws {
    // The real handlers re-raise SIGINT and end the process; SIGUSR2 without re-raise exercises the same
    // path (dispatch source -> removeAll) and lets the test live.
    InterruptCleanup.install(signals: [SIGUSR2], reraise: false)
    let scratch = try makeScratch()
    let writer = try VideoWriter(path: scratch.file("clip.mp4"))
    try writer.append(frames[0])
    XCTAssertEqual(hidden(scratch).count, 1)
    kill(getpid(), SIGUSR2)
    let deadline = Date().addingTimeInterval(5)
    while !scratch.listing().isEmpty && Date() < deadline { usleep(10_000) }
    XCTAssertEqual(scratch.listing(), [], "temporary output removed by the signal handler")
    writer.cancel()
  }

  func testFrameFolderIsReplacedOnlyIfItHoldsOnlyFrames() throws {
    let scratch = try makeScratch()
    let folder = scratch.file("frames")
    try writeVideo(frames: frames, to: folder)
    // Without overwrite: refused.
    assertMediaError(try writeVideo(frames: frames, to: folder)) {
      if case .outputExists = $0 { return true }
      return false
    }
    // With overwrite: replaced as a whole (no stale frame_0002 from the longer first run).
    try writeVideo(frames: Array(frames.prefix(2)), to: folder + "/", options: VideoWriteOptions(overwrite: true))
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["frame_0000.png", "frame_0001.png"])
    XCTAssertEqual(scratch.listing(), ["frames"])
    // A folder with anything else in it is never deleted, even with overwrite.
    try Data("keep".utf8).write(to: URL(fileURLWithPath: folder + "/notes.txt"))
    let error = assertMediaError(try writeVideo(frames: frames, to: folder, options: VideoWriteOptions(overwrite: true))) {
      if case .invalidOutput(_, let reason) = $0 { return reason.contains("notes.txt") }
      return false
    }
    XCTAssertNotNil(error)
    XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/notes.txt"))
  }

  func testUnusableOutputLocations() throws {
    let scratch = try makeScratch()
    let missing = assertMediaError(try VideoWriter.checkOutput(path: scratch.file("no/such/dir/out.mp4"))) {
      if case .invalidOutput(_, let reason) = $0 { return reason.contains("does not exist") }
      return false
    }
    XCTAssertTrue(missing?.description.contains("out.mp4") ?? false)
    try FileManager.default.createDirectory(atPath: scratch.file("clip.mp4"), withIntermediateDirectories: false)
    assertMediaError(try VideoWriter.checkOutput(path: scratch.file("clip.mp4"), options: VideoWriteOptions(overwrite: true))) {
      if case .invalidOutput(_, let reason) = $0 { return reason.contains("folder") }
      return false
    }
    _ = try scratch.write("frames", [1, 2, 3])
    assertMediaError(try VideoWriter.checkOutput(path: scratch.file("frames"), options: VideoWriteOptions(overwrite: true))) {
      if case .invalidOutput = $0 { return true }
      return false
    }
  }
}
