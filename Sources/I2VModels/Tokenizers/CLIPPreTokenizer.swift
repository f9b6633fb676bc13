/// The CLIP pre-tokenizer: `regex.findall` of
/// `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`
/// with `regex.IGNORECASE`, matched by hand over Unicode scalars (Python `regex` module semantics:
/// leftmost alternative wins at each position; positions where nothing matches are skipped).
enum CLIPPreTokenizer {
  private static let literals: [[Unicode.Scalar]] = [
    "<|startoftext|>", "<|endoftext|>", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d",
  ].map { Array($0.unicodeScalars) }

  /// The pieces of one cleaned word, each with the union of its scalars' origins.
  static func pieces(_ word: [TaggedScalar]) -> [(text: String, origin: Range<Int>)] {
    var result: [(text: String, origin: Range<Int>)] = []
    var i = 0
    while i < word.count {
      let length = matchLength(word, at: i)
      if length == 0 {
        i += 1
        continue
      }
      var text = String.UnicodeScalarView()
      var lo = Int.max
      var hi = Int.min
      for t in word[i..<(i + length)] {
        text.append(t.scalar)
        lo = min(lo, t.origin.lowerBound)
        hi = max(hi, t.origin.upperBound)
      }
      result.append((String(text), lo..<hi))
      i += length
    }
    return result
  }

  /// Length of the match starting at `i` (0: no alternative matches here).
  static func matchLength(_ word: [TaggedScalar], at i: Int) -> Int {
    for literal in literals where matches(literal, word, at: i) {
      return literal.count
    }
    let first = word[i].scalar
    if isLetter(first) {
      var j = i + 1
      while j < word.count && isLetter(word[j].scalar) { j += 1 }
      return j - i
    }
    if isNumber(first) { return 1 }
    if isOther(first) {
      var j = i + 1
      while j < word.count && isOther(word[j].scalar) { j += 1 }
      return j - i
    }
    return 0
  }

  /// Case-insensitive literal match with simple case folding (`regex.IGNORECASE` without FULLCASE).
  private static func matches(_ literal: [Unicode.Scalar], _ word: [TaggedScalar], at i: Int) -> Bool {
    guard word.count - i >= literal.count else { return false }
    for (k, l) in literal.enumerated() where simpleFold(word[i + k].scalar) != l {
      return false
    }
    return true
  }

  /// Simple case folding, enough for the ASCII literals above: ASCII upper case, and U+017F (long s)
  /// and U+212A (Kelvin sign), the only non-ASCII scalars that fold to ASCII letters.
  static func simpleFold(_ s: Unicode.Scalar) -> Unicode.Scalar {
    switch s.value {
    case 0x41...0x5A: return Unicode.Scalar(s.value + 0x20)!
    case 0x17F: return "s"
    case 0x212A: return "k"
    default: return s
    }
  }

  /// `[\p{L}]` as the `regex` module matches it under IGNORECASE. Its Unicode version is newer than Swift's
  /// (U+208F is a letter there), so the classes come from the module itself (CLIPRegexTables).
  static func isLetter(_ s: Unicode.Scalar) -> Bool {
    if s.value < 0x80 { return (0x41...0x5A).contains(s.value) || (0x61...0x7A).contains(s.value) }
    return letters.contains(s)
  }

  /// `[\p{N}]` as the `regex` module matches it under IGNORECASE.
  static func isNumber(_ s: Unicode.Scalar) -> Bool {
    if s.value < 0x80 { return (0x30...0x39).contains(s.value) }
    return numbers.contains(s)
  }

  private static let letters = ScalarSet(ranges: CLIPRegexTables.letters)
  private static let numbers = ScalarSet(ranges: CLIPRegexTables.numbers)

  /// `\s` of the `regex` module: the Unicode White_Space property.
  static func isRegexSpace(_ s: Unicode.Scalar) -> Bool {
    s.properties.isWhitespace
  }

  /// `[^\s\p{L}\p{N}]` under IGNORECASE. The `regex` module tests a negated class against every case
  /// variant of the character, so U+0345 (a mark whose upper case is the letter Ι) matches neither this
  /// class nor `[\p{L}]`: it is skipped like whitespace (checked over all code points against regex 2026.11).
  static func isOther(_ s: Unicode.Scalar) -> Bool {
    !isRegexSpace(s) && !isLetter(s) && !isNumber(s) && s.value != 0x345
  }
}
