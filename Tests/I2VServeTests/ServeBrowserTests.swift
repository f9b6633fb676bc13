import Foundation
import I2VBrowserTesting
import Testing

/// The page in a real browser: headless Chromium picks the fixture image, chooses the smoke preset, types a
/// prompt, submits, and waits until the finished video plays in the gallery; the screenshot is kept in
/// .build/test-artifacts/serve-page.png. Without Chromium this fails (Scripts/install-deps.sh installs it).
@Suite struct ServeBrowserTests {
  @Test func pageRunsAJobAndPlaysTheVideo() throws {
    guard let executable = HeadlessChromium.executable else {
      Issue.record("chromium is not installed: this test drives the page in it (Scripts/install-deps.sh installs it)")
      return
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-serve-browser-\(UUID().uuidString)")
    let server = try LiveServer(outputDir: dir.appendingPathComponent("videos"))
    defer { _ = server.stop() }
    let browser = try HeadlessChromium(executable: executable)

    try browser.openPage(server.url)
    #expect(try browser.waitUntil("document.querySelectorAll('#preset option').length > 0 && "
      + "document.getElementById('live').classList.contains('on')", seconds: 30), "the page did not load: \(server.log)")

    try browser.setFile(selector: "#file", path: ServeFixture.fixture("images/wide_102x58.png"))
    try browser.evaluate("""
      (() => {
        const select = document.getElementById('preset');
        select.value = 'smoke';
        select.dispatchEvent(new Event('change'));
        const text = document.getElementById('prompt');
        text.value = 'a cat turning its head, soft light';
        text.dispatchEvent(new Event('input'));
        return true;
      })()
      """)
    // The crop the model gets, from the server's plan; the live token count from the real tokenizer.
    #expect(try browser.waitUntil("document.getElementById('crop-caption').textContent.includes('32×32') && "
      + "document.getElementById('crop-canvas').width === 32", seconds: 30))
    #expect(try browser.waitUntil("document.getElementById('prompt-tokens').textContent.includes('/ 75 tokens')",
                                  seconds: 30))
    #expect(try browser.evaluate("document.getElementById('preset-values').textContent") as? String
      == "2 steps" + "guidance 9" + "4 frames @ 8 fps" + "32×32" + "ddim"
      + "CI smoke test on the small bundled model: 2 steps, 4 frames at 32x32, seconds on a CPU.")
    // The input warnings of this image at this size (a wide picture cropped square).
    #expect(try browser.waitUntil("document.getElementById('image-warnings').textContent.includes('cropped')",
                                  seconds: 30))

    try browser.evaluate("document.getElementById('submit').click(); true")
    let playing = "(() => { const v = document.querySelector('.job video'); "
      + "return !!v && v.readyState >= 2 && v.currentTime > 0 && !v.paused; })()"
    let played = try browser.waitUntil(playing, seconds: 120)
    #expect(played, "the video did not play: \(server.log)")
    let card = try browser.evaluate("document.querySelector('.job').innerText") as? String ?? ""
    #expect(card.contains("DONE") || card.contains("done"), "\(card)")
    #expect(card.contains("32×32, 4 frames @ 8 fps") && card.contains("seed"), "\(card)")

    let artifacts = ServeFixture.root.appendingPathComponent(".build/test-artifacts")
    try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
    let png = try browser.screenshot()
    try png.write(to: artifacts.appendingPathComponent("serve-page.png"))
    #expect(png.count > 10_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    // A clean page: nothing on its console, no uncaught exception.
    #expect(try browser.pageProblems() == [])

    // "Use these settings again": the form gets the job's settings (its seed too) and its image back.
    try browser.evaluate("document.querySelector('[data-action=reuse]').click(); true")
    #expect(try browser.waitUntil("document.getElementById('seed').value !== '' && "
      + "document.getElementById('prompt').value === 'a cat turning its head, soft light' && "
      + "document.getElementById('source-caption').textContent.includes('PNG 102×58')", seconds: 30))
  }
}
