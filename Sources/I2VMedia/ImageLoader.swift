// Input images: any still image FFmpeg / libpng decode, as 8-bit RGB, the way diffusers' load_image sees it.
import CMedia

/// A decoded input image with what was learned while decoding it.
public struct DecodedImage: Sendable {
  /// The pixels, upright (EXIF orientation applied).
  public let image: RGBImage
  /// The format found from the content (not the extension), e.g. "PNG", "JPEG", "WebP".
  public let format: String
  /// The EXIF orientation that was applied, 1...8 (1 = none).
  public let exifOrientation: Int
  /// Size as stored in the file, before orientation (width and height swap for orientations 5...8).
  public let storedWidth: Int
  public let storedHeight: Int
  /// What the decoder reported while still producing a picture (damaged data), nil when it decoded cleanly.
  public let warning: String?
}

/// Loads input images like `diffusers.utils.load_image` (PIL `exif_transpose` + `convert("RGB")`):
///
/// - The format is detected from the content; the extension is ignored.
/// - EXIF orientation (JPEG, and also PNG eXIf / WebP / TIFF) is applied, so phone photos come out upright.
/// - Grayscale, palette, 16-bit and CMYK images become RGB. 16-bit samples keep their high byte.
/// - Alpha is **discarded, not composited**: a transparent pixel keeps whatever colour it stores, exactly as
///   PIL's `convert("RGB")` does. Flatten transparent images yourself if their hidden colours are garbage.
/// - PNG pixels equal PIL's exactly; JPEG uses libjpeg's IDCT and upsampling and is within 1 level of PIL.
///   Known difference: PIL clips 16-bit grayscale PNGs (mostly to white); we scale them.
/// - Images over `maxPixels` are refused from their header, before any pixel is decoded.
public enum ImageLoader {
  /// 64 Mi pixels (8192 x 8192): larger than any camera photo, small enough to decode safely.
  public static let defaultMaxPixels = 1 << 26

  /// Fails fast, from the file's first bytes, when this build cannot decode its format at all (a build without
  /// FFmpeg, `I2V_MEDIA=png`, reads only PNG). Anything else, including an unreadable file, is left to `load`.
  public static func checkSupported(path: String) throws {
    var err = CErrorBuffer()
    let status = err.call { cm_image_check_file(path, $0, $1) }
    guard status == Int32(CM_OK.rawValue) else {
      throw mediaError(status: status, detail: err.message, path: path, role: .input)
    }
  }

  public static func load(path: String, maxPixels: Int = defaultMaxPixels) throws -> RGBImage {
    try loadDetailed(path: path, maxPixels: maxPixels).image
  }

  public static func loadDetailed(path: String, maxPixels: Int = defaultMaxPixels) throws -> DecodedImage {
    var result = cm_image()
    var err = CErrorBuffer()
    let status = err.call { cm_image_decode_file(path, Int64(maxPixels), &result, $0, $1) }
    return try finish(status: status, result: &result, err: err, name: path)
  }

  /// Decodes an image held in memory; `name` is used in error messages.
  public static func loadDetailed(bytes: [UInt8], name: String, maxPixels: Int = defaultMaxPixels) throws
    -> DecodedImage
  {
    var result = cm_image()
    var err = CErrorBuffer()
    let status = bytes.withUnsafeBufferPointer { buf in
      err.call { cm_image_decode_memory(buf.baseAddress, buf.count, Int64(maxPixels), &result, $0, $1) }
    }
    return try finish(status: status, result: &result, err: err, name: name)
  }

  private static func finish(status: Int32, result: inout cm_image, err: CErrorBuffer, name: String) throws
    -> DecodedImage
  {
    defer { cm_image_release(&result) }
    guard status == Int32(CM_OK.rawValue) else {
      throw mediaError(status: status, detail: err.message, path: name, role: .input)
    }
    let width = Int(result.width), height = Int(result.height)
    let pixels = [UInt8](UnsafeBufferPointer(start: result.pixels, count: width * height * 3))
    return DecodedImage(
      image: RGBImage(unchecked: width, height, pixels),
      format: string(fromCCharTuple: result.format),
      exifOrientation: Int(result.orientation),
      storedWidth: Int(result.source_width),
      storedHeight: Int(result.source_height),
      warning: { let w = string(fromCCharTuple: result.warning); return w.isEmpty ? nil : w }())
  }
}
