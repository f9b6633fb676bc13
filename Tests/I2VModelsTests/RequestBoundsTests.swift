import I2VModels
import Testing

/// Every buffer an input sizes is bounded before anything is allocated.
@Suite struct RequestBoundsTests {
  func request(image: RGBImage = RGBImage(width: 64, height: 64), width: Int = 512, height: Int = 512,
               guidance: Double = 9) -> GenerationRequest
  {
    GenerationRequest(image: image, prompt: "x", width: width, height: height, guidanceScale: guidance)
  }

  func message(_ r: GenerationRequest) -> String? {
    do {
      try r.validate()
      return nil
    } catch {
      return "\(error)"
    }
  }

  @Test func sidesAreBounded() {
    #expect(message(request(width: 8192, height: 8192)) == nil)
    #expect(message(request(width: 8200, height: 512))?.contains("at most 8192") == true)
  }

  @Test func guidanceIsBounded() {
    #expect(message(request(guidance: 100)) == nil)
    #expect(message(request(guidance: 1e20))?.contains("between 0 and 100") == true)
  }

  /// A 2x20000 picture is small, but covering 1280x704 with it would need a 1280x12.8M intermediate.
  @Test func extremeAspectRatiosAreRefused() {
    let m = message(request(image: RGBImage(width: 2, height: 20000), width: 1280, height: 704))
    #expect(m?.contains("aspect ratio (2x20000) is too far") == true, "\(m ?? "accepted")")
    #expect(message(request(image: RGBImage(width: 1000, height: 600), width: 1280, height: 704)) == nil)
  }
}
