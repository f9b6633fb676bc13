// The input-image corpus (Scripts/make_image_corpus.py): every mode, compression, tiling, fill order, orientation
// place, premultiplication, frame count and damage class, each decoded and compared with what Pillow (so
// diffusers' load_image) makes of it, byte for byte. The expectations are committed: no Python needed here.
import Foundation
import XCTest

@testable import I2VMedia

final class ImageCorpusTests: XCTestCase {
  struct Entry: Decodable {
    let file: String
    let expect: String          // "pixels" or "refused"
    let width: Int?
    let height: Int?
    let warnings: [String]?     // substrings the warning must contain; none: no warning at all
    let status: String?         // refusals: "unsupported" or "corrupt"
    let message: String?        // refusals: a substring of the message
    let why: String
  }

  struct Manifest: Decodable {
    let pillow: String
    let images: [Entry]
  }

  static let folder: String = {
    URL(fileURLWithPath: Fixtures.media).deletingLastPathComponent().appendingPathComponent("corpus").path
  }()

  static let manifest: Manifest = {
    let data = try! Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json"))
    return try! JSONDecoder().decode(Manifest.self, from: data)
  }()

  func testCorpusCoversEveryCaseOfTheIssue() {
    let names = Self.manifest.images.map(\.file)
    XCTAssertGreaterThanOrEqual(names.count, 150)
    // One or more files per case: if the script stops making one, this says which.
    for needle in [
      "tiff_rgb_tiled", "tiff_jpeg_ycbcr", "tiff_jpeg_tiled", "tiff_gray2_fill2", "tiff_gray4_fill2_lzw",
      "tiff_rgba_premultiplied", "tiff_rgba16_premultiplied", "tiff_palette_alpha", "tiff_cmyk16", "_bigtiff",
      "tiff_gray16", "tiff_gray12", "tiff_rgb_separate", "tiff_ycbcr_raw", "tiff_multipage", "tiff_xmp_orient",
      "jpeg_cmyk", "jpeg_stray_bytes", "jpeg_xmp_orient6_attribute", "jpeg_xmp_orient6_element", "jpeg_orient8",
      "jpeg_arithmetic", "bad_jpeg_damaged", "bad_jpeg_truncated", "png_rawprofile_text", "png_rawprofile_ztxt",
      "png_xmp_orient3_element", "png_exif_after_idat", "png_gray16", "apng", "webp_animated", "webp_xmp_orient8",
      "gif_animated", "gif_transparent", "gif_screen_larger", "bad_gif_truncated", "bmp_v2_", "bmp_v3_", "bmp_rle8",
      "bmp_rgb565", "bmp_planes3", "dib_rgb24", "bad_bmp_rle_overflow", "bad_bmp_rle_short", "jpeg_ycck",
      "pgm_gray16", "bad_jpeg_12bit", "bad_jpeg_sof3", "jpeg_mpo",
    ] {
      XCTAssertTrue(names.contains { $0.contains(needle) }, "no corpus file for \(needle)")
    }
  }

