import I2VMedia
import I2VModels

// The media layer decodes into `RGBImage`; the model's preprocessing works on `RGB8Image`. Same layout.
extension RGB8Image {
  public init(_ image: RGBImage) { self.init(width: image.width, height: image.height, pixels: image.pixels) }
}

extension RGBImage {
  public init(_ image: RGB8Image) throws { try self.init(width: image.width, height: image.height, pixels: image.pixels) }
}
