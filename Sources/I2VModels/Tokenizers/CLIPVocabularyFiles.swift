import Foundation

/// Errors reading a tokenizer folder.
public enum CLIPTokenizerError: Error, CustomStringConvertible {
  case missingFile(String)
  case malformedVocabulary(String, byteOffset: Int)
  case missingToken(String)
  /// A merge rule that does not produce a vocabulary token: the files are damaged or come from different
  /// tokenizers (every CLIP merge's result is in its vocabulary).
  case malformedMerges(line: Int, text: String)

  public var description: String {
    switch self {
    case .missingFile(let path): return "tokenizer file not found: \(path)"
    case .malformedVocabulary(let why, let offset): return "vocab.json: \(why) at byte \(offset)"
    case .missingToken(let token): return "special token \(token) is not in vocab.json"
    case .malformedMerges(let line, let text):
      return "merges.txt line \(line): '\(text)' does not merge into a token of vocab.json; the tokenizer files are "
        + "damaged or do not belong together (restore them from the model's download)"
    }
  }
}

/// Parsers for `vocab.json` and `merges.txt`. The vocabulary is a flat JSON object of 49408
/// string → integer entries; a dedicated byte-level parser keeps loading well under 0.1 s even in
/// debug builds (generic JSON decoding into a dictionary takes several times longer).
enum CLIPVocabularyFiles {
  /// `json.load(vocab.json)`: token string → id.
  static func parseVocabulary(_ data: Data) throws -> [String: Int] {
    try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [String: Int] in
      var parser = FlatJSONObjectParser(bytes: raw.bindMemory(to: UInt8.self))
      return try parser.parse()
    }
  }

  /// `bpe_ranks` of transformers' `CLIPTokenizer`: the file is stripped, split on "\n", the header line
  /// dropped and only the next 48894 lines used (`[1 : 49152 - 256 - 2 + 1]`); line k has rank k.
  /// Keys are "first second" (the pair joined with one space); a repeated pair keeps its last rank.
  static func parseMerges(_ data: Data, limit: Int = 49152 - 256 - 2) -> [String: Int] {
    let bytes = [UInt8](data)
    var start = 0
    var end = bytes.count
    while start < end && isSpace(bytes[start]) { start += 1 }
    while end > start && isSpace(bytes[end - 1]) { end -= 1 }
    var ranks = [String: Int](minimumCapacity: limit)
    var lineIndex = 0
    var lineStart = start
    var i = start
    while i <= end {
      if i == end || bytes[i] == 0x0A {
        if lineIndex >= 1 {
          let rank = lineIndex - 1
          if rank >= limit { break }
          if let key = pairKey(bytes, lineStart, i) { ranks[key] = rank }
        }
        lineIndex += 1
        lineStart = i + 1
      }
      i += 1
    }
    return ranks
  }

  /// Checks that every merge rule used (the ranked lines) joins two symbols into a token of `vocabulary`, as
  /// CLIP's files are built; throws at the first that does not.
  static func checkMerges(_ data: Data, vocabulary: [String: Int], limit: Int = 49152 - 256 - 2) throws {
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().dropFirst() {
      if index > limit { break }
      let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
      guard fields.count == 2, vocabulary[String(fields[0]) + String(fields[1])] != nil else {
        throw CLIPTokenizerError.malformedMerges(line: index + 1, text: String(line.prefix(60)))
      }
    }
  }

  /// `tuple(line.split())` as a "first second" key, or nil when the line is not exactly two fields.
  private static func pairKey(_ bytes: [UInt8], _ from: Int, _ to: Int) -> String? {
    var fields: [Range<Int>] = []
    var i = from
    while i < to {
      while i < to && isSpace(bytes[i]) { i += 1 }
      let s = i
      while i < to && !isSpace(bytes[i]) { i += 1 }
      if i > s { fields.append(s..<i) }
    }
    guard fields.count == 2 else { return nil }
    if fields[1].lowerBound == fields[0].upperBound + 1 {
      return String(decoding: bytes[fields[0].lowerBound..<fields[1].upperBound], as: UTF8.self)
    }
    return String(decoding: bytes[fields[0]], as: UTF8.self) + " "
      + String(decoding: bytes[fields[1]], as: UTF8.self)
  }

  private static func isSpace(_ b: UInt8) -> Bool {
    b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C
  }
}

