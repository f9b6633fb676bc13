import Foundation
import I2VCheckpoint
import XCTest

@testable import I2VModels

/// Pillow-exact resizes, `_center_crop_wide` and the CLIP image branch against the fixtures made by
/// Scripts/make_resize_fixtures.py (Pillow 13.0.0, diffusers 0.33.1), plus real-size checksums.
final class ImagePreprocessingTests: XCTestCase {
  /// One entry of resize.json (decoded with JSONDecoder, which reads decimals exactly).
  struct Case: Decodable {
    let name: String
    let op: String
    let input: String
    let input_size: [Int]
    let output_size: [Int]
    let scale: Double?
    let resized_size: [Int]?
    let crop_origin: [Int]?
    let video_width: Int?
  }

  struct CaseList: Decodable { let cases: [Case] }

  static let fixture: Result<(SafeTensorsFile, [Case]), Error> = Result { try load(FixturePaths.fixture("resize")) }

  /// A folder with resize.safetensors + resize.json in the format of Scripts/make_resize_fixtures.py.
  static func load(_ dir: URL) throws -> (SafeTensorsFile, [Case]) {
    let file = try SafeTensorsFile(path: dir.appendingPathComponent("resize.safetensors").path)
    let json = try Data(contentsOf: dir.appendingPathComponent("resize.json"))
    let list = try JSONDecoder().decode(CaseList.self, from: json)
    return (file, list.cases)
  }

  /// An (H, W, 3) uint8 tensor of the fixture file as an image.
  func image(_ file: SafeTensorsFile, _ name: String) throws -> RGBImage {
    let entry = try XCTUnwrap(file.entry(name), "no tensor \(name)")
    XCTAssertEqual(entry.storage, .U8)
    XCTAssertEqual(entry.shape.count, 3)
    let bytes = file.withBytes(of: entry) { [UInt8]($0) }
    return try RGBImage(width: entry.shape[1], height: entry.shape[0], pixels: bytes)
  }

  func runCases(
    _ ops: Set<String>, fixture: (SafeTensorsFile, [Case])? = nil, _ body: (Case, RGBImage) throws -> RGBImage
  ) throws -> Int {
    let (file, cases) = try fixture ?? Self.fixture.get()
    var count = 0
    for c in cases where ops.contains(c.op) {
      let expected = try image(file, c.name + ".output")
      let actual = try body(c, try image(file, c.input))
      XCTAssertEqual(actual.width, expected.width, c.name)
      XCTAssertEqual(actual.height, expected.height, c.name)
      if actual.pixels != expected.pixels {
        let diffs = zip(actual.pixels, expected.pixels).filter { $0 != $1 }.count
        XCTFail("\(c.name) (\(c.op) \(c.input_size) -> \(c.output_size)): \(diffs) bytes differ")
      }
      count += 1
    }
    return count
  }

  func testPillowBoxAndBilinearMatchFixtures() throws {
    let n = try runCases(["pil_box", "pil_bilinear", "resize_bilinear"]) { c, input in
      PillowResample.resize(
        input, width: c.output_size[0], height: c.output_size[1], filter: c.op == "pil_box" ? .box : .bilinear)
    }
    XCTAssertGreaterThanOrEqual(n, 20)
  }

  /// Optional extra corpus in the fixture format, in the folder named by I2V_RESIZE_EXTRA_DIR.
  func testExtraResizeCorpusIfGiven() throws {
    guard let dir = ProcessInfo.processInfo.environment["I2V_RESIZE_EXTRA_DIR"] else { return }
    let extra = try Self.load(URL(fileURLWithPath: dir))
    let n = try runCases(["pil_box", "pil_bilinear", "center_crop_wide"], fixture: extra) { c, input in
      if c.op == "center_crop_wide" {
        return CenterCropWide.apply(input, targetWidth: c.output_size[0], targetHeight: c.output_size[1])
      }
      return PillowResample.resize(
        input, width: c.output_size[0], height: c.output_size[1], filter: c.op == "pil_box" ? .box : .bilinear)
    }
    print("extra resize corpus: \(n) cases")
  }

  func testCenterCropWideMatchesFixtures() throws {
    let n = try runCases(["center_crop_wide"]) { c, input in
      let plan = CenterCropWide.plan(
        width: input.width, height: input.height, targetWidth: c.output_size[0], targetHeight: c.output_size[1])
      XCTAssertEqual(plan.scale, c.scale, c.name)
      XCTAssertEqual([plan.resizedWidth, plan.resizedHeight], c.resized_size, c.name)
      XCTAssertEqual([plan.cropX, plan.cropY], c.crop_origin, c.name)
      return CenterCropWide.apply(input, targetWidth: c.output_size[0], targetHeight: c.output_size[1])
    }
    XCTAssertGreaterThanOrEqual(n, 8)
  }

