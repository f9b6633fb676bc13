import Foundation
import I2VImage

/// The report's flow pictures: each pair's flow as the usual colour wheel (hue = direction, saturation = length,
/// white = still), with one length scale for the whole clip so colours compare between frames, and the wheel
/// itself as the legend.
public enum FlowPictures {
  /// Full colour at the 99th percentile of the clip's flow lengths (so a few wild pixels do not wash out the
  /// rest), but never below 0.25% of the diagonal (so codec noise on a still clip stays white).
  public static func scale(_ flows: MotionAnalyzer.FlowFields, diagonal: Double) -> Double {
    var lengths: [Float] = []
    let total = flows.fields.reduce(0) { $0 + $1.count / 2 }
    let step = max(1, total / 1_000_000)  // a sample of at most about a million lengths
    var k = 0
    for field in flows.fields {
      var i = 0
      while i < field.count / 2 {
        if k % step == 0 { lengths.append((field[2 * i] * field[2 * i] + field[2 * i + 1] * field[2 * i + 1]).squareRoot()) }
        k += 1
        i += 1
      }
    }
    lengths.sort()
    let p99 = lengths.isEmpty ? 0 : Double(lengths[min(lengths.count - 1, Int(Double(lengths.count) * 0.99))])
    return max(p99, 0.0025 * diagonal)
  }

  /// One picture per pair, at the kept fields' size.
  public static func frames(_ flows: MotionAnalyzer.FlowFields, scale: Double) throws -> [RGBImage] {
    try flows.fields.map { try OpticalFlow.colourWheel($0, width: flows.width, height: flows.height, scale: scale) }
  }

  /// The colour wheel as SVG: 36 directions by 4 lengths, coloured by the same code as the pictures (image y
  /// points down, as in the frames: a pixel moving right is red, moving down yellow-green).
  public static func legendSVG(scale: Double, size: Int = 120) throws -> String {
    let sectors = 36, rings = 4
    var field: [Float] = []
    for ring in 0..<rings {
      for s in 0..<sectors {
        let angle = (Double(s) + 0.5) / Double(sectors) * 2 * Double.pi
        let length = (Double(ring) + 0.75) / Double(rings) * scale
        field += [Float(cos(angle) * length), Float(sin(angle) * length)]
      }
    }
    let colours = try OpticalFlow.colourWheel(field, width: sectors, height: rings, scale: scale)
    let c = Double(size) / 2, radius = c - 2
    var out = "<svg class=\"wheel\" viewBox=\"0 0 \(size) \(size)\" width=\"\(size)\" height=\"\(size)\" role=\"img\" "
      + "aria-label=\"flow colour wheel\"><circle cx=\"\(c)\" cy=\"\(c)\" r=\"\(radius)\" fill=\"#fff\"/>"
    for ring in 0..<rings {
      let r0 = radius * Double(ring) / Double(rings), r1 = radius * Double(ring + 1) / Double(rings)
      for s in 0..<sectors {
        let a0 = Double(s) / Double(sectors) * 2 * Double.pi, a1 = Double(s + 1) / Double(sectors) * 2 * Double.pi
        let (r, g, b) = colours[s, ring]
        let p = { (rr: Double, a: Double) in "\(Format.fixed(c + rr * cos(a), 2)),\(Format.fixed(c + rr * sin(a), 2))" }
        out += "<path d=\"M\(p(r0, a0)) L\(p(r1, a0)) A\(Format.fixed(r1, 2)),\(Format.fixed(r1, 2)) 0 0 1 \(p(r1, a1)) "
          + "L\(p(r0, a1)) A\(Format.fixed(r0, 2)),\(Format.fixed(r0, 2)) 0 0 0 \(p(r0, a0))Z\" fill=\"rgb(\(r),\(g),\(b))\" "
          + "stroke=\"rgb(\(r),\(g),\(b))\" stroke-width=\"0.5\"/>"
      }
    }
    out += "<circle cx=\"\(c)\" cy=\"\(c)\" r=\"\(radius)\" fill=\"none\" stroke=\"#ccc\"/></svg>"
    return out
  }
}
