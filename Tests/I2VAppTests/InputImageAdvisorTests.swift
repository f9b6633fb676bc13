import Foundation
import I2VApp
import I2VImage
import I2VMedia
import Testing

/// The input-image warnings on synthetic images whose answer is known, and silence on the bundled examples.
@Suite struct InputImageAdvisorTests {
  /// A checkerboard of `cell`-pixel squares in two grey levels.
  static func checkerboard(_ w: Int, _ h: Int, cell: Int = 4, dark: UInt8 = 30, light: UInt8 = 220) -> RGBImage {
    var pixels: [UInt8] = []
    for y in 0..<h {
      for x in 0..<w {
        let v = ((x / cell) + (y / cell)) % 2 == 0 ? dark : light
        pixels += [v, v, v]
      }
    }
    return RGBImage(unchecked: w, h, pixels)
  }

  static func gradient(_ w: Int, _ h: Int) -> RGBImage {
    var pixels: [UInt8] = []
    for y in 0..<h { for x in 0..<w { pixels += [UInt8(60 + x * 120 / w), UInt8(60 + y * 120 / h), 128] } }
    return RGBImage(unchecked: w, h, pixels)
  }

  func warnings(_ image: RGBImage, _ w: Int, _ h: Int) -> [String] {
    InputImageAdvisor.warnings(image, width: w, height: h)
  }

  @Test func sharpWellExposedImageIsQuiet() {
    #expect(warnings(Self.checkerboard(256, 256), 256, 256) == [])
    #expect(warnings(Self.checkerboard(640, 360), 512, 288) == [], "a downscale of the same shape is fine")
  }

  @Test func blurryOrFlat() throws {
    let w = warnings(Self.gradient(256, 256), 256, 256)
    #expect(w.count == 1 && w[0].contains("blurry"), "\(w)")
    #expect(InputImageAdvisor.measure(Self.gradient(256, 256), width: 256, height: 256).sharpness
      < InputImageAdvisor.minSharpness)
  }

  @Test func darkAndOverexposed() {
    let dark = warnings(Self.checkerboard(128, 128, dark: 2, light: 40), 128, 128)
    #expect(dark.count == 1 && dark[0].contains("very dark") && dark[0].contains("50% black"), "\(dark)")
    let bright = warnings(Self.checkerboard(128, 128, dark: 200, light: 255), 128, 128)
    #expect(bright.count == 1 && bright[0].contains("overexposed") && bright[0].contains("50% clipped"), "\(bright)")
  }

  @Test func smallImageIsReportedWithTheSizeToUse() {
    let w = warnings(Self.checkerboard(100, 100), 512, 512)
    #expect(w.contains { $0.contains("enlarged 5.1x") && $0.contains("at least 256x256") }, "\(w)")
    #expect(!warnings(Self.checkerboard(300, 300), 512, 512).contains { $0.contains("enlarged") }, "1.7x is fine")
  }

  @Test func aspectCropSaysHowMuchIsLost() {
    let w = warnings(Self.checkerboard(512, 128), 256, 256)
    #expect(w.contains { $0.contains("keeps 25%") && $0.contains("75% is cropped") }, "\(w)")
    // 16:9 from 4:3 keeps 75%: at the threshold, no warning.
    #expect(!warnings(Self.checkerboard(640, 480), 640, 360).contains { $0.contains("cropped") })
  }

  /// The bundled example images at the smoke preset's scale, each for a video of its own shape (the default
  /// job: square_48x48.png at 32x32), get no warning.
  @Test func bundledExamplesAreQuiet() throws {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/images")
    let sizes = ["square_48x48.png": (32, 32), "landscape_96x72.png": (40, 32), "wide_102x58.png": (56, 32),
                 "wide_55x31.png": (56, 32)]
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".png") }
    #expect(Set(names) == Set(sizes.keys))
    for (name, (w, h)) in sizes {
      let image = try ImageLoader.load(path: dir.appendingPathComponent(name).path)
      #expect(warnings(image, w, h) == [], "\(name)")
    }
  }
}
