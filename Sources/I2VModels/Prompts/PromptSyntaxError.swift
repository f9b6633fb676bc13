/// A weighted prompt that cannot be read: what is wrong, where (1-based column, in characters), how to fix it.
public struct PromptSyntaxError: Error, CustomStringConvertible, Equatable {
  /// The prompt as written.
  public let prompt: String
  /// Which prompt, for the message ("prompt", "negative prompt").
  public var field: String
  public let message: String
  public let column: Int
  public let fix: String

  public init(prompt: String, field: String = "prompt", message: String, column: Int, fix: String) {
    self.prompt = prompt
    self.field = field
    self.message = message
    self.column = column
    self.fix = fix
  }

  /// The error, the prompt around the column with a caret under it, and the fix.
  public var description: String {
    let chars = Array(prompt).map { $0.unicodeScalars.allSatisfy { $0.properties.isWhitespace } ? " " : $0 }
    let at = min(max(column - 1, 0), chars.count)
    let start = max(0, at - 40), end = min(chars.count, at + 40)
    let head = start > 0 ? "..." : "", tail = end < chars.count ? "..." : ""
    let excerpt = head + String(chars[start..<end]) + tail
    let caret = String(repeating: " ", count: head.count + at - start) + "^"
    return "\(field), column \(column): \(message)\n  \(excerpt)\n  \(caret)\n  fix: \(fix)"
  }
}