  /// Every file Pillow reads decodes to Pillow's pixels exactly, with exactly the expected notes.
  func testEveryImageEqualsPillowExactly() throws {
    let cases = Self.manifest.images.filter { $0.expect == "pixels" }
    XCTAssertGreaterThanOrEqual(cases.count, 140)
    var failures: [String] = []
    for entry in cases {
      let path = Self.folder + "/" + entry.file
      let decoded: DecodedImage
      do {
        decoded = try ImageLoader.loadDetailed(path: path)
      } catch {
        failures.append("\(entry.file) (\(entry.why)): refused: \(error)")
        continue
      }
      let expected = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path + ".rgb")))
      if decoded.image.width != entry.width || decoded.image.height != entry.height {
        failures.append("\(entry.file): \(decoded.image.width)x\(decoded.image.height), Pillow "
          + "\(entry.width ?? 0)x\(entry.height ?? 0)")
      } else if decoded.image.pixels != expected {
        let diffs = zip(decoded.image.pixels, expected).filter { $0 != $1 }.count
        failures.append("\(entry.file) (\(entry.why)): \(diffs) of \(expected.count) bytes differ from Pillow, "
          + "mean abs diff \(Metrics.meanAbsDiff(decoded.image.pixels, expected))")
      }
      let wanted = entry.warnings ?? []
      if wanted.isEmpty, let warning = decoded.warning {
        failures.append("\(entry.file): unexpected warning: \(warning)")
      }
      for piece in wanted where !(decoded.warning ?? "").contains(piece) {
        failures.append("\(entry.file): the warning should say '\(piece)', got: \(decoded.warning ?? "none")")
      }
    }
    XCTAssertTrue(failures.isEmpty, "\(failures.count) of \(cases.count) differ (Pillow \(Self.manifest.pillow)):\n"
      + failures.joined(separator: "\n"))
  }

  /// What Pillow refuses (and the few stated exceptions) is refused with a message naming the problem and the file.
  func testRefusalsNameTheProblem() {
    let cases = Self.manifest.images.filter { $0.expect == "refused" }
    XCTAssertGreaterThanOrEqual(cases.count, 8)
    for entry in cases {
      let path = Self.folder + "/" + entry.file
      do {
        _ = try ImageLoader.load(path: path)
        XCTFail("\(entry.file) (\(entry.why)) decoded; it should be refused")
      } catch let error as MediaError {
        switch (entry.status, error) {
        case ("unsupported", .unsupportedFormat), ("corrupt", .corrupt): break
        default: XCTFail("\(entry.file): expected a '\(entry.status ?? "")' refusal, got: \(error)")
        }
        XCTAssertTrue(error.description.contains(entry.message ?? "?"),
                      "\(entry.file): the message should say '\(entry.message ?? "")': \(error)")
        XCTAssertTrue(error.description.contains(entry.file), "\(error)")
      } catch {
        XCTFail("\(entry.file): \(error)")
      }
    }
  }

  /// The orientation is reported as applied, from wherever it was found (EXIF, PNG text chunks, XMP, TIFF tag).
  func testOrientationSourcesAreReported() throws {
    for (file, orientation) in [
      ("jpeg_xmp_orient6_element.jpg", 6), ("jpeg_exif_notag_xmp8.jpg", 8), ("jpeg_exif1_xmp6.jpg", 1),
      ("png_rawprofile_itxt.png", 8), ("png_xmp_orient3_attribute.png", 3), ("png_exif_after_idat.png", 3),
      ("webp_xmp_orient8.webp", 8), ("tiff_xmp_orient6.tif", 6), ("tiff_orient6_bigtiff.tif", 6),
    ] {
      let decoded = try ImageLoader.loadDetailed(path: Self.folder + "/" + file)
      XCTAssertEqual(decoded.exifOrientation, orientation, file)
      let swapped = orientation >= 5
      XCTAssertEqual(decoded.image.width, swapped ? decoded.storedHeight : decoded.storedWidth, file)
    }
  }

  /// The header probe (batch triage) agrees with Pillow's size and orientation for every file it can settle, and
  /// settles nearly all of them: the size checks of a batch run on headers, the pixels are decoded once, at run time.
  func testProbeAgreesWithTheDecodeWithoutDecoding() throws {
    var settled = 0, failures: [String] = []
    let cases = Self.manifest.images.filter { $0.expect == "pixels" }
    for entry in cases {
      let path = Self.folder + "/" + entry.file
      guard let header = try ImageLoader.probe(path: path) else { continue }
      settled += 1
      let decoded = try ImageLoader.loadDetailed(path: path)
      if header.width != entry.width || header.height != entry.height
        || header.exifOrientation != decoded.exifOrientation
      {
        failures.append("\(entry.file): probe \(header.width)x\(header.height) orientation \(header.exifOrientation); "
          + "decode \(entry.width ?? 0)x\(entry.height ?? 0) orientation \(decoded.exifOrientation)")
      }
    }
    XCTAssertTrue(failures.isEmpty, failures.joined(separator: "\n"))
    XCTAssertGreaterThanOrEqual(settled, cases.count * 9 / 10, "the probe settles \(settled) of \(cases.count)")
    // What the header already shows is refused by the probe as by the decode: too many pixels, not an image.
    XCTAssertThrowsError(try ImageLoader.probe(path: Self.folder + "/" + "jpeg_orient8.jpg", maxPixels: 10))
    let text = NSTemporaryDirectory() + "/i2v-probe-\(getpid()).png"
    try Data("this is not an image".utf8).write(to: URL(fileURLWithPath: text))
    defer { try? FileManager.default.removeItem(atPath: text) }
    XCTAssertThrowsError(try ImageLoader.probe(path: text)) { XCTAssertTrue("\($0)".contains(text), "\($0)") }
  }
}
