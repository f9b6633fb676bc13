import Foundation
import Hummingbird
import HummingbirdTesting
import I2VApp
import Testing

@testable import I2VServe

/// Every way a job request can be wrong gets a 4xx JSON error with the CLI's words, and leaves nothing behind.
@Suite struct ServeRequestErrorTests {
  /// Settings the CLI refuses, refused here with the same message.
  static let settingsCases: [(settings: String, message: String)] = [
    (#"{"prompt": "x", "steps": 0}"#, "--steps must be at least 1 (got 0)"),
    (#"{"prompt": "x", "frames": -2}"#, "--frames must be at least 1 (got -2)"),
    (#"{"prompt": "x", "guidance": 500}"#, "--guidance must be between 0 and 100 or 'auto' (got 500.0)"),
    (#"{"prompt": "x", "crf": 99}"#, "--crf must be between 0 and 63"),
    (#"{"prompt": "x", "preset": "smoke", "width": 33}"#, "--width and --height must each be a multiple of 2"),
    (#"{"prompt": "x", "guidance_end": 5}"#, "--guidance-end needs a changing schedule"),
    (#"{"prompt": "x", "prompt_syntax": "weighted", "negative_prompt": "(bad:1.2"}"#, "negative prompt"),
    (#"{"prompt": "x", "steps": 5000}"#, "the number of steps must be between 1 and 1000 (got 5000)"),
    (#"{"prompt": "x", "steps": "many"}"#, "field 'steps': 'many' is not a valid value (it takes what --steps takes)"),
    (#"{"prompt": "x", "seed": 18446744073709551616}"#, "field 'seed'"),
    (#"{"prompt": "x", "preset": "no-such-preset"}"#, "no-such-preset"),
    (#"{"prompt": "x", "preset": "../secret.json"}"#, "must be the name of a preset"),
    (#"{"prompt": "x", "audio": "/etc/passwd"}"#, "field 'audio' is not accepted"),
    (#"{"prompt": "x", "output": "/tmp/x.mp4"}"#, "field 'output' is not accepted"),
    (#"{"prompt": "x", "prompt_file": "/etc/hosts"}"#, "field 'prompt_file' is not accepted"),
    (#"{"prompt": "x", "image": "/etc/hosts"}"#, "field 'image' is not accepted"),
    (#"{"prompt": "x", "colour": "blue"}"#, "unknown field 'colour'"),
    (#"{"prompt": "x", "format": "avi"}"#, "field 'format': 'avi' is not a valid value"),
    (#"{"prompt": "x", "fit_to_audio": true}"#, "--fit-to-audio needs a sound track"),
    (#"{"prompt": ""}"#, "'prompt' is missing or empty"),
    (#"{"steps": 3}"#, "'prompt' is missing or empty"),
    (#"["prompt"]"#, "not a JSON object"),
    (#"{"prompt": "x""#, "not valid JSON"),
    (#"{"prompt": "x", "steps": [1]}"#, "field 'steps' must be a string or a number"),
  ]

  @Test func settingsErrorsUseTheCLIMessages() async throws {
    let fixture = try ServeFixture()
    let dir = fixture.dir
    try await fixture.test(worker: false) { client in
      for c in Self.settingsCases {
        let r = try await client.postJob(c.settings)
        #expect(r.status == .badRequest, "\(c.settings): \(r.status) \(r.text)")
        #expect(r.error.contains(c.message), "\(c.settings): \(r.error)")
      }
      let (_, list) = try await client.json("/api/jobs")
      #expect((list["jobs"] as? [Any])?.isEmpty == true)
      let inputs = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(".i2v-serve/inputs").path)
      #expect(inputs.isEmpty, "\(inputs)")
    }
  }

  @Test func imageErrors() async throws {
    let fixture = try ServeFixture { $0.maxPixels = 64 * 64 }
    try await fixture.test(worker: false) { client in
      let text = try await client.postJob(ServeJobTests.smoke, image: Array("just some text\n".utf8))
      #expect(text.status == .unsupportedMediaType, "\(text.text)")
      #expect(text.error.contains("give a PNG, JPEG, WebP"))
      // Sniffed by content: a PNG named .jpg is a PNG, and a PNG cut short is refused as Pillow refuses it.
      let png = try ServeFixture.image("square_48x48.png")
      let renamed = try await client.execute(uri: "/api/jobs", method: .post, headers: [.contentType: Multipart.contentType],
                                             body: try Multipart.job(ServeJobTests.smoke, image: png, filename: "x.jpg"))
      #expect(renamed.status == .created, "\(renamed.text)")
      let cut = try await client.postJob(ServeJobTests.smoke, image: Array(png.prefix(png.count / 2)))
      #expect(cut.status == .badRequest && cut.error.contains("damaged or incomplete"), "\(cut.text)")
      // The pixel limit, from the header.
      let big = try await client.postJob(ServeJobTests.smoke, image: try ServeFixture.image("landscape_96x72.png"))
      #expect(big.status == .contentTooLarge && big.error.contains("too large"), "\(big.text)")
    }
  }

  @Test func bodyErrors() async throws {
    let fixture = try ServeFixture { $0.maxUploadBytes = 12 << 10 }  // the 48x48 fixture is 6 KB
    try await fixture.test(worker: false) { client in
      let notMultipart = try await client.execute(uri: "/api/jobs", method: .post, headers: [.contentType: "application/json"],
                                                  body: ByteBuffer(string: ServeJobTests.smoke))
      #expect(notMultipart.status == .unsupportedMediaType && notMultipart.error.contains("multipart/form-data"))

      var noImage = Multipart()
      noImage.field("settings", ServeJobTests.smoke)
      let r1 = try await client.execute(uri: "/api/jobs", method: .post, headers: [.contentType: Multipart.contentType],
                                        body: noImage.finished())
      #expect(r1.status == .badRequest && r1.error.contains("no 'image' part"))

      var noSettings = Multipart()
      noSettings.file("image", filename: "a.png", bytes: try ServeFixture.image("square_48x48.png"))
      let r2 = try await client.execute(uri: "/api/jobs", method: .post, headers: [.contentType: Multipart.contentType],
                                        body: noSettings.finished())
      #expect(r2.status == .badRequest && r2.error.contains("no 'settings' part"))

      var extra = Multipart()
      extra.file("image", filename: "a.png", bytes: try ServeFixture.image("square_48x48.png"))
      extra.field("settings", ServeJobTests.smoke)
      extra.field("output", "/tmp/mine.mp4")
      let r3 = try await client.execute(uri: "/api/jobs", method: .post, headers: [.contentType: Multipart.contentType],
                                        body: extra.finished())
      #expect(r3.status == .badRequest && r3.error.contains("unknown part 'output'"))

      let garbled = try await client.execute(uri: "/api/jobs", method: .post, headers: [.contentType: Multipart.contentType],
                                             body: ByteBuffer(string: "--\(Multipart.boundary)\r\nno headers end"))
      #expect(garbled.status == .badRequest, "\(garbled.text)")

      // Over the upload limit (12 KiB here): 413 before anything is parsed.
      let tooBig = try await client.postJob(ServeJobTests.smoke, image: [UInt8](repeating: 7, count: 16 << 10))
      #expect(tooBig.status == .contentTooLarge && tooBig.error.contains("larger than this server accepts"), "\(tooBig.text)")
      #expect(tooBig.headers[.contentType]?.hasPrefix("application/json") == true)

      // JSON bodies are small: a prompt check over 64 KiB is refused.
      let huge = "{\"prompt\": \"" + String(repeating: "a", count: 70 << 10) + "\"}"
      let r4 = try await client.execute(uri: "/api/prompt", method: .post, headers: [.contentType: "application/json"],
                                        body: ByteBuffer(string: huge))
      #expect(r4.status == .contentTooLarge)
    }
  }
}
