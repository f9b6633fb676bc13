// Input images as 8-bit RGB, the way diffusers' load_image sees them: decoded by the libraries Pillow uses.
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
  /// Notes that go with the picture, nil when there are none: damage the decoder reported while still producing
  /// it, 16-bit gray values clipped (as Pillow does), the frames or pages after the first that were left out.
  public let warning: String?
}

/// An input image as its header describes it (see `ImageLoader.probe`).
public struct ImageHeader: Sendable, Equatable {
  /// Size after the EXIF orientation, as the decoded picture will have it.
  public let width: Int
  public let height: Int
  public let exifOrientation: Int
}

/// Loads input images like `diffusers.utils.load_image` (PIL `exif_transpose` + `convert("RGB")`):
///
/// - The format is detected from the content; the extension is ignored.
/// - Pixels equal Pillow's: PNG through libpng, JPEG through libjpeg-turbo (Pillow's settings), TIFF through
///   libtiff, WebP through libwebp, GIF through giflib composed as Pillow composes it, BMP as Pillow's
///   BmpImagePlugin reads it; PPM and QOI through FFmpeg. Scripts/make_image_corpus.py's corpus checks it file by file.
/// - The orientation is applied from wherever Pillow's `exif_transpose` finds it: EXIF (JPEG, PNG eXIf, WebP,
///   TIFF), PNG "Raw profile type exif" text chunks, XMP `tiff:Orientation`.
/// - Grayscale, palette, 16-bit, CMYK and premultiplied-alpha images become RGB as Pillow converts them:
///   16-bit colour keeps its high byte, 16-bit gray is clipped at 255 like Pillow (with a warning).
/// - Alpha is **discarded, not composited**: a transparent pixel keeps whatever colour it stores, exactly as
///   PIL's `convert("RGB")` does. Flatten transparent images yourself if their hidden colours are garbage.
/// - Animations (GIF, WebP, APNG), MPO and multi-page TIFFs give their first frame or page, with a warning.
/// - Damage a decoder reports while still producing a picture comes back as a warning; what Pillow refuses
///   (truncated files, layouts it cannot read) is refused with a message naming the problem.
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

  /// The size and orientation `loadDetailed` would find, read from the header and metadata without
  /// decoding pixels (milliseconds for any size), and the errors the header already shows. nil when only a decode
  /// can tell (a few formats FFmpeg reads); damage past the header shows only in `loadDetailed`.
  public static func probe(path: String, maxPixels: Int = defaultMaxPixels) throws -> ImageHeader? {
    var result = cm_image()
    var known: Int32 = 0
    var err = CErrorBuffer()
    let status = err.call { cm_image_probe_file(path, Int64(maxPixels), &result, &known, $0, $1) }
    guard status == Int32(CM_OK.rawValue) else {
      throw mediaError(status: status, detail: err.message, path: path, role: .input)
    }
    guard known != 0 else { return nil }
    return ImageHeader(width: Int(result.width), height: Int(result.height), exifOrientation: Int(result.orientation))
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
