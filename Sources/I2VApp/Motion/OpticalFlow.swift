import CFlow
import I2VImage

/// What went wrong in the optical-flow layer (CFlow): a build without OpenCV, or OpenCV itself failing.
public struct OpticalFlowError: Error, CustomStringConvertible {
  public let description: String
}

/// Dense optical flow between consecutive frames (OpenCV's DIS, preset medium), fed one frame at a time: each
/// frame after the first yields the measures of its pair (`PairFlow`), and, when asked, the pair's flow field at a
/// small size for pictures. Not thread-safe.
final class OpticalFlow {
  /// One pair's raw measures, in the frames' own pixels and 0-255 luma levels (see cflow.h).
  typealias PairFlow = cf_pair

  static var isAvailable: Bool { cf_available() != 0 }
  static var openCVVersion: String { String(cString: cf_opencv_version()) }

  /// The flow is computed on frames reduced to at most this many pixels on their long side: large frames gain
  /// nothing but time (the measures are in frame pixels, scaled back), and similar working sizes keep DIS's
  /// fixed 8-pixel patches comparable between small and large clips.
  static let workingSide = 640

  let width: Int
  let height: Int
  private let handle: OpaquePointer

  init(width: Int, height: Int) throws {
    self.width = width
    self.height = height
    let work = Self.fit(width: width, height: height, side: Self.workingSide, even: false)
    var h: OpaquePointer?
    try Self.check { cf_analyzer_create(Int32(width), Int32(height), Int32(work.width), Int32(work.height), 2, &h, $0, $1) }
    handle = h!
  }

  deinit { cf_analyzer_release(handle) }

  /// `width`×`height` scaled down (never up) to at most `side` on the long side, at least 2×2 (`even`: rounded
  /// to even sides, as the video encoders like them).
  static func fit(width: Int, height: Int, side: Int, even: Bool) -> (width: Int, height: Int) {
    let scale = min(1, Double(side) / Double(max(width, height)))
    func round(_ v: Int) -> Int {
      let s = Double(v) * scale
      let r = even ? 2 * Int((s / 2).rounded()) : Int(s.rounded())
      return max(2, min(v, r))
    }
    return (round(width), round(height))
  }

  /// Adds the next frame; returns its sharpness and, from the second frame on, its pair's measures (with the flow
  /// resized to `flowSize` when given: 2 floats, dx and dy, per pixel).
  func add(_ frame: RGBImage, flowSize: (width: Int, height: Int)? = nil) throws
    -> (sharpness: Double, pair: PairFlow?, flow: [Float]?)
  {
    var sharpness = 0.0, hasPair: Int32 = 0
    var pair = cf_pair()
    var flow = flowSize.map { [Float](repeating: 0, count: $0.width * $0.height * 2) }
    try frame.pixels.withUnsafeBufferPointer { px in
      if var f = flow, let size = flowSize {
        try f.withUnsafeMutableBufferPointer { out in
          try Self.check {
            cf_analyzer_add(handle, px.baseAddress, &sharpness, &hasPair, &pair, out.baseAddress, Int32(size.width),
                            Int32(size.height), $0, $1)
          }
        }
        flow = f
      } else {
        try Self.check { cf_analyzer_add(handle, px.baseAddress, &sharpness, &hasPair, &pair, nil, 0, 0, $0, $1) }
      }
    }
    return (sharpness, hasPair != 0 ? pair : nil, hasPair != 0 ? flow : nil)
  }

  /// The colour-wheel picture of a flow field: hue = direction, saturation = length / `scale`, white = still.
  static func colourWheel(_ flow: [Float], width: Int, height: Int, scale: Double) throws -> RGBImage {
    var rgb = [UInt8](repeating: 0, count: width * height * 3)
    try flow.withUnsafeBufferPointer { f in
      try rgb.withUnsafeMutableBufferPointer { out in
        try check { cf_flow_to_rgb(f.baseAddress, Int32(width), Int32(height), scale, out.baseAddress, $0, $1) }
      }
    }
    return RGBImage(unchecked: width, height, rgb)
  }

  /// Variance of the Laplacian of the image's luma, as `InputImageAdvisor` measures it.
  static func sharpness(_ image: RGBImage) throws -> Double {
    var out = 0.0
    try image.pixels.withUnsafeBufferPointer { px in
      try check { cf_sharpness(px.baseAddress, Int32(image.width), Int32(image.height), &out, $0, $1) }
    }
    return out
  }

  private static func check(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
    var buffer = [CChar](repeating: 0, count: 512)
    let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
    guard status == Int32(CF_OK.rawValue) else {
      let detail = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      throw OpticalFlowError(description: detail.isEmpty ? "optical flow failed" : detail)
    }
  }
}
