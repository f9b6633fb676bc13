/// An 8-bit RGB image: `width * height * 3` bytes, row-major, top row first, no row padding.
///
/// This is what every loader returns, every writer takes and the model's preprocessing works on (Pillow's "RGB"
/// layout); there is no alpha channel anywhere in i2v (inputs with alpha have it discarded on load, see
/// `ImageLoader`).
public struct RGBImage: Equatable, Sendable {
  public let width: Int
  public let height: Int
  /// `width * height * 3` bytes: R, G, B for (0, 0), then (1, 0), ...
  public var pixels: [UInt8]

  /// Throws `RGBImageError` when the size is not positive or the byte count does not match it.
  public init(width: Int, height: Int, pixels: [UInt8]) throws {
    guard width > 0, height > 0, width.multipliedReportingOverflow(by: height).overflow == false,
      pixels.count == width * height * 3
    else {
      throw RGBImageError(
        "an RGB image of \(width)x\(height) needs \(max(0, width) * max(0, height) * 3) bytes, got \(pixels.count)")
    }
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// A uniformly coloured image (black by default); an empty size is allowed (an empty crop).
  public init(width: Int, height: Int, red: UInt8 = 0, green: UInt8 = 0, blue: UInt8 = 0) {
    precondition(width >= 0 && height >= 0, "RGBImage size must not be negative")
    self.width = width
    self.height = height
    var bytes = [UInt8](repeating: 0, count: width * height * 3)
    for i in stride(from: 0, to: bytes.count, by: 3) {
      bytes[i] = red
      bytes[i + 1] = green
      bytes[i + 2] = blue
    }
    self.pixels = bytes
  }

  /// Sizes already validated by the caller (decoders, resamplers).
  public init(unchecked width: Int, _ height: Int, _ pixels: [UInt8]) {
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  public var pixelCount: Int { width * height }

  /// The (r, g, b) at column `x`, row `y`.
  public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
    let i = (y * width + x) * 3
    return (pixels[i], pixels[i + 1], pixels[i + 2])
  }

  /// Pillow's `Image.crop((x, y, x + width, y + height))`: the window may extend past the image; pixels outside
  /// it are black (0).
  public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> RGBImage {
    var out = RGBImage(width: w, height: h)
    let x0 = max(x, 0)
    let x1 = min(x + w, width)
    guard x1 > x0 else { return out }
    for oy in 0..<h {
      let sy = y + oy
      guard sy >= 0 && sy < height else { continue }
      let src = (sy * width + x0) * 3
      let dst = (oy * w + (x0 - x)) * 3
      out.pixels.replaceSubrange(dst..<(dst + (x1 - x0) * 3), with: pixels[src..<(src + (x1 - x0) * 3)])
    }
    return out
  }
}

/// An image whose size and bytes do not agree.
public struct RGBImageError: Error, CustomStringConvertible, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
