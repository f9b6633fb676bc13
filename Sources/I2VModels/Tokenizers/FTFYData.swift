/// A set of Unicode scalars as sorted, disjoint inclusive ranges.
struct ScalarSet: Sendable {
  private var lower: [UInt32] = []
  private var upper: [UInt32] = []
  /// Python's `\s` / `\w` as extra members of a regular-expression class.
  var withPythonSpace = false
  var withPythonWord = false
  var negated = false

  /// Parses `"41-5A 61 FFFD"` (hexadecimal, as Scripts/make_text_tables.py writes them).
  init(ranges text: Substring) {
    for field in text.split(separator: " ") {
      let bounds = field.split(separator: "-", maxSplits: 1)
      let lo = UInt32(bounds[0], radix: 16)!
      let hi = bounds.count == 2 ? UInt32(bounds[1], radix: 16)! : lo
      lower.append(lo)
      upper.append(hi)
    }
  }

  init(ranges text: String) { self.init(ranges: Substring(text)) }

  func contains(_ s: Unicode.Scalar) -> Bool {
    var member = containsListed(s.value)
    if !member && withPythonSpace { member = FTFYData.pythonSpace.containsListed(s.value) }
    if !member && withPythonWord { member = FTFYData.pythonWord.containsListed(s.value) }
    return member != negated
  }

  private func containsListed(_ v: UInt32) -> Bool {
    // The last range starting at or below v.
    var lo = 0
    var hi = lower.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if lower[mid] <= v { lo = mid + 1 } else { hi = mid }
    }
    return lo > 0 && v <= upper[lo - 1]
  }
}

/// One item of a `BADNESS_RE` alternative.
enum BadnessItem: Sendable {
  case oneOf(ScalarSet)
  /// `.`: anything but a newline.
  case any
  /// `^`: only at the start of the text.
  case start
}

/// A single-byte encoding of ftfy's `CHARMAP_ENCODINGS`: what bytes 0x80-0xFF and 0x1A decode to; the other
/// ASCII bytes are themselves in all of them (checked by the table generator).
struct Charmap: Sendable {
  let name: String
  private let toByte: [UInt32: UInt8]

  init(line: Substring) {
    let fields = line.split(separator: " ")
    name = String(fields[0])
    var map: [UInt32: UInt8] = [:]
    for pair in fields.dropFirst() {
      let parts = pair.split(separator: ":")
      map[UInt32(parts[0], radix: 16)!] = UInt8(parts[1], radix: 16)!
    }
    toByte = map
  }

  /// `text.encode(name)` when every scalar is encodable (ftfy's `possible_encoding`), else nil.
  func encode(_ s: Unicode.Scalar) -> UInt8? {
    let v = s.value
    if v < 0x80 && v != 0x1A { return UInt8(v) }
    return toByte[v]
  }

  var isSloppy: Bool { name.hasPrefix("sloppy") }
}

/// ftfy's tables (FTFYTables, generated from ftfy itself), parsed on first use.
enum FTFYData {
  static let charmaps: [Charmap] = lines(FTFYTables.charmaps).map { Charmap(line: $0) }

  /// Strict windows-1252 for bytes 0x80-0x9F (nil: undefined, a decode error).
  static let windows1252Strict: [Unicode.Scalar?] = FTFYTables.windows1252Strict.split(separator: " ").map {
    $0 == "-" ? nil : Unicode.Scalar(UInt32($0, radix: 16)!)
  }
  static let c1AsWindows1252: [Unicode.Scalar] = FTFYTables.c1AsWindows1252.split(separator: " ").map {
    Unicode.Scalar(UInt32($0, radix: 16)!)!
  }

  static let utf8FirstOf2 = ScalarSet(ranges: FTFYTables.utf8FirstOf2)
  static let utf8FirstOf3 = ScalarSet(ranges: FTFYTables.utf8FirstOf3)
  static let utf8FirstOf4 = ScalarSet(ranges: FTFYTables.utf8FirstOf4)
  static let utf8Continuation = ScalarSet(ranges: FTFYTables.utf8Continuation)
  static let utf8ContinuationStrict = ScalarSet(ranges: FTFYTables.utf8ContinuationStrict)

  static let badness: [[BadnessItem]] = lines(FTFYTables.badness).map { line in
    var items: [BadnessItem] = []
    var rest = line[...]
    while let first = rest.first {
      switch first {
      case " ": rest = rest.dropFirst()
      case ".": items.append(.any); rest = rest.dropFirst()
      case "^": items.append(.start); rest = rest.dropFirst()
      default:
        // "[ranges]" or "[^ranges]", then optional "+s" / "+w" flags.
        precondition(first == "[", "bad badness table")
        let close = rest.firstIndex(of: "]")!
        var body = rest[rest.index(after: rest.startIndex)..<close]
        let negated = body.first == "^"
        if negated { body = body.dropFirst() }
        var set = ScalarSet(ranges: body)
        set.negated = negated
        rest = rest[rest.index(after: close)...]
        while rest.hasPrefix("+") {
          let flag = rest.dropFirst().first
          if flag == "s" { set.withPythonSpace = true }
          if flag == "w" { set.withPythonWord = true }
          rest = rest.dropFirst(2)
        }
        items.append(.oneOf(set))
      }
    }
    return items
  }

  static let htmlEntities: [String: [Unicode.Scalar]] = {
    var map: [String: [Unicode.Scalar]] = [:]
    for line in lines(FTFYTables.htmlEntities) {
      let parts = line.split(separator: " ")
      map[String(parts[0])] = scalars(parts[1])
    }
    return map
  }()

  static let invalidCharrefs: [UInt32: [Unicode.Scalar]] = mapping(FTFYTables.invalidCharrefs)
  static let droppedCodepoints = ScalarSet(ranges: FTFYTables.droppedCodepoints)
  static let widthMap: [UInt32: [Unicode.Scalar]] = mapping(FTFYTables.widthMap)
  static let ligatures: [UInt32: [Unicode.Scalar]] = mapping(FTFYTables.ligatures)
  static let controlChars = ScalarSet(ranges: FTFYTables.controlChars)
  static let singleQuotes = ScalarSet(ranges: FTFYTables.singleQuotes)
  static let doubleQuotes = ScalarSet(ranges: FTFYTables.doubleQuotes)
  static let pythonSpace = ScalarSet(ranges: FTFYTables.pythonSpace)
  static let pythonWord = ScalarSet(ranges: FTFYTables.pythonWord)

  private static func lines(_ text: String) -> [Substring] {
    text.split(separator: "\n").filter { !$0.isEmpty }
  }

  private static func scalars(_ dotted: Substring) -> [Unicode.Scalar] {
    dotted.split(separator: ".").map { Unicode.Scalar(UInt32($0, radix: 16)!)! }
  }

  private static func mapping(_ text: String) -> [UInt32: [Unicode.Scalar]] {
    var map: [UInt32: [Unicode.Scalar]] = [:]
    for pair in text.split(separator: " ") {
      let parts = pair.split(separator: ":")
      map[UInt32(parts[0], radix: 16)!] = scalars(parts[1])
    }
    return map
  }
}
