// Input decoding against PIL's references (Scripts/make_media_fixtures.py), EXIF orientation, format sniffing.
import Foundation
import XCTest

@testable import I2VMedia

final class ImageLoaderTests: XCTestCase {
  struct Entry: Decodable {
    let file: String
    let reference: String
    let width: Int
    let height: Int
    let compare: String
    let orientation: Int
  }

  struct Manifest: Decodable {
    let images: [Entry]
  }

  static let manifest: [Entry] = {
    let data = try! Data(contentsOf: URL(fileURLWithPath: Fixtures.path("manifest.json")))
    return try! JSONDecoder().decode(Manifest.self, from: data).images
  }()

  func testManifestCoversEveryFormatAndCase() {
    let files = Set(Self.manifest.map(\.file))
    for expected in [
      "png_rgb.png", "png_rgba.png", "png_gray.png", "png_gray_alpha.png", "png_palette.png", "png_palette_trns.png",
      "png_1bit.png", "png_rgb16.png", "png_gray16.png", "png_interlaced.png", "jpeg_420.jpg", "jpeg_cmyk.jpg",
      "jpeg_gray.jpg", "jpeg_progressive.jpg", "webp_lossy.webp", "webp_lossless.webp", "bmp_rgb.bmp", "tiff_rgb.tif",
      "gif_palette.gif",
    ] {
      XCTAssertTrue(files.contains(expected), "fixture \(expected) missing: rerun Scripts/make_media_fixtures.py")
    }
    XCTAssertEqual(Self.manifest.filter { $0.file.hasPrefix("jpeg_orient") }.count, 8)
  }

  /// Every format (PNG, JPEG, WebP, BMP, TIFF, GIF, PPM) equals PIL's convert("RGB") byte for byte: JPEG, TIFF
  /// and WebP are decoded by the libraries Pillow uses. (ImageCorpusTests covers every variant.)
  func testEveryFixtureEqualsPILExactly() throws {
    let exact = Self.manifest.filter { $0.compare == "exact" }
    XCTAssertEqual(exact.count, Self.manifest.count)
    XCTAssertGreaterThanOrEqual(exact.count, 30)
    for entry in exact {
      let image = try ImageLoader.load(path: Fixtures.path(entry.file))
      XCTAssertEqual(image.width, entry.width, entry.file)
      XCTAssertEqual(image.height, entry.height, entry.file)
      let reference = try Fixtures.bytes(entry.reference)
      if image.pixels != reference {
        XCTFail("\(entry.file): pixels differ from PIL (mean abs diff \(Metrics.meanAbsDiff(image.pixels, reference)))")
      }
    }
  }

  func testEXIFOrientationIsAppliedLikePIL() throws {
    let upright = try ImageLoader.loadDetailed(path: Fixtures.path("jpeg_orient1.jpg"))
    XCTAssertEqual(upright.exifOrientation, 1)
    for o in 1...8 {
      let decoded = try ImageLoader.loadDetailed(path: Fixtures.path("jpeg_orient\(o).jpg"))
      XCTAssertEqual(decoded.exifOrientation, o)
      XCTAssertEqual(decoded.storedWidth, 24)
      XCTAssertEqual(decoded.storedHeight, 16)
      // 5...8 swap width and height.
      XCTAssertEqual(decoded.image.width, o >= 5 ? 16 : 24, "orientation \(o)")
      XCTAssertEqual(decoded.image.height, o >= 5 ? 24 : 16, "orientation \(o)")
      XCTAssertEqual(decoded.image.pixels, try Fixtures.bytes("jpeg_orient\(o).rgb"), "orientation \(o)")
    }
    // The same photo data, stored sideways with orientation 6, comes out as upright's 90-degree clockwise turn.
    let turned = try ImageLoader.load(path: Fixtures.path("jpeg_orient6.jpg"))
    let (r, g, b) = upright.image[0, upright.image.height - 1]
    let (r2, g2, b2) = turned[0, 0]
    XCTAssertEqual(Double(r), Double(r2), accuracy: 2)
    XCTAssertEqual(Double(g), Double(g2), accuracy: 2)
    XCTAssertEqual(Double(b), Double(b2), accuracy: 2)
  }

  func testPNGWithEXIFOrientationIsRotated() throws {
    let decoded = try ImageLoader.loadDetailed(path: Fixtures.path("png_exif_orient6.png"))
    XCTAssertEqual(decoded.exifOrientation, 6)
    XCTAssertEqual(decoded.image.width, 23)
    XCTAssertEqual(decoded.image.height, 37)
  }

  func testFormatIsDetectedFromContentNotExtension() throws {
    let decoded = try ImageLoader.loadDetailed(path: Fixtures.path("png_named.jpg"))
    XCTAssertEqual(decoded.format, "PNG")
    XCTAssertEqual(try ImageLoader.loadDetailed(path: Fixtures.path("jpeg_420.jpg")).format, "JPEG")
    XCTAssertEqual(try ImageLoader.loadDetailed(path: Fixtures.path("webp_lossy.webp")).format, "WebP")
    // And from memory, with no name at all.
    let fromMemory = try ImageLoader.loadDetailed(bytes: try Fixtures.bytes("tiff_rgb.tif"), name: "<memory>")
    XCTAssertEqual(fromMemory.format, "TIFF")
    XCTAssertEqual(fromMemory.image.pixels, try Fixtures.bytes("tiff_rgb.rgb"))
  }

  func testAlphaIsDiscardedNotComposited() throws {
    // png_rgba.png stores the RGB of png_rgb.png with alpha from 0 to 255: the RGB must come through untouched.
    let rgba = try ImageLoader.load(path: Fixtures.path("png_rgba.png"))
    let rgb = try ImageLoader.load(path: Fixtures.path("png_rgb.png"))
    XCTAssertEqual(rgba.pixels, rgb.pixels)
  }
}
