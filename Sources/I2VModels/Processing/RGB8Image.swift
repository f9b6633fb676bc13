/// An 8-bit RGB image, rows top to bottom, pixels interleaved `R G B` (Pillow's "RGB" mode layout).
/// Kept local to the preprocessing code so it does not depend on how images are decoded.
public struct RGB8Image: Sendable, Equatable {
  public var width: Int
  public var height: Int
  /// `width * height * 3` bytes.
  public var pixels: [UInt8]

  public init(width: Int, height: Int, pixels: [UInt8]) {
    precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3, "RGB8Image: size mismatch")
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// An all-black image.
  public init(width: Int, height: Int) {
    self.init(width: width, height: height, pixels: [UInt8](repeating: 0, count: width * height * 3))
  }

  /// Pillow's `Image.crop((x, y, x + width, y + height))`: the window may extend past the image;
  /// pixels outside it are black (0).
  public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> RGB8Image {
    var out = RGB8Image(width: w, height: h)
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
