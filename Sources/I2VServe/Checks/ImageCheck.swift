import Foundation
import I2VApp
import I2VMedia
import I2VModels

/// `POST /api/images/inspect`: an image as a job would see it, before it is sent: its format (from the
/// content), size after orientation, the cover-resize and centre crop the pipeline applies for the video size
/// (`CenterCropWide`, diffusers' `_center_crop_wide`), and the input-image warnings (`InputImageAdvisor`, plus
/// what the decoder noted).
enum ImageCheck {
  struct Crop: Encodable, Sendable {
    var scale: Double
    var resizedWidth: Int
    var resizedHeight: Int
    var x: Int
    var y: Int

    enum CodingKeys: String, CodingKey {
      case scale, x, y, resizedWidth = "resized_width", resizedHeight = "resized_height"
    }
  }

  struct Answer: Encodable, Sendable {
    var format: String
    var width: Int
    var height: Int
    var orientation: Int
    var targetWidth: Int
    var targetHeight: Int
    var crop: Crop
    var warnings: [String]

    enum CodingKeys: String, CodingKey {
      case format, width, height, orientation, crop, warnings
      case targetWidth = "target_width", targetHeight = "target_height"
    }
  }

  static func answer(_ bytes: [UInt8], preset: String, width: Int?, height: Int?, session: GenerationSession,
                     maxPixels: Int) throws -> Answer
  {
    guard !bytes.isEmpty else {
      throw APIError(.badRequest, "send the image's bytes as the request body")
    }
    guard !preset.contains("/") && !preset.hasSuffix(".json") else {
      throw APIError(.badRequest, "'preset' must be the name of a preset (GET /api/presets lists them), not a path")
    }
    var options = GenerationSettings()
    options.preset = preset
    (options.width, options.height) = (width, height)
    try options.validate()
    // Sizes exactly as a job resolves them (the preset's, checked against the model's VAE scale).
    let shape = try session.videoShape(GenerationSession.Item(image: "", prompt: "", output: "", framesDir: nil,
                                                              options: options, saveTensors: nil))
    let decoded = try ImageLoader.loadDetailed(bytes: bytes, name: "the image", maxPixels: maxPixels)
    let image = decoded.image
    let plan = CenterCropWide.plan(width: image.width, height: image.height, targetWidth: shape.width,
                                   targetHeight: shape.height)
    let warnings = (decoded.warning.map { [$0] } ?? [])
      + InputImageAdvisor.warnings(image, width: shape.width, height: shape.height)
    return Answer(format: decoded.format, width: image.width, height: image.height,
                  orientation: decoded.exifOrientation, targetWidth: shape.width, targetHeight: shape.height,
                  crop: Crop(scale: plan.scale, resizedWidth: plan.resizedWidth, resizedHeight: plan.resizedHeight,
                             x: plan.cropX, y: plan.cropY),
                  warnings: warnings)
  }
}