  func testCLIPChainMatchesFixtures() throws {
    let n = try runCases(["clip_chain"]) { c, input in
      let pre = CLIPImagePreprocessor(cropWidth: c.output_size[0], cropHeight: c.output_size[1])
      return pre.clipImage(from: input, videoWidth: try XCTUnwrap(c.video_width))
    }
    XCTAssertGreaterThanOrEqual(n, 3)
  }

  /// Spec §1.11's worked examples, including Python's float floor division being one pixel short.
  func testCenterCropWidePlansOfTheSpec() {
    let cases: [((Int, Int), (Int, Int), (Int, Int), (Int, Int))] = [
      ((1280, 720), (1280, 704), (1280, 720), (0, 8)),
      ((1920, 1080), (1280, 704), (1280, 720), (0, 8)),
      ((1024, 576), (1280, 704), (1279, 719), (-1, 7)),
      ((512, 512), (1280, 704), (1279, 1279), (-1, 287)),
      ((800, 600), (1280, 704), (1280, 960), (0, 128)),
      ((1280, 720), (1280, 1280), (2275, 1280), (497, 0)),
      ((1024, 576), (1280, 1280), (2275, 1279), (497, -1)),
    ]
    for (input, target, resized, origin) in cases {
      let p = CenterCropWide.plan(width: input.0, height: input.1, targetWidth: target.0, targetHeight: target.1)
      XCTAssertEqual([p.resizedWidth, p.resizedHeight, p.cropX, p.cropY], [resized.0, resized.1, origin.0, origin.1])
    }
    XCTAssertEqual(pythonFloorDivide(1024, 0.8), 1279)
    XCTAssertEqual(pythonFloorDivide(7, 2), 3)
    XCTAssertEqual(pythonFloorDivide(-7, 2), -4)
  }

