/// A setting that cannot work, said in terms of the flag (or manifest field) that carries it.
public struct SettingsError: Error, CustomStringConvertible, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
