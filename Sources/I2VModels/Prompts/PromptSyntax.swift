/// How a prompt's text is read before tokenization.
public enum PromptSyntax: String, Sendable, CaseIterable, Codable {
  /// The text as it is: parentheses are ordinary characters (diffusers' behaviour).
  case plain
  /// AUTOMATIC1111's attention syntax (`modules/prompt_parser.py`, `parse_prompt_attention`): `(word)` ×1.1,
  /// `[word]` ÷1.1, `(words:1.3)`, `\(` `\)` `\[` `\]` `\\` for the literal characters.
  case weighted
}

/// A run of prompt text and the weight its tokens' embeddings are multiplied by.
public struct PromptSegment: Sendable, Equatable {
  /// The text, escapes resolved (`\(` is `(`).
  public var text: String
  public var weight: Double
  /// For each Unicode scalar of `text`, its offset in the prompt as written, so tokens can point back at it.
  public var origins: [Int]

  public init(text: String, weight: Double, origins: [Int]) {
    self.text = text
    self.weight = weight
    self.origins = origins
  }

  /// The whole prompt as one segment of weight 1 (plain syntax).
  public init(plain prompt: String) {
    text = prompt
    weight = 1
    origins = Array(0..<prompt.unicodeScalars.count)
  }

  /// The prompt range of the segment's scalars `range` (a token's source span).
  func promptRange(_ range: Range<Int>) -> Range<Int> {
    guard !range.isEmpty, range.upperBound <= origins.count else {
      let at = range.lowerBound < origins.count ? origins[range.lowerBound] : (origins.last.map { $0 + 1 } ?? 0)
      return at..<at
    }
    return origins[range.lowerBound]..<(origins[range.upperBound - 1] + 1)
  }
}
