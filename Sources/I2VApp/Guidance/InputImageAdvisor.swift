import I2VImage
import I2VModels

/// Checks of the input image before any weights load: the video inherits a blurry, dark or washed-out first
/// frame, a small image is upscaled, and diffusers' centre crop cuts what does not fit the video's aspect ratio.
/// Each warning says what to do. Sharpness and exposure are measured on the image as the model receives it (the
/// pipeline's cover-resize and centre crop to the video size); thresholds below, tested on synthetic images.
public enum InputImageAdvisor {
  /// Variance of the Laplacian of the luminance (0-255 scale) below which the image looks blurry or flat. The
  /// usual rule of thumb for 8-bit images is 100; 60 keeps soft but usable photos quiet.
  public static let minSharpness = 60.0
  /// Mean luminance (0-255) below / above which the image is too dark / washed out.
  public static let darkMean = 40.0
  public static let brightMean = 215.0
  /// Fraction of pixels at the ends of the range (luminance ≤ 5 or ≥ 250) above which detail is lost.
  public static let maxClipped = 0.25
  /// Upscaling beyond this factor (the image is smaller than the video) leaves the video soft.
  public static let maxUpscale = 2.0
  /// Fraction of the image the aspect-ratio crop may cut before a warning.
  public static let maxCropLoss = 0.25

  public struct Measures: Sendable, Equatable {
    public var sharpness: Double
    public var meanLuminance: Double
    /// Fractions of pixels with luminance ≥ 250 and ≤ 5.
    public var clippedWhite: Double
    public var clippedBlack: Double
    /// How much the pipeline enlarges the image (1 or less: it shrinks it).
    public var upscale: Double
    /// Fraction of the (resized) image inside the crop.
    public var keptFraction: Double
  }

  public static func measure(_ image: RGBImage, width: Int, height: Int) -> Measures {
    let plan = CenterCropWide.plan(width: image.width, height: image.height, targetWidth: width, targetHeight: height)
    let seen = CenterCropWide.apply(image, targetWidth: width, targetHeight: height)
    let luma = luminance(seen)
    var sum = 0.0, white = 0, black = 0
    for y in luma {
      sum += y
      if y >= 250 { white += 1 } else if y <= 5 { black += 1 }
    }
    let n = Double(max(1, luma.count))
    return Measures(
      sharpness: laplacianVariance(luma, width: seen.width, height: seen.height), meanLuminance: sum / n,
      clippedWhite: Double(white) / n, clippedBlack: Double(black) / n, upscale: 1 / plan.scale,
      keptFraction: Double(width * height) / Double(max(1, plan.resizedWidth * plan.resizedHeight)))
  }

  /// The warnings for `image` made into a `width`×`height` video (empty when it looks fine).
  public static func warnings(_ image: RGBImage, width: Int, height: Int) -> [String] {
    let m = measure(image, width: width, height: height)
    let size = "\(image.width)x\(image.height)"
    var out: [String] = []
    if m.upscale > maxUpscale {
      let w = Int((Double(width) / maxUpscale).rounded(.up)), h = Int((Double(height) / maxUpscale).rounded(.up))
      out.append("the input image (\(size)) is enlarged \(Format.fixed(m.upscale, 1))x for a \(width)x\(height) video, "
        + "so the video will be soft: use an image of at least \(w)x\(h), or a smaller --width/--height")
    }
    if m.keptFraction < 1 - maxCropLoss {
      let cut = Int(((1 - m.keptFraction) * 100).rounded())
      out.append("the \(width)x\(height) video keeps \(100 - cut)% of the \(size) image (\(cut)% is cropped away to fit "
        + "its aspect ratio): crop the image yourself, or choose --width/--height closer to its shape")
    }
    if m.sharpness < minSharpness {
      out.append("the input image looks blurry or flat (sharpness \(Format.fixed(m.sharpness, 0)), below "
        + "\(Int(minSharpness))): the video inherits it; use a sharper, more detailed image")
    }
    if m.meanLuminance < darkMean || m.clippedBlack > maxClipped {
      out.append("the input image is very dark (mean brightness \(Int(m.meanLuminance.rounded()))/255, "
        + "\(percent(m.clippedBlack)) black): brighten it first, or the video will be murky")
    } else if m.meanLuminance > brightMean || m.clippedWhite > maxClipped {
      out.append("the input image is overexposed (mean brightness \(Int(m.meanLuminance.rounded()))/255, "
        + "\(percent(m.clippedWhite)) clipped white): use a better-exposed image, or detail there cannot move")
    }
    return out
  }

  /// ITU-R 601 luma, as Pillow's `convert("L")`.
  static func luminance(_ image: RGBImage) -> [Double] {
    var out = [Double](repeating: 0, count: image.width * image.height)
    image.pixels.withUnsafeBufferPointer { p in
      for i in 0..<out.count {
        out[i] = 0.299 * Double(p[3 * i]) + 0.587 * Double(p[3 * i + 1]) + 0.114 * Double(p[3 * i + 2])
      }
    }
    return out
  }

  /// Variance of the 4-neighbour Laplacian over the interior pixels.
  static func laplacianVariance(_ y: [Double], width w: Int, height h: Int) -> Double {
    guard w >= 3 && h >= 3 else { return .infinity }  // too small to tell: never "blurry"
    var sum = 0.0, squares = 0.0
    for r in 1..<(h - 1) {
      for c in 1..<(w - 1) {
        let i = r * w + c
        let l = y[i - 1] + y[i + 1] + y[i - w] + y[i + w] - 4 * y[i]
        sum += l
        squares += l * l
      }
    }
    let n = Double((w - 2) * (h - 2))
    let mean = sum / n
    return max(0, squares / n - mean * mean)
  }

  static func percent(_ f: Double) -> String { "\(Int((f * 100).rounded()))%" }
}
