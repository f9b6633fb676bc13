// Every bad input gets a MediaError that names the file and says what is wrong; nothing crashes.
import Foundation
import XCTest

@testable import I2VMedia

final class BadInputTests: XCTestCase {
  /// A JPEG whose entropy-coded data is damaged still decodes (as Pillow does), but never silently: the
  /// decoder's report comes back as a warning. Every clean fixture decodes without one.
  func testDamagedJPEGDecodesWithAWarning() throws {
    var bytes = try Fixtures.bytes("jpeg_420.jpg")
    let sos = (0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDA }!
    let scan = sos + 2 + (Int(bytes[sos + 2]) << 8 | Int(bytes[sos + 3]))
    let from = scan + (bytes.count - scan) / 3
    for i in from..<(from + 40) where bytes[i] != 0xFF { bytes[i] = 0xFE }
    let damaged = try ImageLoader.loadDetailed(bytes: bytes, name: "damaged.jpg")
    XCTAssertNotNil(damaged.warning)
    XCTAssertTrue(damaged.warning?.contains("JPEG decoder reported damage") ?? false, damaged.warning ?? "")
    let clean = try ImageLoader.loadDetailed(path: Fixtures.path("jpeg_420.jpg"))
    XCTAssertNil(clean.warning)
  }

  func testCleanFixturesDecodeWithoutWarnings() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.media)
      .filter { name in
        // png_gray16.png is clipped as Pillow clips it, with a note saying so (ImageCorpusTests checks the note)
        !name.hasPrefix("bad_") && name != "png_gray16.png" && [".jpg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"].contains { name.hasSuffix($0) }
      }
    XCTAssertGreaterThan(names.count, 10)
    for name in names {
      guard let decoded = try? ImageLoader.loadDetailed(path: Fixtures.path(name)) else { continue }
      XCTAssertNil(decoded.warning, "\(name): \(decoded.warning ?? "")")
    }
  }

  func testMissingFile() {
    let error = assertMediaError(try ImageLoader.load(path: "/nonexistent/photo.jpg")) {
      if case .fileNotFound(let path) = $0 { return path == "/nonexistent/photo.jpg" }
      return false
    }
    XCTAssertTrue(error?.description.contains("/nonexistent/photo.jpg") ?? false)
    XCTAssertTrue(error?.description.contains("does not exist") ?? false)
  }

  func testEmptyFile() throws {
    let scratch = try makeScratch()
    let path = try scratch.write("empty.png", [])
    let error = assertMediaError(try ImageLoader.load(path: path)) {
      if case .emptyFile = $0 { return true }
      return false
    }
    XCTAssertTrue(error?.description.contains("empty.png") ?? false)
  }

  func testDirectoryIsNotAnImage() throws {
    let scratch = try makeScratch()
    assertMediaError(try ImageLoader.load(path: scratch.path)) {
      if case .unreadable(_, let reason) = $0 { return reason.contains("directory") }
      return false
    }
  }

  func testTextFileIsNotAnImage() throws {
    let scratch = try makeScratch()
    let path = try scratch.write("notes.png", Array("just some text, not a picture\n".utf8))
    let error = assertMediaError(try ImageLoader.load(path: path)) {
      if case .notAnImage = $0 { return true }
      return false
    }
    XCTAssertTrue(error?.description.contains("notes.png") ?? false)
  }

  func testAudioFileIsNotAStillImage() throws {
    // A minimal WAV: FFmpeg recognises it, and we say what it is.
    var wav = Array("RIFF".utf8) + [36 + 8, 0, 0, 0] + Array("WAVEfmt ".utf8)
    wav += [16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x80, 0x3e, 0, 0, 2, 0, 16, 0]
    wav += Array("data".utf8) + [8, 0, 0, 0] + [UInt8](repeating: 0, count: 8)
    let scratch = try makeScratch()
    let path = try scratch.write("sound.jpg", wav)
    assertMediaError(try ImageLoader.load(path: path)) {
      if case .notAnImage(_, let reason) = $0 { return reason.contains("WAV") }
      return false
    }
  }

  func testHEICIsReportedUnsupported() throws {
    var heic: [UInt8] = [0, 0, 0, 24] + Array("ftypheic".utf8) + [0, 0, 0, 0] + Array("mif1heic".utf8)
    heic += [UInt8](repeating: 0, count: 64)
    let scratch = try makeScratch()
    let path = try scratch.write("IMG_0001.HEIC", heic)
    let error = assertMediaError(try ImageLoader.load(path: path)) {
      if case .unsupportedFormat(_, let reason) = $0 { return reason.contains("HEIF") }
      return false
    }
    XCTAssertTrue(error?.description.contains("convert it to PNG or JPEG") ?? false)
  }

  func testTruncatedFilesAreCorrupt() throws {
    let scratch = try makeScratch()
    for name in ["png_rgb.png", "png_interlaced.png", "jpeg_420.jpg", "jpeg_progressive.jpg", "webp_lossy.webp",
                 "bmp_rgb.bmp", "tiff_rgb.tif"] {
      let bytes = try Fixtures.bytes(name)
      let path = try scratch.write("cut_" + name, Array(bytes[0..<(bytes.count * 2 / 3)]))
      let error = assertMediaError(try ImageLoader.load(path: path)) {
        if case .corrupt = $0 { return true }
        return false
      }
      XCTAssertTrue(error?.description.contains("cut_" + name) ?? false, "\(name): \(String(describing: error))")
    }
  }

  func testDamagedPNGChecksumIsCorrupt() throws {
    var bytes = try Fixtures.bytes("png_rgb.png")
    bytes[bytes.count / 2] ^= 0x55  // inside IDAT: the CRC no longer matches
    let scratch = try makeScratch()
    let path = try scratch.write("damaged.png", bytes)
    assertMediaError(try ImageLoader.load(path: path)) {
      if case .corrupt = $0 { return true }
      return false
    }
  }

  func testHugeDimensionsAreRefusedFromTheHeader() throws {
    // Both files announce billions of pixels but hold almost no data: refusing them proves the header check
    // (a decoder would fail differently, or try to allocate gigabytes).
    for name in ["bad_huge.png", "bad_huge.jpg"] {
      let error = assertMediaError(try ImageLoader.load(path: Fixtures.path(name))) {
        if case .tooManyPixels = $0 { return true }
        return false
      }
      XCTAssertTrue(error?.description.contains(name) ?? false)
      XCTAssertTrue(error?.description.contains("30000x30000") == true || error?.description.contains("60000x60000") == true)
    }
  }

  func testPixelLimitIsConfigurable() throws {
    // 61x45 = 2745 pixels.
    XCTAssertNoThrow(try ImageLoader.load(path: Fixtures.path("jpeg_420.jpg"), maxPixels: 2745))
    for name in ["jpeg_420.jpg", "png_rgb16.png", "webp_lossy.webp", "bmp_rgb.bmp", "tiff_rgb.tif", "gif_palette.gif"] {
      assertMediaError(try ImageLoader.load(path: Fixtures.path(name), maxPixels: 100)) {
        if case .tooManyPixels = $0 { return true }
        return false
      }
    }
  }

  /// Cut and flipped bytes anywhere in any fixture: an image or a MediaError, never a crash or a hang.
  func testDamagedDataNeverCrashes() throws {
    let names = ["png_rgb.png", "png_palette.png", "jpeg_420.jpg", "jpeg_progressive.jpg", "webp_lossy.webp",
                 "webp_lossless.webp", "bmp_rgb.bmp", "tiff_rgb.tif", "gif_palette.gif", "ppm_rgb.ppm"]
    var generator = SystemRandomNumberGenerator()
    var outcomes = 0
    for name in names {
      let original = try Fixtures.bytes(name)
      for trial in 0..<12 {
        var bytes = original
        if trial % 3 == 0 {
          bytes = Array(bytes[0..<Int.random(in: 1..<bytes.count, using: &generator)])
        } else {
          for _ in 0..<(1 + trial) {
            bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
          }
        }
        do {
          let decoded = try ImageLoader.loadDetailed(bytes: bytes, name: name)
          XCTAssertEqual(decoded.image.pixels.count, decoded.image.width * decoded.image.height * 3)
        } catch is MediaError {
        }
        outcomes += 1
      }
    }
    XCTAssertEqual(outcomes, names.count * 12)
  }
}
