/// Python's float floor division `a // b` (CPython `float_floor_div` → `_float_div_mod`), which is not
/// `floor(a / b)`: e.g. `1024 // 0.8 == 1279.0` while `floor(1024 / 0.8) == 1280.0`.
public func pythonFloorDivide(_ a: Double, _ b: Double) -> Double {
  var mod = a.truncatingRemainder(dividingBy: b)  // C fmod
  var div = (a - mod) / b
  if mod != 0 {
    if (b < 0) != (mod < 0) {
      mod += b
      div -= 1.0
    }
  }
  if div != 0 {
    var floordiv = div.rounded(.down)
    if div - floordiv > 0.5 { floordiv += 1.0 }
    return floordiv
  }
  return (a / b).sign == .minus ? -0.0 : 0.0  // copysign(0, a / b)
}

/// Python's integer floor division `a // b` for `b > 0`.
@inline(__always)
func pythonIntFloorDivide(_ a: Int, _ b: Int) -> Int {
  let q = a / b
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// diffusers' `_center_crop_wide(image, (tw, th))` of the I2VGen-XL pipeline (pipeline_i2vgen_xl.py): scale so the
/// image covers the target (BOX resize to `round(W0 // s) × round(H0 // s)`, Python float floor
/// division, often one pixel short), then crop the centred `tw × th` window, which may start at −1
/// (the row/column outside the image is black).
public enum CenterCropWide {
  public struct Plan: Sendable, Equatable {
    /// `min(W0 / tw, H0 / th)`.
    public let scale: Double
    /// Size after the BOX resize.
    public let resizedWidth: Int
    public let resizedHeight: Int
    /// Top-left corner of the crop window in the resized image (may be −1).
    public let cropX: Int
    public let cropY: Int
  }

  public static func plan(width: Int, height: Int, targetWidth tw: Int, targetHeight th: Int) -> Plan {
    let scale = min(Double(width) / Double(tw), Double(height) / Double(th))
    // `round()` of an integral float is exact.
    let nw = Int(pythonFloorDivide(Double(width), scale))
    let nh = Int(pythonFloorDivide(Double(height), scale))
    return Plan(
      scale: scale, resizedWidth: nw, resizedHeight: nh,
      cropX: pythonIntFloorDivide(nw - tw, 2), cropY: pythonIntFloorDivide(nh - th, 2))
  }

  public static func apply(_ image: RGBImage, targetWidth tw: Int, targetHeight th: Int) -> RGBImage {
    let p = plan(width: image.width, height: image.height, targetWidth: tw, targetHeight: th)
    let resized = PillowResample.resize(image, width: p.resizedWidth, height: p.resizedHeight, filter: .box)
    return resized.cropped(x: p.cropX, y: p.cropY, width: tw, height: th)
  }
}
