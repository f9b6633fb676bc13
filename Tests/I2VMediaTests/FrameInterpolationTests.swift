import I2VImage
import I2VMedia
import XCTest

/// minterpolate on a synthetic clip whose in-between frames are known: a square moving right.
final class FrameInterpolationTests: XCTestCase {
  /// A 64x64 grey frame with a 12x12 white square whose left edge is at `x`.
  static func square(at x: Int) -> RGBImage {
    var pixels = [UInt8](repeating: 40, count: 64 * 64 * 3)
    for y in 26..<38 { for c in x..<(x + 12) where c >= 0 && c < 64 { for k in 0..<3 { pixels[(y * 64 + c) * 3 + k] = 230 } } }
    return RGBImage(unchecked: 64, 64, pixels)
  }

  static func mse(_ a: RGBImage, _ b: RGBImage) -> Double {
    zip(a.pixels, b.pixels).reduce(0.0) { $0 + pow(Double($1.0) - Double($1.1), 2) } / Double(a.pixels.count)
  }

  func testMotionInterpolationPlacesTheSquareBetween() throws {
    let clip = (0..<6).map { Self.square(at: 8 + 8 * $0) }
    let out = try FrameInterpolation.interpolate(clip, factor: 2)
    XCTAssertEqual(out.count, 12, "count × factor frames")
    for i in 0..<6 { XCTAssertEqual(out[2 * i], clip[i], "input frame \(i) is kept byte for byte") }
    XCTAssertEqual(out[11], clip[5], "the last frame is held to keep the duration")
    // The frame between 0 and 1 is nearer the true middle (square at 12) than a blend of its neighbours is.
    let truth = Self.square(at: 12)
    let blended = RGBImage(unchecked: 64, 64, zip(clip[0].pixels, clip[1].pixels).map { UInt8((Int($0) + Int($1) + 1) / 2) })
    let interpolated = Self.mse(out[1], truth), cheap = Self.mse(blended, truth)
    XCTAssertLessThan(interpolated, cheap / 2, "motion-compensated MSE \(interpolated) vs blend \(cheap)")
  }

  func testBlendModeCrossFades() throws {
    let clip = [Self.square(at: 8), Self.square(at: 16), Self.square(at: 24)]
    let out = try FrameInterpolation.interpolate(clip, factor: 3, mode: .blend)
    XCTAssertEqual(out.count, 9)
    XCTAssertEqual(out[3], clip[1])
    // A third of the way: mostly frame 0, some of frame 1 (a ghost), not the moved square.
    XCTAssertLessThan(Self.mse(out[1], clip[0]), Self.mse(out[1], clip[1]))
  }

  func testBadArgumentsAreErrors() {
    XCTAssertThrowsError(try FrameInterpolation.interpolate([Self.square(at: 0)], factor: 1))
    XCTAssertThrowsError(try FrameInterpolation.interpolate([], factor: 2))
    XCTAssertThrowsError(try FrameInterpolation.interpolate([Self.square(at: 0), RGBImage(unchecked: 2, 2, [UInt8](repeating: 0, count: 12))], factor: 2))
  }
}
