/// An 8-bit RGB image: `width * height * 3` bytes, row-major, top row first, no row padding.
///
/// This is what every loader returns and every writer takes; there is no alpha channel anywhere in i2v
/// (inputs with alpha have it discarded on load, see `ImageLoader`).
public struct RGBImage: Equatable, Sendable {
  public let width: Int
  public let height: Int
  /// `width * height * 3` bytes: R, G, B for (0, 0), then (1, 0), ...
  public var pixels: [UInt8]

  /// Throws `MediaError.invalidFrames` when the byte count does not match the size.
  public init(width: Int, height: Int, pixels: [UInt8]) throws {
    guard width > 0, height > 0, width.multipliedReportingOverflow(by: height).overflow == false,
      pixels.count == width * height * 3
    else {
      throw MediaError.invalidFrames(
        reason: "an RGB image of \(width)x\(height) needs \(max(0, width) * max(0, height) * 3) bytes, got \(pixels.count)")
    }
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// A uniformly coloured image.
  public init(width: Int, height: Int, red: UInt8 = 0, green: UInt8 = 0, blue: UInt8 = 0) {
    precondition(width > 0 && height > 0, "RGBImage size must be positive")
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

  /// Internal: sizes already validated by the caller (decoders).
  init(unchecked width: Int, _ height: Int, _ pixels: [UInt8]) {
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
}
