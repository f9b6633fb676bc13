/// The tool's version, shown by `--version` and written into output metadata.
enum I2VVersion {
  static let string = "0.1.0"
}
