/// One byte of re-encoded text, with the prompt span of the character it came from.
struct TaggedByte: Equatable {
  var byte: UInt8
  var origin: Range<Int>
}

/// The union of the origins of a run of tagged characters or bytes.
func span<S: Sequence>(_ origins: S) -> Range<Int> where S.Element == Range<Int> {
  var lo = Int.max
  var hi = Int.min
  for o in origins {
    lo = min(lo, o.lowerBound)
    hi = max(hi, o.upperBound)
  }
  return lo <= hi ? lo..<hi : 0..<0
}

/// ftfy's mojibake repair, `fix_encoding` (`ftfy/__init__.py`: `fix_encoding_and_explain`,
/// `_fix_encoding_one_step_and_explain`), with its byte-level helpers (`ftfy/fixes.py`) and decoders.
enum FTFYEncoding {
  /// Repeats one step until the text stops changing.
  static func fixEncoding(_ text: [TaggedScalar]) -> [TaggedScalar] {
    var text = text
    while true {
      let next = oneStep(text)
      if next.elementsEqual(text, by: { $0.scalar == $1.scalar }) { return text }
      text = next
    }
  }

  static func oneStep(_ text: [TaggedScalar]) -> [TaggedScalar] {
    if text.isEmpty || text.allSatisfy({ $0.scalar.value < 0x80 }) { return text }
    let scalars = text.map(\.scalar)
    if !FTFYBadness.isBad(scalars) { return text }

    var possible: [String] = []
    // UTF-8 read as a single-byte encoding: re-encode, patch, decode as UTF-8.
    for charmap in FTFYData.charmaps {
      var bytes: [TaggedByte] = []
      bytes.reserveCapacity(text.count)
      var encodable = true
      for t in text {
        guard let b = charmap.encode(t.scalar) else {
          encodable = false
          break
        }
        bytes.append(TaggedByte(byte: b, origin: t.origin))
      }
      guard encodable else { continue }
      possible.append(charmap.name)
      // Not in MacRoman, where it would match an en dash followed by a space.
      if charmap.name != "macroman" && firstMatch(alteredUTF8, bytes, from: 0) != nil {
        bytes = restoreByteA0(bytes)
      }
      if charmap.isSloppy { bytes = replaceLossySequences(bytes) }
      let variants = bytes.contains { $0.byte == 0xED || $0.byte == 0xC0 }
      if let fixed = variants ? decodeUTF8Variants(bytes) : decodeUTF8(bytes[...]) { return fixed }
    }

    // UTF-8 mojibake embedded in otherwise fine text.
    if (0..<text.count).contains(where: { FTFYBadness.utf8DetectorMatch(text, at: $0) != nil }) {
      let fixed = decodeInconsistentUTF8(text)
      if !fixed.elementsEqual(text, by: { $0.scalar == $1.scalar }) { return fixed }
    }

    if possible.contains("latin-1") {
      // ftfy tests for "windows-1252" here, a name CHARMAP_ENCODINGS never holds (it lists the sloppy codec),
      // so this branch always re-reads Latin-1 as strict Windows-1252.
      if possible.contains("windows-1252") { return text }
      if let fixed = latin1AsWindows1252(text), !fixed.elementsEqual(text, by: { $0.scalar == $1.scalar }) {
        return fixed
      }
    }

    if text.contains(where: { (0x80...0x9F).contains($0.scalar.value) }) { return FTFYFixes.fixC1Controls(text) }
    return text
  }

  /// `decode_inconsistent_utf8`: each `UTF8_DETECTOR_RE` match that looks bad on its own is fixed on its own.
  static func decodeInconsistentUTF8(_ text: [TaggedScalar]) -> [TaggedScalar] {
    var out: [TaggedScalar] = []
    var i = 0
    while i < text.count {
      if let end = FTFYBadness.utf8DetectorMatch(text, at: i) {
        let piece = Array(text[i..<end])
        if piece.count < text.count && FTFYBadness.isBad(piece.map(\.scalar)) {
          out += fixEncoding(piece)
        } else {
          out += piece
        }
        i = end
      } else {
        out.append(text[i])
        i += 1
      }
    }
    return out
  }

  static func latin1AsWindows1252(_ text: [TaggedScalar]) -> [TaggedScalar]? {
    var out: [TaggedScalar] = []
    for t in text {
      let v = t.scalar.value
      guard v < 0x100 else { return nil }
      if (0x80...0x9F).contains(v) {
        guard let s = FTFYData.windows1252Strict[Int(v - 0x80)] else { return nil }
        out.append(TaggedScalar(scalar: s, origin: t.origin))
      } else {
        out.append(t)
      }
    }
    return out
  }

  // MARK: - Byte patterns (ALTERED_UTF8_RE, LOSSY_UTF8_RE)

  /// One alternative of a bytes regex made of single-byte classes.
  typealias BytePattern = [[ClosedRange<UInt8>]]

  static func byte(_ b: UInt8) -> [ClosedRange<UInt8>] { [b...b] }
  static let continuation: [ClosedRange<UInt8>] = [0x80...0xBF]
  static let space = byte(0x20)

