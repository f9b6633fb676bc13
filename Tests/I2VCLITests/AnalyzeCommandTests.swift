import Foundation
import I2VBrowserTesting
import I2VMedia
import Testing

/// `i2v analyze` as users run it: the table, --json, the HTML report in a real browser, and the errors.
@Suite struct AnalyzeCommandTests {
  let dir: URL

  init() throws { dir = try CLI.tempDir() }

  func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

  /// A 160x96 window over an endless colourful pattern, its top-left corner at `offset(t)` in frame t.
  static func clip(frames: Int = 16, offset: (Int) -> (Int, Int)) -> [RGBImage] {
    (0..<frames).map { t in
      let (ox, oy) = offset(t)
      var px = [UInt8]()
      px.reserveCapacity(160 * 96 * 3)
      for y in 0..<96 {
        for x in 0..<160 {
          let u = Double(x + ox), v = Double(y + oy)
          px.append(UInt8(128 + 100 * sin(u / 6) * cos(v / 9)))
          px.append(UInt8(128 + 100 * sin((u + v) / 11)))
          px.append(((x + ox) / 8 + (y + oy) / 8) % 2 == 0 ? 20 : 235)
        }
      }
      return RGBImage(unchecked: 160, 96, px)
    }
  }

  /// A smooth pan of 2 px per frame to the right.
  func smoothClip(_ name: String = "pan.mp4") throws -> String {
    try writeVideo(frames: Self.clip { (2 * $0, 0) }, to: path(name), options: VideoWriteOptions(fps: 8))
    return path(name)
  }

  @Test func tableAndJSON() throws {
    let clip = try smoothClip()
    let r = try CLI.run(["analyze", clip])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("16 frames, 160x96, 8 fps, h264"), "\(r.stdout)")
    #expect(r.stdout.contains("14→15") && r.stdout.contains("verdict: good"), "\(r.stdout)")

    let j = try CLI.run(["analyze", clip, "--json"])
    #expect(j.status == 0, "\(j.stderr)")
    let object = try ModelCopies.json(Data(j.stdout.utf8))
    let analysis = object["analysis"] as? [String: Any] ?? [:]
    let measures = analysis["clip"] as? [String: Any] ?? [:]
    // The window moves 2 px per frame: the flow says so, and 2 px of a 187 px diagonal, 8 times a second.
    #expect(abs((measures["motion_px"] as? Double ?? 0) - 2) < 0.15, "\(measures)")
    #expect(abs((measures["motion_pct_diagonal_per_s"] as? Double ?? 0) - 1600 / (160.0 * 160 + 96 * 96).squareRoot()) < 0.7)
    #expect((analysis["pairs"] as? [Any])?.count == 15)
    #expect((analysis["verdict"] as? [String: Any])?["rating"] as? String == "good")
    #expect(object["input"] as? String == clip)
  }

  @Test func stillFramesFolderIsTooWeak() throws {
    let frames = path("frames")
    try writeVideo(frames: Self.clip(frames: 6) { _ in (0, 0) }, to: frames + "/", options: VideoWriteOptions(fps: 8))
    let r = try CLI.run(["analyze", frames, "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == "verdict: motion too weak → raise --guidance by 1-2 (about 12 at most; --guidance auto reads "
      + "the prompt's motion words) or use more --steps\n", "\(r.stdout)")
  }

  @Test func badInputsSayWhatToGive() throws {
    let text = path("notes.txt")
    try Data("not a video".utf8).write(to: URL(fileURLWithPath: text))
    let empty = path("empty.mp4")
    try Data().write(to: URL(fileURLWithPath: empty))
    let single = path("one")
    try writeVideo(frames: Self.clip(frames: 1) { _ in (0, 0) }, to: single + "/", options: VideoWriteOptions(fps: 8))
    let cases: [([String], Int32, String)] = [
      (["analyze", path("missing.mp4")], 1, "does not exist"),
      (["analyze", text], 1, "as a video"),
      (["analyze", empty], 1, "is empty (0 bytes)"),
      (["analyze", single], 1, "has 1 frame; motion needs at least 2"),
      (["analyze", path("missing.mp4"), "--fps", "0"], 64, "--fps"),
      (["analyze", path("missing.mp4"), "--report", path("r.txt")], 64, "ending in .html"),
      (["analyze", try smoothClip(), "--report", path("no/such/folder/r.html")], 1, "does not exist"),
    ]
    for (args, status, message) in cases {
      let r = try CLI.run(args)
      #expect(r.status == status && r.stderr.contains(message), "\(args): \(r.status) \(r.stderr)")
    }
    let j = try CLI.run(["analyze", text, "--json"])
    let failure = try ModelCopies.json(Data(j.stdout.utf8))
    #expect(j.status == 1 && failure["status"] as? String == "failed")
  }

  /// The report opened in headless Chromium: no console errors, both videos play, a screenshot kept in
  /// `.build/test-artifacts/analyze-report.png`. Without a browser this fails: Scripts/install-deps.sh installs it.
  @Test func reportRendersInABrowser() throws {
    // A pan that jumps back and forth: the report has findings to show.
    let jumps = [0, 3, -2, 4, 0, -3, 2, 5, -1, 3, -4, 1, 4, -2, 0, 3]
    try writeVideo(frames: Self.clip { (2 * $0 + jumps[$0], jumps[($0 + 5) % 16]) }, to: path("jumpy.mp4"),
                   options: VideoWriteOptions(fps: 8))
    let report = path("jumpy report.html")
    let r = try CLI.run(["analyze", path("jumpy.mp4"), "--report", report])
    #expect(r.status == 0 && r.stdout.contains("report: \(report)"), "\(r.stderr)")
    #expect(r.stdout.contains("distorted or jittery"), "\(r.stdout)")
    let again = try CLI.run(["analyze", path("jumpy.mp4"), "--report", report])
    #expect(again.status == 1 && again.stderr.contains("--overwrite"), "an existing report is kept: \(again.stderr)")
    #expect(try CLI.run(["analyze", path("jumpy.mp4"), "--report", report, "--overwrite", "-q"]).status == 0)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
    #expect(leftovers.isEmpty, "no temporary files: \(leftovers)")

    let html = try String(contentsOfFile: report, encoding: .utf8)
    #expect(html.contains("<svg class=\"chart\"") && html.contains("data:video/mp4;base64,"))
    #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"), "self-contained")

    guard let chromium = HeadlessChromium.executable else {
      Issue.record("no chromium on the PATH (or $I2V_CHROMIUM): Scripts/install-deps.sh installs Debian's chromium")
      return
    }
    let page = try HeadlessChromium(executable: chromium).load(URL(fileURLWithPath: report).absoluteString)
    #expect(page.problems.isEmpty, "\(page.problems)")
    #expect(page.videos.count == 2 && page.videos.allSatisfy { $0.readyState >= 2 && $0.width == 160 }, "\(page.videos)")
    let artifacts = CLI.root.appendingPathComponent(".build/test-artifacts")
    try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
    try page.screenshot.write(to: artifacts.appendingPathComponent("analyze-report.png"))
    #expect(page.screenshot.starts(with: [0x89, 0x50, 0x4E, 0x47]) && page.screenshot.count > 20_000)
  }
}
