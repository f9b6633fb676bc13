/// One Unicode scalar of cleaned text, with the span of original-prompt scalars it came from
/// (so that tokens can be traced back to the words the user wrote).
struct TaggedScalar: Equatable {
  var scalar: Unicode.Scalar
  var origin: Range<Int>
}

/// The text cleanup transformers' slow `CLIPTokenizer` runs when `ftfy` is not installed:
/// `BasicTokenizer(do_lower_case=True, strip_accents=False, do_split_on_punc=False).tokenize(text)`.
/// Produces the whitespace-separated words that the pre-tokenizer regex then splits.
enum CLIPTextCleanup {
  /// The Unicode version of Python 3.11's `unicodedata` (what the reference fixtures were made with).
  /// Characters assigned later are category `Cn` there, hence "control" characters that the cleanup drops.
  static let pythonUnicodeVersion: (major: Int, minor: Int) = (14, 0)

  /// `BasicTokenizer.tokenize` over one segment of the prompt (no special tokens inside).
  /// `scalars[i]` came from original-prompt scalar `offset + i`.
  static func words(_ scalars: ArraySlice<Unicode.Scalar>, offset: Int) -> [[TaggedScalar]] {
    var words: [[TaggedScalar]] = []
    var current: [TaggedScalar] = []
    func flush() {
      if !current.isEmpty {
        words.append(current)
        current.removeAll(keepingCapacity: true)
      }
    }
    for (i, s) in zip(offset..., scalars) {
      // _clean_text: drop NUL, U+FFFD and control characters; whitespace becomes a separator.
      if s.value == 0 || s.value == 0xFFFD || isControl(s) { continue }
      if isWhitespace(s) || isPythonSpace(s) {
        flush()
        continue
      }
      // _tokenize_chinese_chars: CJK ideographs become words of their own.
      if isCJK(s) {
        flush()
        words.append([TaggedScalar(scalar: s, origin: i..<(i + 1))])
        continue
      }
      current.append(TaggedScalar(scalar: s, origin: i..<(i + 1)))
    }
    flush()
    // NFC never joins across a space, so normalising word by word equals normalising the whole text.
    return words.map { lowercased(nfc($0)) }
  }

  // MARK: - Character classes (Python 3.11 semantics)

  /// `_is_control`: general category C* except tab, newline and carriage return.
  static func isControl(_ s: Unicode.Scalar) -> Bool {
    if s == "\t" || s == "\n" || s == "\r" { return false }
    guard isAssignedInPython(s) else { return true }  // Cn
    switch s.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned: return true
    default: return false
    }
  }

  /// `_is_whitespace`: space, tab, newline, carriage return, or category Zs.
  static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
    if s == " " || s == "\t" || s == "\n" || s == "\r" { return true }
    return s.properties.generalCategory == .spaceSeparator
  }

  /// Python's `str.isspace` for what survives `_clean_text` (used by `str.split()`); control characters
  /// are removed before this matters, so only the line and paragraph separators are left to add.
  static func isPythonSpace(_ s: Unicode.Scalar) -> Bool {
    s.value == 0x2028 || s.value == 0x2029
  }

  static func isAssignedInPython(_ s: Unicode.Scalar) -> Bool {
    guard let age = s.properties.age else { return false }
    return (age.major, age.minor) <= pythonUnicodeVersion
  }

  /// `_is_chinese_char`: the CJK Unified Ideographs blocks (not Hiragana, Katakana or Hangul).
  static func isCJK(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
      0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
      return true
    default:
      return false
    }
  }

  // MARK: - NFC

  /// NFC of one word. Origins are kept per grapheme cluster where that gives the same result as
  /// normalising the whole word, otherwise every scalar gets the whole word's span.
  static func nfc(_ word: [TaggedScalar]) -> [TaggedScalar] {
    // Text made only of scalars below U+0300 is always in NFC (no composition pair ends below it).
    if word.allSatisfy({ $0.scalar.value < 0x300 }) { return word }
    let whole = nfc(word.map(\.scalar))
    if whole.elementsEqual(word.lazy.map(\.scalar)) { return word }

    var result: [TaggedScalar] = []
    var index = 0
    var text = String.UnicodeScalarView()
    text.append(contentsOf: word.lazy.map(\.scalar))
    for character in String(text) {
      let count = character.unicodeScalars.count
      let span = word[index].origin.lowerBound..<word[index + count - 1].origin.upperBound
      for s in nfc(Array(character.unicodeScalars)) {
        result.append(TaggedScalar(scalar: s, origin: span))
      }
      index += count
    }
    if result.lazy.map(\.scalar).elementsEqual(whole) { return result }
    let span = word[0].origin.lowerBound..<word[word.count - 1].origin.upperBound
    return whole.map { TaggedScalar(scalar: $0, origin: span) }
  }

  static func nfc(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] { UnicodeNFC.normalize(scalars) }

  // MARK: - Lowercasing

  /// Python's `str.lower()`: full lowercase mappings, plus the final-sigma rule for U+03A3.
  static func lowercased(_ word: [TaggedScalar]) -> [TaggedScalar] {
    var result: [TaggedScalar] = []
    result.reserveCapacity(word.count)
    for (i, t) in word.enumerated() {
      if t.scalar.value < 0x80 {
        let v = t.scalar.value
        let lower = (0x41...0x5A).contains(v) ? Unicode.Scalar(v + 0x20)! : t.scalar
        result.append(TaggedScalar(scalar: lower, origin: t.origin))
      } else if t.scalar.value == 0x3A3 {
        let sigma: UInt32 = isFinalSigma(word, at: i) ? 0x3C2 : 0x3C3
        result.append(TaggedScalar(scalar: Unicode.Scalar(sigma)!, origin: t.origin))
      } else if !isAssignedInPython(t.scalar) {
        result.append(t)  // unassigned in Python's Unicode version: str.lower() leaves it
      } else {
        for s in t.scalar.properties.lowercaseMapping.unicodeScalars {
          result.append(TaggedScalar(scalar: s, origin: t.origin))
        }
      }
    }
    return result
  }

  /// CPython's `handle_capital_sigma`: a cased letter before (skipping case-ignorables) and none after.
  static func isFinalSigma(_ word: [TaggedScalar], at i: Int) -> Bool {
    var j = i - 1
    while j >= 0 && word[j].scalar.properties.isCaseIgnorable { j -= 1 }
    guard j >= 0 && word[j].scalar.properties.isCased else { return false }
    var k = i + 1
    while k < word.count && word[k].scalar.properties.isCaseIgnorable { k += 1 }
    return k == word.count || !word[k].scalar.properties.isCased
  }
}
