import Foundation
import Hummingbird
import HummingbirdTesting
import I2VApp
import I2VModels
import Testing

@testable import I2VServe

/// The page's live checks: a prompt's tokens and `auto` guidance, an image's crop and warnings, computed by the
/// code a job runs.
@Suite struct ServeCheckTests {
  @Test func promptTokensAndAutoGuidance() async throws {
    let fixture = try ServeFixture()
    let tokenizer = fixture.server.tokenizer
    try await fixture.test(worker: false) { client in
      let (r, short) = try await client.json("/api/prompt", method: .post,
                                             body: #"{"prompt": "a dog running fast", "negative_prompt": "blurry"}"#)
      #expect(r.status == .ok)
      let p = short["prompt"] as? [String: Any] ?? [:]
      #expect(p["count"] as? Int == tokenizer.encode("a dog running fast").count)
      #expect(p["truncated"] as? Bool == false && p["max_tokens"] as? Int == 75)
      #expect((short["negative_prompt"] as? [String: Any])?["count"] as? Int == 1)
      let auto = short["guidance_auto"] as? [String: Any] ?? [:]
      let expected = GuidanceSetting.resolve(.auto, prompt: "a dog running fast", preset: try GenerationPreset.load("standard"))
      #expect(auto["scale"] as? Double == expected.scale && auto["reason"] as? String == expected.reason)

      // Past 75 tokens: the words the model does not read, as `i2v tokenize` names them.
      let long = (1...90).map { "word\($0)" }.joined(separator: " ")
      let (_, cut) = try await client.json("/api/prompt", method: .post, body: "{\"prompt\": \"\(long)\"}")
      let c = cut["prompt"] as? [String: Any] ?? [:]
      #expect(c["truncated"] as? Bool == true)
      #expect(c["dropped_words"] as? [String] == tokenizer.encode(long).droppedWords)
      #expect((c["dropped_words"] as? [String])?.last == "word90")
      // With long_prompt nothing is dropped: it is read in chunks.
      let (_, chunked) = try await client.json("/api/prompt", method: .post,
                                               body: "{\"prompt\": \"\(long)\", \"long_prompt\": true}")
      let ch = chunked["prompt"] as? [String: Any] ?? [:]
      #expect(ch["truncated"] as? Bool == false && (ch["chunks"] as? Int ?? 0) >= 2)

      let bad = try await client.execute(uri: "/api/prompt", method: .post, headers: [.contentType: "application/json"],
                                         body: ByteBuffer(string: #"{"prompt": "a (cat:1.3", "prompt_syntax": "weighted"}"#))
      #expect(bad.status == .badRequest && bad.error.contains("prompt"), "\(bad.text)")
      let syntax = try await client.execute(uri: "/api/prompt", method: .post, headers: [.contentType: "application/json"],
                                            body: ByteBuffer(string: #"{"prompt": "a", "prompt_syntax": "fancy"}"#))
      #expect(syntax.status == .badRequest && syntax.error.contains("plain or weighted"))
      let preset = try await client.execute(uri: "/api/prompt", method: .post, headers: [.contentType: "application/json"],
                                            body: ByteBuffer(string: #"{"prompt": "a", "preset": "nope"}"#))
      #expect(preset.status == .badRequest && preset.error.contains("nope"))
      let missing = try await client.execute(uri: "/api/prompt", method: .post, headers: [.contentType: "application/json"],
                                             body: ByteBuffer(string: #"{"text": "a"}"#))
      #expect(missing.status == .badRequest)
    }
  }

  @Test func imageCropAndWarnings() async throws {
    let fixture = try ServeFixture { $0.maxPixels = 100 * 100 }
    try await fixture.test(worker: false) { client in
      let bytes = try ServeFixture.image("wide_102x58.png")
      let r = try await client.execute(uri: "/api/images/inspect?preset=smoke", method: .post, body: ByteBuffer(bytes: bytes))
      #expect(r.status == .ok, "\(r.text)")
      let o = r.object
      #expect(o["format"] as? String == "PNG" && o["width"] as? Int == 102 && o["height"] as? Int == 58)
      #expect(o["target_width"] as? Int == 32 && o["target_height"] as? Int == 32)
      let plan = CenterCropWide.plan(width: 102, height: 58, targetWidth: 32, targetHeight: 32)
      let crop = o["crop"] as? [String: Any] ?? [:]
      #expect(crop["resized_width"] as? Int == plan.resizedWidth && crop["resized_height"] as? Int == plan.resizedHeight)
      #expect(crop["x"] as? Int == plan.cropX && crop["y"] as? Int == plan.cropY)
      // The crop cuts away much of a wide image for a square video: the advisor says so.
      let warnings = o["warnings"] as? [String] ?? []
      #expect(warnings.contains { $0.contains("cropped away") }, "\(warnings)")

      let sized = try await client.execute(uri: "/api/images/inspect?preset=smoke&width=64&height=36", method: .post,
                                           body: ByteBuffer(bytes: bytes))
      #expect(sized.object["target_width"] as? Int == 64 && sized.object["target_height"] as? Int == 36)

      let odd = try await client.execute(uri: "/api/images/inspect?preset=smoke&width=33", method: .post,
                                         body: ByteBuffer(bytes: bytes))
      #expect(odd.status == .badRequest && odd.error.contains("multiple of 2"), "\(odd.text)")
      let word = try await client.execute(uri: "/api/images/inspect?width=wide", method: .post, body: ByteBuffer(bytes: bytes))
      #expect(word.status == .badRequest && word.error.contains("'width' must be a whole number"))
      let path = try await client.execute(uri: "/api/images/inspect?preset=/etc/x.json", method: .post,
                                          body: ByteBuffer(bytes: bytes))
      #expect(path.status == .badRequest && path.error.contains("not a path"))
      let empty = try await client.execute(uri: "/api/images/inspect", method: .post)
      #expect(empty.status == .badRequest && empty.error.contains("image's bytes"))
      let text = try await client.execute(uri: "/api/images/inspect", method: .post, body: ByteBuffer(string: "hello"))
      #expect(text.status == .unsupportedMediaType, "\(text.text)")
      let big = try await client.execute(uri: "/api/images/inspect", method: .post,
                                         body: ByteBuffer(bytes: try ServeFixture.image("landscape_96x72.png")))
      #expect(big.status == .ok)  // 6,912 pixels: under this server's 10,000
      let square = try ServeFixture.image("square_48x48.png")
      #expect(try await client.execute(uri: "/api/images/inspect", method: .post, body: ByteBuffer(bytes: square)).status == .ok)
    }
  }

  @Test func pixelLimitOnInspect() async throws {
    let fixture = try ServeFixture { $0.maxPixels = 40 * 40 }
    try await fixture.test(worker: false) { client in
      let r = try await client.execute(uri: "/api/images/inspect", method: .post,
                                       body: ByteBuffer(bytes: try ServeFixture.image("square_48x48.png")))
      #expect(r.status == .contentTooLarge && r.error.contains("too large"), "\(r.text)")
    }
  }
}
