import Foundation
import I2VMedia
import Testing

/// `--interpolate N` on generate and the `interpolate` command: N times the frames at N times the rate, the
/// generated frames kept, the duration unchanged, the sidecar saying so.
@Suite struct InterpolateCommandTests {
  let dir: URL

  init() throws { dir = try CLI.tempDir() }

  func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

  @Test func generateInterpolatesAndRecordsIt() throws {
    let plain = try CLI.run(["generate", "--model", CLI.fixture("models/tiny-a"), "--image",
                             CLI.fixture("images/square_48x48.png"), "--prompt", "a cat", "--preset", "smoke",
                             "--seed", "5", "-o", path("plain"), "--quiet"])
    #expect(plain.status == 0, "\(plain.stderr)")
    let r = try CLI.run(["generate", "--model", CLI.fixture("models/tiny-a"), "--image",
                         CLI.fixture("images/square_48x48.png"), "--prompt", "a cat", "--preset", "smoke",
                         "--seed", "5", "--interpolate", "2", "-o", path("smooth"), "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    // PNG frames, so the pixels compare exactly: generated frame i is frame 2i.
    let generated = try VideoReader.read(path: path("plain")).frames
    let written = try VideoReader.read(path: path("smooth")).frames
    #expect(generated.count == 4 && written.count == 8)
    for i in 0..<4 { #expect(written[2 * i] == generated[i]) }
    #expect(written[7] == generated[3])
    let sidecar = try ModelCopies.json(file: path("smooth.json"))
    let record = sidecar["interpolation"] as? [String: Any] ?? [:]
    #expect(record["factor"] as? Int == 2 && record["frames_generated"] as? Int == 4)
    #expect(record["frames_written"] as? Int == 8 && record["fps_written"] as? Int == 16 && record["mode"] as? String == "motion")
  }

  @Test func interpolateCommandKeepsTheDuration() throws {
    let made = try CLI.run(["generate", "--model", CLI.fixture("models/tiny-a"), "--image",
                            CLI.fixture("images/square_48x48.png"), "--prompt", "a cat", "--preset", "smoke",
                            "--seed", "5", "-o", path("clip.mp4"), "--quiet"])
    #expect(made.status == 0, "\(made.stderr)")
    let r = try CLI.run(["interpolate", path("clip.mp4"), "-o", path("clip3.webm"), "--factor", "3", "--mode", "blend"])
    #expect(r.status == 0 && r.stdout.contains("12 frames (4 x 3, blend) at 24 fps, 0.500 s"), "\(r.stdout) \(r.stderr)")
    let back = try VideoReader.read(path: path("clip3.webm"))
    #expect(back.frames.count == 12 && abs(back.fps - 24) < 1e-9)

    let same = try CLI.run(["interpolate", path("clip.mp4"), "-o", path("clip.mp4"), "--overwrite"])
    #expect(same.status != 0 && same.stderr.contains("is the input"), "\(same.stderr)")
    let bad = try CLI.run(["interpolate", path("clip.mp4"), "-o", path("x.mp4"), "--factor", "1"])
    #expect(bad.status == 64 && bad.stderr.contains("between 2 and 16"), "\(bad.stderr)")
    #expect(!FileManager.default.fileExists(atPath: path("x.mp4")))
  }
}
