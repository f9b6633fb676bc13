/// `ftfy.fix_text` with its default configuration (ftfy 6.3.1, `ftfy/__init__.py` and `ftfy/fixes.py`), over
/// scalars that remember which prompt scalars they came from. `fix_surrogates` has nothing to do here: a Swift
/// string cannot hold UTF-16 surrogates.
enum FTFYFixes {
  /// `fix_text`: independent segments, each ending after a newline; HTML unescaping stops for good at the
  /// first segment holding a `<` (the text is probably HTML, whose entities should stay).
  static func fixText(_ text: [TaggedScalar]) -> [TaggedScalar] {
    let maxSegment = 1_000_000  // max_decode_length
    var out: [TaggedScalar] = []
    var unescape = true
    var pos = 0
    while pos < text.count {
      var end = text[pos...].firstIndex(where: { $0.scalar == "\n" }).map { $0 + 1 } ?? text.count
      end = min(end, pos + maxSegment)
      let segment = Array(text[pos..<end])
      if unescape && segment.contains(where: { $0.scalar == "<" }) { unescape = false }
      out += fixSegment(segment, unescapeHTML: unescape)
      pos = end
    }
    return out
  }

  /// `fix_and_explain`: every fixer in ftfy's order, repeated until the text stops changing.
  static func fixSegment(_ text: [TaggedScalar], unescapeHTML: Bool) -> [TaggedScalar] {
    var text = text
    while true {
      let before = text
      if unescapeHTML { text = self.unescapeHTML(text) }
      text = FTFYEncoding.fixEncoding(text)
      text = fixC1Controls(text)
      text = translate(text, FTFYData.ligatures)
      text = translate(text, FTFYData.widthMap)
      text = uncurlQuotes(text)
      text = fixLineBreaks(text)
      text = removeTerminalEscapes(text)
      text = text.filter { !FTFYData.controlChars.contains($0.scalar) }
      text = CLIPTextCleanup.nfc(text)
      if text.elementsEqual(before, by: { $0.scalar == $1.scalar }) { return text }
    }
  }

  // MARK: - The fixers

  /// `unescape_html`: `&name;` from HTML5's table (plus upper-case Latin forms such as `&EACUTE;`) and
  /// numeric references, matched by `&#?[0-9A-Za-z]{1,24};`.
  static func unescapeHTML(_ text: [TaggedScalar]) -> [TaggedScalar] {
    var out: [TaggedScalar] = []
    var i = 0
    while i < text.count {
      if text[i].scalar == "&", let (end, replacement) = entity(text, at: i) {
        let origin = span(text[i..<end].map(\.origin))
        out += replacement.map { TaggedScalar(scalar: $0, origin: origin) }
        i = end
      } else {
        out.append(text[i])
        i += 1
      }
    }
    return out
  }

