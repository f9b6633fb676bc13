import Foundation

/// The CLIP image branch of `I2VGenXLPipeline` up to the vision tower's input (`_encode_image`, `_resize_bilinear` and `_center_crop_wide` in diffusers' pipeline_i2vgen_xl.py):
/// `_center_crop_wide(image, (W, W))` → `_resize_bilinear(·, (crop_w, crop_h))` → `float32(u8) / 255`
/// → `(x − mean_c) / std_c` in float32 (`CLIPImageProcessor` with only `do_normalize`), NCHW.
public struct CLIPImagePreprocessor: Sendable, Equatable {
  /// Per-channel mean and std, as float32 (transformers builds `np.array(mean, dtype=float32)`).
  public var mean: [Float]
  public var std: [Float]
  /// `crop_size` of the feature extractor: the CLIP input size.
  public var cropWidth: Int
  public var cropHeight: Int

  /// OpenAI CLIP statistics, `CLIPImageProcessor`'s defaults.
  public static let openAICLIPMean: [Double] = [0.48145466, 0.4578275, 0.40821073]
  public static let openAICLIPStd: [Double] = [0.26862954, 0.26130258, 0.27577711]

  public init(
    mean: [Double] = openAICLIPMean, std: [Double] = openAICLIPStd, cropWidth: Int = 224, cropHeight: Int = 224
  ) {
    precondition(mean.count == 3 && std.count == 3, "mean/std need 3 channels")
    self.mean = mean.map { Float($0) }
    self.std = std.map { Float($0) }
    self.cropWidth = cropWidth
    self.cropHeight = cropHeight
  }

  /// Reads `image_mean`, `image_std` and `crop_size` from a `preprocessor_config.json`
  /// (missing keys take `CLIPImageProcessor`'s defaults; a single number means all channels / square).
  /// Parsed with `JSONDecoder`: `JSONSerialization` on Linux can misread a decimal by one ulp.
  public init(configURL: URL) throws {
    let config: PreprocessorConfig
    do {
      config = try JSONDecoder().decode(PreprocessorConfig.self, from: Data(contentsOf: configURL))
    } catch let error as DecodingError {
      throw CLIPImagePreprocessorError.malformed(configURL.path, "\(error)")
    }
    func channels(_ value: PreprocessorConfig.Channels?, _ key: String, _ fallback: [Double]) throws -> [Double] {
      switch value {
      case nil: return fallback
      case .all(let v): return [v, v, v]
      case .each(let list):
        guard list.count == 3 else {
          throw CLIPImagePreprocessorError.malformed(configURL.path, "\(key) must be 3 numbers")
        }
        return list
      }
    }
    var width = 224
    var height = 224
    switch config.crop_size {
    case nil: break
    case .square(let side): (width, height) = (side, side)
    case .size(let h, let w): (width, height) = (w, h)
    }
    self.init(
      mean: try channels(config.image_mean, "image_mean", Self.openAICLIPMean),
      std: try channels(config.image_std, "image_std", Self.openAICLIPStd), cropWidth: width, cropHeight: height)
  }

  /// Reads a model's `feature_extractor/` folder.
  public init(featureExtractorDirectory: URL) throws {
    try self.init(configURL: featureExtractorDirectory.appendingPathComponent("preprocessor_config.json"))
  }

  /// The 8-bit CLIP input: the centred `videoWidth × videoWidth` square (not the video frame) shrunk
  /// to the crop size with Pillow's antialiasing bilinear filter.
  public func clipImage(from image: RGBImage, videoWidth: Int) -> RGBImage {
    let square = CenterCropWide.apply(image, targetWidth: videoWidth, targetHeight: videoWidth)
    return PillowResample.resize(square, width: cropWidth, height: cropHeight, filter: .bilinear)
  }

  /// Normalises an 8-bit image to float32 NCHW values with shape `[1, 3, height, width]`.
  public func normalize(_ image: RGBImage) -> (values: [Float], shape: [Int]) {
    let plane = image.width * image.height
    var values = [Float](repeating: 0, count: 3 * plane)
    for c in 0..<3 {
      // The float32 ops in numpy's order: x / 255 (pil_to_numpy), then (x − mean) / std.
      let m = mean[c]
      let s = std[c]
      let table = (0..<256).map { ((Float($0) / Float(255)) - m) / s }
      for i in 0..<plane { values[c * plane + i] = table[Int(image.pixels[i * 3 + c])] }
    }
    return (values, [1, 3, image.height, image.width])
  }

  /// `clipImage` then `normalize`: the `pixel_values` the vision tower receives, `[1, 3, S, S]`.
  public func pixelValues(from image: RGBImage, videoWidth: Int) -> (values: [Float], shape: [Int]) {
    normalize(clipImage(from: image, videoWidth: videoWidth))
  }
}

public enum CLIPImagePreprocessorError: Error, CustomStringConvertible {
  case malformed(String, String)

  public var description: String {
    switch self {
    case .malformed(let path, let why): return "\(path): \(why)"
    }
  }
}

/// The keys of `preprocessor_config.json` the pipeline uses.
private struct PreprocessorConfig: Decodable {
  enum Channels: Decodable {
    case all(Double)
    case each([Double])

    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let v = try? c.decode(Double.self) { self = .all(v) } else { self = .each(try c.decode([Double].self)) }
    }
  }

  enum CropSize: Decodable {
    case square(Int)
    case size(height: Int, width: Int)

    private enum Keys: String, CodingKey { case height, width }

    init(from decoder: Decoder) throws {
      if let side = try? decoder.singleValueContainer().decode(Int.self) {
        self = .square(side)
        return
      }
      let c = try decoder.container(keyedBy: Keys.self)
      self = .size(height: try c.decode(Int.self, forKey: .height), width: try c.decode(Int.self, forKey: .width))
    }
  }

  let image_mean: Channels?
  let image_std: Channels?
  let crop_size: CropSize?
}