/// Parses `{"key": integer, ...}` (RFC 8259 strings with escapes, integer values only).
private struct FlatJSONObjectParser {
  let bytes: UnsafeBufferPointer<UInt8>
  var i = 0

  init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  mutating func parse() throws -> [String: Int] {
    var result = [String: Int](minimumCapacity: 50_000)
    skipSpace()
    try expect(UInt8(ascii: "{"))
    skipSpace()
    if peek() == UInt8(ascii: "}") {
      i += 1
      return result
    }
    while true {
      skipSpace()
      let key = try parseString()
      skipSpace()
      try expect(UInt8(ascii: ":"))
      skipSpace()
      result[key] = try parseInteger()
      skipSpace()
      guard let c = peek() else { throw fail("unterminated object") }
      i += 1
      if c == UInt8(ascii: "}") { break }
      if c != UInt8(ascii: ",") { throw fail("expected ',' or '}'") }
    }
    skipSpace()
    if i != bytes.count { throw fail("trailing characters") }
    return result
  }

  private func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

  private func fail(_ why: String) -> CLIPTokenizerError { .malformedVocabulary(why, byteOffset: i) }

  private mutating func expect(_ c: UInt8) throws {
    guard peek() == c else { throw fail("expected '\(Character(Unicode.Scalar(c)))'") }
    i += 1
  }

  private mutating func skipSpace() {
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 {
      i += 1
    }
  }

  private mutating func parseInteger() throws -> Int {
    var negative = false
    if peek() == UInt8(ascii: "-") {
      negative = true
      i += 1
    }
    var value = 0
    let start = i
    while i < bytes.count, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
      let (times10, o1) = value.multipliedReportingOverflow(by: 10)
      let (next, o2) = times10.addingReportingOverflow(Int(bytes[i] - 0x30))
      if o1 || o2 { throw fail("integer too large") }  // found by fuzzing: it used to trap
      value = next
      i += 1
    }
    if i == start { throw fail("expected an integer") }
    if let c = peek(), c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
      throw fail("expected an integer")
    }
    return negative ? -value : value
  }

  private mutating func parseString() throws -> String {
    try expect(UInt8(ascii: "\""))
    let start = i
    // Fast path: no escapes, decode the bytes in place.
    while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") { i += 1 }
    guard i < bytes.count else { throw fail("unterminated string") }
    if bytes[i] == UInt8(ascii: "\"") {
      let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
      i += 1
      return s
    }
    var buffer = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<i]))
    while true {
      guard let c = peek() else { throw fail("unterminated string") }
      i += 1
      if c == UInt8(ascii: "\"") { break }
      if c != UInt8(ascii: "\\") {
        buffer.append(c)
        continue
      }
      guard let e = peek() else { throw fail("unterminated escape") }
      i += 1
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(e)
      case UInt8(ascii: "b"): buffer.append(0x08)
      case UInt8(ascii: "f"): buffer.append(0x0C)
      case UInt8(ascii: "n"): buffer.append(0x0A)
      case UInt8(ascii: "r"): buffer.append(0x0D)
      case UInt8(ascii: "t"): buffer.append(0x09)
      case UInt8(ascii: "u"):
        var code = try parseHex4()
        if (0xD800...0xDBFF).contains(code), peek() == UInt8(ascii: "\\"), i + 1 < bytes.count,
          bytes[i + 1] == UInt8(ascii: "u")
        {
          let save = i
          i += 2
          let low = try parseHex4()
          if (0xDC00...0xDFFF).contains(low) {
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          } else {
            i = save
          }
        }
        // Lone surrogates become U+FFFD, as Python would not be able to encode them either.
        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
        buffer.append(contentsOf: Array(String(scalar).utf8))
      default:
        throw fail("invalid escape")
      }
    }
    return String(decoding: buffer, as: UTF8.self)
  }

  private mutating func parseHex4() throws -> UInt32 {
    guard i + 4 <= bytes.count else { throw fail("short \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = bytes[i]
      let d: UInt32
      switch c {
      case 0x30...0x39: d = UInt32(c - 0x30)
      case 0x41...0x46: d = UInt32(c - 0x41 + 10)
      case 0x61...0x66: d = UInt32(c - 0x61 + 10)
      default: throw fail("bad hex digit")
      }
      v = v * 16 + d
      i += 1
    }
    return v
  }
}