  private static func isASCIIAlnum(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
    default: return false
    }
  }

  /// The entity at `i` (a `&`): the end of the match and its replacement, or nil when the regex does not match
  /// here. A match that is neither a known name nor a complete numeric reference is kept as it is.
  private static func entity(_ text: [TaggedScalar], at i: Int) -> (Int, [Unicode.Scalar])? {
    var j = i + 1
    let numeric = j < text.count && text[j].scalar == "#"
    if numeric { j += 1 }
    let bodyStart = j
    while j < text.count && j - bodyStart < 25 && isASCIIAlnum(text[j].scalar) { j += 1 }
    let length = j - bodyStart
    guard length >= 1 && length <= 24 && j < text.count && text[j].scalar == ";" else { return nil }
    let end = j + 1
    let matched = text[i..<end].map(\.scalar)
    if let named = FTFYData.htmlEntities[String(String.UnicodeScalarView(matched))] { return (end, named) }
    guard numeric else { return (end, matched) }
    // html.unescape on the match: a reference that does not reach the semicolon leaves it in the result, and
    // ftfy then keeps the match unchanged.
    let body = text[bodyStart..<j].map(\.scalar)
    var value: UInt64 = 0
    var digits = body[...]
    var radix: UInt64 = 10
    if let x = body.first, x == "x" || x == "X" {
      radix = 16
      digits = body.dropFirst()
    }
    guard !digits.isEmpty else { return (end, matched) }
    for d in digits {
      guard let v = Character(d).hexDigitValue, UInt64(v) < radix else { return (end, matched) }
      value = min(value * radix + UInt64(v), 0x1_0000_0000)  // saturate: anything above U+10FFFF is U+FFFD
    }
    let result = charref(value)
    return (end, result == [";"] ? matched : result)
  }

  /// Python's `html._replace_charref` for a numeric reference.
  private static func charref(_ value: UInt64) -> [Unicode.Scalar] {
    if value <= 0x10FFFF, let mapped = FTFYData.invalidCharrefs[UInt32(value)] { return mapped }
    if (0xD800...0xDFFF).contains(value) || value > 0x10FFFF { return ["\u{FFFD}"] }
    let s = Unicode.Scalar(UInt32(value))!
    return FTFYData.droppedCodepoints.contains(s) ? [] : [s]
  }

  /// `fix_c1_controls`: C1 controls read as Windows-1252, as browsers do.
  static func fixC1Controls(_ text: [TaggedScalar]) -> [TaggedScalar] {
    text.map { t in
      let v = t.scalar.value
      guard (0x80...0x9F).contains(v) else { return t }
      return TaggedScalar(scalar: FTFYData.c1AsWindows1252[Int(v - 0x80)], origin: t.origin)
    }
  }

  /// `str.translate` with a table of one-to-many replacements.
  static func translate(_ text: [TaggedScalar], _ table: [UInt32: [Unicode.Scalar]]) -> [TaggedScalar] {
    var out: [TaggedScalar] = []
    out.reserveCapacity(text.count)
    for t in text {
      if let replacement = table[t.scalar.value] {
        out += replacement.map { TaggedScalar(scalar: $0, origin: t.origin) }
      } else {
        out.append(t)
      }
    }
    return out
  }

  static func uncurlQuotes(_ text: [TaggedScalar]) -> [TaggedScalar] {
    text.map { t in
      if FTFYData.doubleQuotes.contains(t.scalar) { return TaggedScalar(scalar: "\"", origin: t.origin) }
      if FTFYData.singleQuotes.contains(t.scalar) { return TaggedScalar(scalar: "'", origin: t.origin) }
      return t
    }
  }

  /// `fix_line_breaks`: CRLF, CR, U+2028, U+2029 and U+0085 become `\n`.
  static func fixLineBreaks(_ text: [TaggedScalar]) -> [TaggedScalar] {
    var out: [TaggedScalar] = []
    var i = 0
    while i < text.count {
      let v = text[i].scalar.value
      if v == 0x0D && i + 1 < text.count && text[i + 1].scalar == "\n" {
        out.append(TaggedScalar(scalar: "\n", origin: span([text[i].origin, text[i + 1].origin])))
        i += 2
        continue
      }
      if v == 0x0D || v == 0x2028 || v == 0x2029 || v == 0x85 {
        out.append(TaggedScalar(scalar: "\n", origin: text[i].origin))
      } else {
        out.append(text[i])
      }
      i += 1
    }
    return out
  }

  /// `remove_terminal_escapes`: `ESC [ (digits or ;)* letter`; `\d` is any Unicode decimal digit, as in
  /// Python's `re` for text.
  static func removeTerminalEscapes(_ text: [TaggedScalar]) -> [TaggedScalar] {
    var out: [TaggedScalar] = []
    var i = 0
    while i < text.count {
      if text[i].scalar.value == 0x1B && i + 1 < text.count && text[i + 1].scalar == "[" {
        var j = i + 2
        while j < text.count && (text[j].scalar == ";" || isPythonDecimal(text[j].scalar)) { j += 1 }
        if j < text.count, isASCIILetter(text[j].scalar) {
          i = j + 1
          continue
        }
      }
      out.append(text[i])
      i += 1
    }
    return out
  }

  private static func isASCIILetter(_ s: Unicode.Scalar) -> Bool {
    (0x41...0x5A).contains(s.value) || (0x61...0x7A).contains(s.value)
  }

  private static func isPythonDecimal(_ s: Unicode.Scalar) -> Bool {
    s.properties.generalCategory == .decimalNumber && CLIPTextCleanup.isAssignedInPython(s)
  }
}
