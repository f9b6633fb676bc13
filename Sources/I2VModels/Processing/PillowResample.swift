/// Pillow's resampling filters used by the pipeline.
public enum PillowFilter: Sendable {
  /// `PIL.Image.BOX` (Pillow ≥ 7: the box is `(−0.5, 0.5]`, support 0.5).
  case box
  /// `PIL.Image.BILINEAR`: the antialiasing triangle filter, support 1.
  case bilinear

  var support: Double { self == .box ? 0.5 : 1.0 }

  func weight(_ x: Double) -> Double {
    switch self {
    case .box:
      return x > -0.5 && x <= 0.5 ? 1.0 : 0.0
    case .bilinear:
      let a = x < 0 ? -x : x
      return a < 1.0 ? 1.0 - a : 0.0
    }
  }
}

/// Bit-exact `Image.resize(size, filter)` for 8-bit RGB (Pillow's `Resample.c`, spec §1.12):
/// per-axis coefficients in double, normalised, converted to 22-bit fixed point; a horizontal pass
/// (only over the source rows the vertical pass reads) into a uint8 image, then a vertical pass.
public enum PillowResample {
  static let precisionBits = 22

  /// Per-output-pixel source window and fixed-point weights along one axis.
  struct Coefficients {
    var starts: [Int]
    var counts: [Int]
    /// `ksize` weights per output pixel (only the first `counts[i]` are used).
    var weights: [Int32]
    var ksize: Int
  }

  public static func resize(_ image: RGB8Image, width: Int, height: Int, filter: PillowFilter) -> RGB8Image {
    precondition(width > 0 && height > 0, "resize to an empty size")
    // `Image.resize` returns a copy when the size does not change.
    if width == image.width && height == image.height { return image }
    let horizontal = coefficients(inSize: image.width, outSize: width, filter: filter)
    var vertical = coefficients(inSize: image.height, outSize: height, filter: filter)
    var source = image
    if width != image.width {
      // Only rows first..<last of the source feed the vertical pass.
      let first = vertical.starts[0]
      let last = vertical.starts[height - 1] + vertical.counts[height - 1]
      for i in 0..<height { vertical.starts[i] -= first }
      source = resampleHorizontal(image, rows: first..<last, horizontal)
    }
    if height != image.height {
      source = resampleVertical(source, vertical)
    }
    return source
  }

  /// `precompute_coeffs` + `normalize_coeffs_8bpc` for the whole axis (box `0…inSize`).
  static func coefficients(inSize: Int, outSize: Int, filter: PillowFilter) -> Coefficients {
    let scale = Double(inSize) / Double(outSize)
    let filterScale = max(scale, 1.0)
    let support = filter.support * filterScale
    let ksize = Int(support.rounded(.up)) * 2 + 1
    // Pillow multiplies by the reciprocal rather than dividing by the scale; keep that rounding.
    let ss = 1.0 / filterScale
    var starts = [Int](repeating: 0, count: outSize)
    var counts = [Int](repeating: 0, count: outSize)
    var weights = [Int32](repeating: 0, count: outSize * ksize)
    var k = [Double](repeating: 0, count: ksize)
    for xx in 0..<outSize {
      let center = (Double(xx) + 0.5) * scale
      // C `(int)` casts truncate toward zero.
      let xmin = max(0, Int((center - support + 0.5).rounded(.towardZero)))
      let xmax = min(inSize, Int((center + support + 0.5).rounded(.towardZero))) - xmin
      var total = 0.0
      for x in 0..<xmax {
        let w = filter.weight((Double(x + xmin) - center + 0.5) * ss)
        k[x] = w
        total += w
      }
      for x in 0..<xmax {
        if total != 0.0 { k[x] /= total }
        let scaled = k[x] * Double(1 << precisionBits)
        weights[xx * ksize + x] = Int32((k[x] < 0 ? -0.5 + scaled : 0.5 + scaled).rounded(.towardZero))
      }
      starts[xx] = xmin
      counts[xx] = max(0, xmax)
    }
    return Coefficients(starts: starts, counts: counts, weights: weights, ksize: ksize)
  }

  /// `clip8`: the accumulator (with its rounding half added) shifted back to 0…255.
  @inline(__always)
  static func clip8(_ acc: Int32) -> UInt8 {
    if acc >= Int32(1) << (precisionBits + 8) { return 255 }
    if acc <= 0 { return 0 }
    return UInt8(truncatingIfNeeded: acc >> Int32(precisionBits))
  }

  static func resampleHorizontal(_ image: RGB8Image, rows: Range<Int>, _ c: Coefficients) -> RGB8Image {
    let outWidth = c.starts.count
    var out = RGB8Image(width: outWidth, height: rows.count)
    let half = Int32(1) << Int32(precisionBits - 1)
    image.pixels.withUnsafeBufferPointer { src in
      c.weights.withUnsafeBufferPointer { kk in
        out.pixels.withUnsafeMutableBufferPointer { dst in
          for (oy, sy) in rows.enumerated() {
            let srcRow = sy * image.width * 3
            let dstRow = oy * outWidth * 3
            for xx in 0..<outWidth {
              let start = c.starts[xx]
              let k = xx * c.ksize
              var s0 = half, s1 = half, s2 = half
              for x in 0..<c.counts[xx] {
                let p = srcRow + (start + x) * 3
                let w = kk[k + x]
                s0 = s0 &+ Int32(src[p]) &* w
                s1 = s1 &+ Int32(src[p + 1]) &* w
                s2 = s2 &+ Int32(src[p + 2]) &* w
              }
              dst[dstRow + xx * 3] = clip8(s0)
              dst[dstRow + xx * 3 + 1] = clip8(s1)
              dst[dstRow + xx * 3 + 2] = clip8(s2)
            }
          }
        }
      }
    }
    return out
  }

  static func resampleVertical(_ image: RGB8Image, _ c: Coefficients) -> RGB8Image {
    let outHeight = c.starts.count
    let rowBytes = image.width * 3
    var out = RGB8Image(width: image.width, height: outHeight)
    let half = Int32(1) << Int32(precisionBits - 1)
    image.pixels.withUnsafeBufferPointer { src in
      c.weights.withUnsafeBufferPointer { kk in
        out.pixels.withUnsafeMutableBufferPointer { dst in
          for yy in 0..<outHeight {
            let start = c.starts[yy]
            let count = c.counts[yy]
            let k = yy * c.ksize
            for i in 0..<rowBytes {
              var s = half
              for y in 0..<count {
                s = s &+ Int32(src[(start + y) * rowBytes + i]) &* kk[k + y]
              }
              dst[yy * rowBytes + i] = clip8(s)
            }
          }
        }
      }
    }
    return out
  }
}
