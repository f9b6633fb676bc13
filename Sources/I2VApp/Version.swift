/// The tool's version, shown by `--version` and written into output metadata.
public enum I2VVersion {
  public static let string = "0.1.0"
}
