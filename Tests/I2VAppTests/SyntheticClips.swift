import I2VImage

/// Deterministic clips whose motion is known, for the motion measures and verdicts: a window moving over a
/// picture of coloured shapes (edges and corners everywhere, as optical flow needs), still, panning smoothly,
/// panning with random jumps, flickering, blurred, softening, or cutting to another picture.
enum SyntheticClips {
  static let width = 192, height = 112, frames = 16, fps = 8.0

  /// A small, seeded generator (SplitMix64), so every run draws the same clips.
  struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
      range.lowerBound + Double(next() >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
  }

  /// A 400x260 picture: a soft gradient under 90 rectangles and ellipses of random colours.
  static func picture(seed: UInt64) -> RGBImage {
    let w = 400, h = 260
    var rng = Random(state: seed)
    var px = [UInt8](repeating: 0, count: w * h * 3)
    for y in 0..<h {
      for x in 0..<w {
        let i = (y * w + x) * 3
        // The gradient's direction changes with the seed, so two pictures differ everywhere.
        let (u, v) = seed % 2 == 1 ? (x * 255 / w, y * 255 / h) : (y * 255 / h, 255 - x * 255 / w)
        px[i] = UInt8(40 + 120 * u / 255)
        px[i + 1] = UInt8(60 + 100 * v / 255)
        px[i + 2] = UInt8(140 - 60 * u / 255)
      }
    }
    for _ in 0..<90 {
      let cx = rng.int(0...(w - 1)), cy = rng.int(0...(h - 1)), rx = rng.int(4...28), ry = rng.int(4...28)
      let colour = [UInt8(rng.int(0...255)), UInt8(rng.int(0...255)), UInt8(rng.int(0...255))]
      let ellipse = rng.int(0...1) == 1
      for y in max(0, cy - ry)...min(h - 1, cy + ry) {
        for x in max(0, cx - rx)...min(w - 1, cx + rx) {
          let dx = Double(x - cx) / Double(rx), dy = Double(y - cy) / Double(ry)
          if ellipse && dx * dx + dy * dy > 1 { continue }
          let i = (y * w + x) * 3
          px[i] = colour[0]
          px[i + 1] = colour[1]
          px[i + 2] = colour[2]
        }
      }
    }
    return RGBImage(unchecked: w, h, px)
  }

  /// The clip-sized window of `picture` whose top-left corner is at (x, y), bilinear between pixels.
  static func window(_ picture: RGBImage, x: Double, y: Double) -> RGBImage {
    var out = [UInt8](repeating: 0, count: width * height * 3)
    let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
    let fx = x - Double(x0), fy = y - Double(y0)
    for r in 0..<height {
      for c in 0..<width {
        let sx = min(picture.width - 2, x0 + c), sy = min(picture.height - 2, y0 + r)
        for k in 0..<3 {
          let p = { (xx: Int, yy: Int) in Double(picture.pixels[(yy * picture.width + xx) * 3 + k]) }
          let top = p(sx, sy) * (1 - fx) + p(sx + 1, sy) * fx
          let bottom = p(sx, sy + 1) * (1 - fx) + p(sx + 1, sy + 1) * fx
          out[(r * width + c) * 3 + k] = UInt8((top * (1 - fy) + bottom * fy).rounded())
        }
      }
    }
    return RGBImage(unchecked: width, height, out)
  }

  /// A pan of `speed` pixels per frame to the right and half that downwards, starting at (start, start).
  static func pan(speed: Double = 2, frames n: Int = frames, seed: UInt64 = 1, start: Double = 20) -> [RGBImage] {
    let p = picture(seed: seed)
    return (0..<n).map { t in window(p, x: start + speed * Double(t), y: start + speed / 2 * Double(t)) }
  }

  static func still() -> [RGBImage] { pan(speed: 0) }

  /// The pan with every frame displaced by a random whole number of pixels, up to `amplitude` in x and y.
  static func jumps(amplitude: Int = 3, seed: UInt64 = 7) -> [RGBImage] {
    let p = picture(seed: 1)
    var rng = Random(state: seed)
    return (0..<frames).map { t in
      window(p, x: 20 + 2 * Double(t) + Double(rng.int(-amplitude...amplitude)),
             y: 20 + Double(t) + Double(rng.int(-amplitude...amplitude)))
    }
  }

  /// The pan with each frame's brightness raised or lowered by `amplitude` levels in turn.
  static func flicker(amplitude: Int = 12) -> [RGBImage] {
    pan().enumerated().map { t, f in
      let d = t % 2 == 0 ? amplitude : -amplitude
      return RGBImage(unchecked: f.width, f.height, f.pixels.map { UInt8(max(0, min(255, Int($0) + d))) })
    }
  }

  /// The pan, every frame blurred by `passes` 3x3 box blurs.
  static func blurred(passes: Int = 3) -> [RGBImage] { pan().map { blur($0, passes: passes) } }

  /// The pan getting softer at its end: frames 10-12 blurred by one pass, 13-15 by two.
  static func softening() -> [RGBImage] { pan().enumerated().map { t, f in blur(f, passes: t < 10 ? 0 : t < 13 ? 1 : 2) } }

  /// Eight frames panning over one picture, then eight over another.
  static func cut() -> [RGBImage] { Array(pan(seed: 1).prefix(8)) + Array(pan(seed: 2).prefix(8)) }

  static func blur(_ image: RGBImage, passes: Int) -> RGBImage {
    var px = image.pixels
    let (w, h) = (image.width, image.height)
    for _ in 0..<passes {
      var out = px
      for y in 0..<h {
        for x in 0..<w {
          for k in 0..<3 {
            var sum = 0, n = 0
            for yy in max(0, y - 1)...min(h - 1, y + 1) {
              for xx in max(0, x - 1)...min(w - 1, x + 1) {
                sum += Int(px[(yy * w + xx) * 3 + k])
                n += 1
              }
            }
            out[(y * w + x) * 3 + k] = UInt8((sum + n / 2) / n)
          }
        }
      }
      px = out
    }
    return RGBImage(unchecked: w, h, px)
  }
}