  func testCropFillsOutsideWithBlack() {
    let image = RGBImage(unchecked: 2, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    let crop = image.cropped(x: -1, y: 1, width: 3, height: 2)
    XCTAssertEqual(crop.pixels, [0, 0, 0, 7, 8, 9, 10, 11, 12] + [UInt8](repeating: 0, count: 9))
  }

  // MARK: - Real sizes (checksums of Pillow/diffusers output; see the generator notes below)

  /// A deterministic test image: channel c of pixel (x, y) is `(3x² + 7y + xy + 85c + (x ^ y)) & 255`.
  static func synthetic(_ w: Int, _ h: Int) -> RGBImage {
    var pixels = [UInt8](repeating: 0, count: w * h * 3)
    for y in 0..<h {
      for x in 0..<w {
        for c in 0..<3 {
          pixels[(y * w + x) * 3 + c] = UInt8(truncatingIfNeeded: x * x * 3 + y * 7 + x * y + c * 85 + (x ^ y))
        }
      }
    }
    return RGBImage(unchecked: w, h, pixels)
  }

  static func fnv1a<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
      h ^= UInt64(b)
      h = h &* 0x100_0000_01b3
    }
    return h
  }

  static func fnv1a(_ floats: [Float]) -> UInt64 {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(floats.count * 4)
    for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
    return fnv1a(bytes)
  }

  /// Checksums from Pillow 13.0.0 + diffusers 0.33.1 `_center_crop_wide` / `_resize_bilinear` and
  /// transformers' `CLIPImageProcessor` on `synthetic` images at the real model's sizes.
  func testRealSizesMatchPillowChecksums() throws {
    let small = Self.synthetic(1024, 576)
    XCTAssertEqual(
      Self.fnv1a(CenterCropWide.apply(small, targetWidth: 1280, targetHeight: 704).pixels), 0xefde_d3c6_d5fa_c8ec)
    XCTAssertEqual(
      Self.fnv1a(CenterCropWide.apply(Self.synthetic(1920, 1080), targetWidth: 1280, targetHeight: 704).pixels),
      0xce5e_efff_73d2_f3e5)
    XCTAssertEqual(
      Self.fnv1a(PillowResample.resize(Self.synthetic(1919, 1081), width: 1281, height: 721, filter: .box).pixels),
      0x99ed_40fa_0ab9_0219)
    XCTAssertEqual(
      Self.fnv1a(PillowResample.resize(Self.synthetic(300, 200), width: 224, height: 224, filter: .bilinear).pixels),
      0x0087_e3fe_fc0a_3abc)
    let pre = CLIPImagePreprocessor()
    let clip = pre.clipImage(from: small, videoWidth: 1280)
    XCTAssertEqual(Self.fnv1a(clip.pixels), 0xb676_893a_3a3c_8e51)
    let (values, shape) = pre.normalize(clip)
    XCTAssertEqual(shape, [1, 3, 224, 224])
    XCTAssertEqual(Self.fnv1a(values), 0x4951_665f_3fa4_5d11)
  }

  /// Pillow 13 runs the vertical pass first when it shrinks the height and 2·Δw > Δh; these sizes
  /// (checksums from Pillow 13.0.0) fall on both sides of that rule, with both filters.
  func testPassOrderMatchesPillow() throws {
    XCTAssertTrue(PillowResample.verticalFirst(from: (63, 64), to: (64, 63)))
    XCTAssertFalse(PillowResample.verticalFirst(from: (44, 26), to: (33, 4)))  // 2·Δw == Δh: horizontal
    XCTAssertFalse(PillowResample.verticalFirst(from: (40, 40), to: (80, 41)))
    let cases: [((Int, Int, Int, Int), UInt64, UInt64)] = [
      ((63, 64, 64, 63), 0x364d_068a_03e4_eed2, 0x8314_2094_64a1_5275),
      ((40, 72, 39, 17), 0xb914_3e11_180d_135a, 0x90b5_584a_91fc_5375),
      ((35, 9, 72, 3), 0x48f5_22f5_bacd_e28a, 0xcd38_aa21_5af6_ca24),
      ((44, 26, 33, 4), 0xefeb_3507_addc_bd64, 0x7dcc_2dab_54f6_0920),
    ]
    for ((w0, h0, w1, h1), bilinear, box) in cases {
      let image = Self.synthetic(w0, h0)
      XCTAssertEqual(
        Self.fnv1a(PillowResample.resize(image, width: w1, height: h1, filter: .bilinear).pixels), bilinear,
        "bilinear \(w0)x\(h0) -> \(w1)x\(h1)")
      XCTAssertEqual(
        Self.fnv1a(PillowResample.resize(image, width: w1, height: h1, filter: .box).pixels), box,
        "box \(w0)x\(h0) -> \(w1)x\(h1)")
    }
    // A tall image shrunk a little by _center_crop_wide: 130x300 -> BOX 128x295, vertical first.
    XCTAssertEqual(
      Self.fnv1a(CenterCropWide.apply(Self.synthetic(130, 300), targetWidth: 128, targetHeight: 70).pixels),
      0x861d_50c4_a0de_e978)
  }

  // MARK: - Normalisation

  /// Values of transformers' CLIPImageProcessor (pipeline flags) on a 16×16 image holding every byte
  /// value in each channel (channel c of pixel i is `(i + 85c) % 256`).
  func testNormalizationMatchesCLIPImageProcessor() throws {
    var pixels = [UInt8](repeating: 0, count: 16 * 16 * 3)
    for i in 0..<256 {
      for c in 0..<3 { pixels[i * 3 + c] = UInt8((i + 85 * c) % 256) }
    }
    let pre = try CLIPImagePreprocessor(configURL: XCTUnwrap(FixturePaths.preprocessorConfig))
    let (values, shape) = pre.normalize(try RGBImage(width: 16, height: 16, pixels: pixels))
    XCTAssertEqual(shape, [1, 3, 16, 16])
    // NCHW: value of channel c at (y, x) is values[c * 256 + y * 16 + x].
    let spot: [(Int, Int, Int, UInt32)] = [
      (0, 0, 0, 0xbfe5_68dc), (1, 0, 0, 0xbef3_ef86), (2, 0, 0, 0x3f6f_ebc9),
      (0, 15, 15, 0x3ff7_1541), (1, 7, 3, 0x3f9f_ee31), (2, 12, 9, 0x3e1e_cf58),
    ]
    for (c, y, x, bits) in spot {
      XCTAssertEqual(values[c * 256 + y * 16 + x].bitPattern, bits, "channel \(c) at (\(y), \(x))")
    }
    XCTAssertEqual(Self.fnv1a(values), 0x3228_7e43_2dce_2289)
  }

  func testPreprocessorConfigParsing() throws {
    let real = try CLIPImagePreprocessor(configURL: XCTUnwrap(FixturePaths.preprocessorConfig))
    XCTAssertEqual(real, CLIPImagePreprocessor())
    XCTAssertEqual(real.mean, [0.48145466, 0.4578275, 0.40821073].map { Float($0) })

    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-pre-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("preprocessor_config.json")
    try Data(#"{"crop_size": 32, "image_mean": 0.5, "image_std": [0.1, 0.2, 0.3]}"#.utf8).write(to: file)
    let custom = try CLIPImagePreprocessor(featureExtractorDirectory: dir)
    XCTAssertEqual(
      custom, CLIPImagePreprocessor(mean: [0.5, 0.5, 0.5], std: [0.1, 0.2, 0.3], cropWidth: 32, cropHeight: 32))
    try Data(#"{"crop_size": {"height": 20, "width": 30}}"#.utf8).write(to: file)
    XCTAssertEqual(try CLIPImagePreprocessor(configURL: file), CLIPImagePreprocessor(cropWidth: 30, cropHeight: 20))
    try Data(#"{"image_mean": [1, 2]}"#.utf8).write(to: file)
    XCTAssertThrowsError(try CLIPImagePreprocessor(configURL: file))
  }
}