  /// `ALTERED_UTF8_RE`: UTF-8 sequences whose 0xA0 byte became a space.
  static let alteredUTF8: [BytePattern] = {
    let notA0or85: [ClosedRange<UInt8>] = [0x80...0x84, 0x86...0x9F, 0xA1...0xBF]
    return [
      [[0xC2...0xC3, 0xC5...0xC5, 0xCE...0xCE, 0xD0...0xD0, 0xD9...0xD9], space],
      [[0xE2...0xE3], space, notA0or85],
      [[0xE0...0xE3], notA0or85, space],
      [byte(0xF0), space, continuation, continuation],
      [byte(0xF0), continuation, space, continuation],
      [byte(0xF0), continuation, continuation, space],
    ]
  }()

  /// `LOSSY_UTF8_RE`: UTF-8 sequences with bytes lost to 0x1A (what sloppy codecs make of U+FFFD) or `?`.
  static let lossyUTF8: [BytePattern] = {
    let sub: [ClosedRange<UInt8>] = [0x1A...0x1A]
    let subOrQ: [ClosedRange<UInt8>] = [0x1A...0x1A, 0x3F...0x3F]
    let subOrCont: [ClosedRange<UInt8>] = [0x1A...0x1A, 0x80...0xBF]
    let any: [ClosedRange<UInt8>] = [0x1A...0x1A, 0x3F...0x3F, 0x80...0xBF]
    let lead3: [ClosedRange<UInt8>] = [0xE0...0xEF]
    let lead4: [ClosedRange<UInt8>] = [0xF0...0xF4]
    return [
      [[0xC2...0xDF], sub],
      [[0xC2...0xC3], byte(0x3F)],
      [byte(0xED), [0xA0...0xAF], subOrQ, byte(0xED), [0xB0...0xBF], any],
      [byte(0xED), [0xA0...0xAF], any, byte(0xED), [0xB0...0xBF], subOrQ],
      [lead3, subOrQ, subOrCont],
      [lead3, subOrCont, subOrQ],
      [lead4, subOrQ, subOrCont, subOrCont],
      [lead4, subOrCont, subOrQ, subOrCont],
      [lead4, subOrCont, subOrCont, subOrQ],
      [sub],
    ]
  }()

  /// Length of the first alternative (in order, as a regex tries them) that matches at `i`.
  static func matchLength(_ alternatives: [BytePattern], _ bytes: [TaggedByte], at i: Int) -> Int? {
    for pattern in alternatives where i + pattern.count <= bytes.count {
      var ok = true
      for (k, cls) in pattern.enumerated() where !cls.contains(where: { $0.contains(bytes[i + k].byte) }) {
        ok = false
        break
      }
      if ok { return pattern.count }
    }
    return nil
  }

  static func firstMatch(_ alternatives: [BytePattern], _ bytes: [TaggedByte], from: Int) -> Int? {
    (from..<bytes.count).first { matchLength(alternatives, bytes, at: $0) != nil }
  }

  /// `re.sub` with a pattern from above: non-overlapping matches, left to right.
  static func substitute(
    _ alternatives: [BytePattern], _ bytes: [TaggedByte], with replace: ([TaggedByte]) -> [TaggedByte]
  ) -> [TaggedByte] {
    var out: [TaggedByte] = []
    var i = 0
    while i < bytes.count {
      if let n = matchLength(alternatives, bytes, at: i) {
        out += replace(Array(bytes[i..<(i + n)]))
        i += n
      } else {
        out.append(bytes[i])
        i += 1
      }
    }
    return out
  }

  /// `restore_byte_a0`: "Ã " as a word becomes "à " (A_GRAVE_WORD_RE, except before the Portuguese "às",
  /// "àquele"...), then spaces inside would-be UTF-8 sequences become 0xA0 again.
  static func restoreByteA0(_ bytes: [TaggedByte]) -> [TaggedByte] {
    let exceptions: [[UInt8]] = [[0x20], Array("quele".utf8), Array("quela".utf8), Array("quilo".utf8), [0x73, 0x20]]
    var graved: [TaggedByte] = []
    var i = 0
    while i < bytes.count {
      if bytes[i].byte == 0xC3 && i + 1 < bytes.count && bytes[i + 1].byte == 0x20 {
        let rest = bytes[(i + 2)...].lazy.map(\.byte)
        if !exceptions.contains(where: { rest.starts(with: $0) }) {
          graved += [bytes[i], TaggedByte(byte: 0xA0, origin: bytes[i].origin), bytes[i + 1]]
          i += 2
          continue
        }
      }
      graved.append(bytes[i])
      i += 1
    }
    return substitute(alteredUTF8, graved) { match in
      match.map { $0.byte == 0x20 ? TaggedByte(byte: 0xA0, origin: $0.origin) : $0 }
    }
  }

