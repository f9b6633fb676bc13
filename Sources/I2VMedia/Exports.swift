// The image type shared with the models.
@_exported import I2VImage
