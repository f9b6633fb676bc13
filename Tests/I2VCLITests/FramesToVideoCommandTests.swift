import Foundation
import Testing

/// frames-to-video takes GIF frames (their first frame, as any input image) and never reads its own output.
@Suite struct FramesToVideoCommandTests {
  @Test func gifFramesAreTakenAndTheOutputIsNot() throws {
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let corpus = CLI.root.appendingPathComponent("Tests/Fixtures/corpus")
    for (source, name) in [("gif_still.gif", "f1.gif"), ("gif_animated.gif", "f2.gif"), ("png_rgb.png", "f3.png")] {
      try FileManager.default.copyItem(at: corpus.appendingPathComponent(source), to: dir.appendingPathComponent(name))
    }
    let output = dir.appendingPathComponent("clip.gif").path
    let first = try CLI.run(["frames-to-video", dir.path, "-o", output, "--fps", "4"])
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("3 frames"), "\(first.stdout)")
    #expect(first.stderr.contains("f2.gif") && first.stderr.contains("holds 3 frames"), "\(first.stderr)")
    // Again into the same folder: clip.gif is now there, and still not a frame.
    let second = try CLI.run(["frames-to-video", dir.path, "-o", output, "--fps", "4", "--overwrite"])
    #expect(second.status == 0, "\(second.stderr)")
    #expect(second.stdout.contains("3 frames"), "\(second.stdout)")
  }
}