  /// `replace_lossy_sequences`: each lossy sequence becomes the UTF-8 of U+FFFD.
  static func replaceLossySequences(_ bytes: [TaggedByte]) -> [TaggedByte] {
    substitute(lossyUTF8, bytes) { match in
      let origin = span(match.map(\.origin))
      return [0xEF, 0xBF, 0xBD].map { TaggedByte(byte: $0, origin: origin) }
    }
  }

  // MARK: - Decoders

  /// Python's strict UTF-8 decoder (no surrogates, no overlong forms, nothing above U+10FFFF); nil on any error.
  static func decodeUTF8(_ bytes: ArraySlice<TaggedByte>) -> [TaggedScalar]? {
    var out: [TaggedScalar] = []
    var i = bytes.startIndex
    while i < bytes.endIndex {
      let b0 = bytes[i].byte
      let length: Int
      var second: ClosedRange<UInt8> = 0x80...0xBF
      var value: UInt32
      switch b0 {
      case 0x00...0x7F: length = 1; value = UInt32(b0)
      case 0xC2...0xDF: length = 2; value = UInt32(b0 & 0x1F)
      case 0xE0: length = 3; value = 0; second = 0xA0...0xBF
      case 0xE1...0xEC, 0xEE...0xEF: length = 3; value = UInt32(b0 & 0x0F)
      case 0xED: length = 3; value = UInt32(b0 & 0x0F); second = 0x80...0x9F
      case 0xF0: length = 4; value = 0; second = 0x90...0xBF
      case 0xF1...0xF3: length = 4; value = UInt32(b0 & 0x07)
      case 0xF4: length = 4; value = 4; second = 0x80...0x8F
      default: return nil
      }
      guard i + length <= bytes.endIndex else { return nil }
      for k in 1..<length {
        let b = bytes[i + k].byte
        guard (k == 1 ? second : 0x80...0xBF).contains(b) else { return nil }
        value = value << 6 | UInt32(b & 0x3F)
      }
      out.append(TaggedScalar(scalar: Unicode.Scalar(value)!, origin: span(bytes[i..<(i + length)].map(\.origin))))
      i += length
    }
    return out
  }

  /// ftfy's "utf-8-variants" codec (`ftfy/bad_codecs/utf8_variants.py`): UTF-8 plus CESU-8 surrogate pairs and
  /// Java's 0xC0 0x80 for U+0000. Its patterns end alternatives with `$`, which in Python also matches just
  /// before a final newline; that is kept, since ftfy's segments end with one.
  static func decodeUTF8Variants(_ bytes: [TaggedByte]) -> [TaggedScalar]? {
    let n = bytes.count
    func atEnd(_ q: Int) -> Bool { q == n || (q == n - 1 && bytes[q].byte == 0x0A) }
    /// Groups of `(class|$)` from `p`; a class that fails where `$` holds leaves the position where it is.
    func groups(_ p: Int, _ classes: [ClosedRange<UInt8>]) -> Bool {
      var q = p
      for cls in classes {
        if q < n && cls.contains(bytes[q].byte) {
          q += 1
        } else if !atEnd(q) {
          return false
        }
      }
      return true
    }
    func isNull(_ p: Int) -> Bool { bytes[p].byte == 0xC0 && groups(p + 1, [0x80...0x80]) }
    func isCESU8(_ p: Int) -> Bool {
      bytes[p].byte == 0xED && groups(p + 1, [0xA0...0xAF, 0x80...0xBF, 0xED...0xED, 0xB0...0xBF, 0x80...0xBF])
    }
    func isSurrogate(_ p: Int) -> Bool { bytes[p].byte == 0xED && groups(p + 1, [0xA0...0xBF, 0x80...0xBF]) }

    var out: [TaggedScalar] = []
    var pos = 0
    while pos < n {
      guard let p = (pos..<n).first(where: { isNull($0) || isCESU8($0) || isSurrogate($0) }) else {
        guard let rest = decodeUTF8(bytes[pos...]) else { return nil }
        return out + rest
      }
      guard let before = decodeUTF8(bytes[pos..<p]) else { return nil }
      out += before
      if bytes[p].byte == 0xC0 {
        guard n - p > 1 else { return nil }  // a lone 0xC0 is invalid UTF-8
        out.append(TaggedScalar(scalar: "\u{0}", origin: span([bytes[p].origin, bytes[p + 1].origin])))
        pos = p + 2
      } else if n - p < 6 {
        guard let rest = decodeUTF8(bytes[p...]) else { return nil }
        return out + rest
      } else if isCESU8(p) {
        let b = bytes[p..<(p + 6)].map { UInt32($0.byte) }
        let value = ((b[1] & 0x0F) << 16) + ((b[2] & 0x3F) << 10) + ((b[4] & 0x0F) << 6) + (b[5] & 0x3F) + 0x10000
        out.append(TaggedScalar(scalar: Unicode.Scalar(value)!, origin: span(bytes[p..<(p + 6)].map(\.origin))))
        pos = p + 6
      } else {
        return nil  // an unpaired surrogate: Python's UTF-8 decoder refuses it
      }
    }
    return out
  }
}
