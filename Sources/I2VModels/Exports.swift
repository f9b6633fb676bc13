// The image type shared with media I/O.
@_exported import I2VImage
