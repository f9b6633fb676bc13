/// Unicode Normalization Form C over Unicode 14.0 data (what Python 3.11's `unicodedata.normalize`
/// uses). Foundation's `precomposedStringWithCanonicalMapping` is not used: on Linux it skips the
/// canonical reordering of marks from neighbouring decompositions (U+0F73 U+0F73) and turns old
/// Hangul jamo pairs (U+1113 U+116C) into U+FFFD.
enum UnicodeNFC {
  /// Single-step canonical decompositions and the pairs NFC composes, parsed once from the table.
  private static let tables: (decompose: [UInt32: [UInt32]], compose: [UInt64: UInt32]) = {
    var decompose: [UInt32: [UInt32]] = [:]
    var compose: [UInt64: UInt32] = [:]
    for entry in decompositionData.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
      var text = Substring(entry)
      let composes = text.first == "*"
      if composes { text = text.dropFirst() }
      let halves = text.split(separator: ":")
      let cp = UInt32(halves[0], radix: 16)!
      let parts = halves[1].split(separator: ",").map { UInt32($0, radix: 16)! }
      decompose[cp] = parts
      if composes { compose[UInt64(parts[0]) << 32 | UInt64(parts[1])] = cp }
    }
    return (decompose, compose)
  }()

  // Hangul syllable arithmetic (Unicode §3.12).
  private static let sBase: UInt32 = 0xAC00, lBase: UInt32 = 0x1100, vBase: UInt32 = 0x1161, tBase: UInt32 = 0x11A7
  private static let lCount: UInt32 = 19, vCount: UInt32 = 21, tCount: UInt32 = 28
  private static let sCount: UInt32 = 11172

  static func normalize(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
    var d: [UInt32] = []
    d.reserveCapacity(scalars.count)
    for s in scalars { decompose(s.value, into: &d) }
    reorder(&d)
    return compose(d).map { Unicode.Scalar($0)! }
  }

  private static func ccc(_ v: UInt32) -> UInt8 {
    guard v >= 0x300 else { return 0 }
    let s = Unicode.Scalar(v)!
    // Marks assigned after Unicode 14 (e.g. U+1ACF-U+1AFF) are unassigned, class 0, for Python 3.11.
    return CLIPTextCleanup.isAssignedInPython(s) ? s.properties.canonicalCombiningClass.rawValue : 0
  }

  private static func decompose(_ v: UInt32, into out: inout [UInt32]) {
    if v >= sBase && v < sBase + sCount {
      let index = v - sBase
      out.append(lBase + index / (vCount * tCount))
      out.append(vBase + (index % (vCount * tCount)) / tCount)
      if index % tCount != 0 { out.append(tBase + index % tCount) }
    } else if v >= 0xC0, let parts = tables.decompose[v] {
      for p in parts { decompose(p, into: &out) }
    } else {
      out.append(v)
    }
  }

  /// Canonical ordering: a stable sort of every run of non-starters by combining class.
  private static func reorder(_ d: inout [UInt32]) {
    var i = 0
    while i < d.count {
      guard ccc(d[i]) != 0 else {
        i += 1
        continue
      }
      var j = i
      while j < d.count && ccc(d[j]) != 0 { j += 1 }
      if j - i > 1 {
        let run = d[i..<j].enumerated().sorted {
          let (a, b) = (ccc($0.element), ccc($1.element))
          return a != b ? a < b : $0.offset < $1.offset
        }
        d.replaceSubrange(i..<j, with: run.map(\.element))
      }
      i = j
    }
  }

  /// The canonical composition algorithm (UAX #15): each character composes with the last starter
  /// unless a character in between has class 0 or a class ≥ its own.
  private static func compose(_ d: [UInt32]) -> [UInt32] {
    guard !d.isEmpty else { return d }
    var out = [d[0]]
    var starter: Int? = ccc(d[0]) == 0 ? 0 : nil
    var lastClass: Int = ccc(d[0]) == 0 ? 0 : 256
    for ch in d.dropFirst() {
      let chClass = Int(ccc(ch))
      if let s = starter, lastClass < chClass || lastClass == 0, let composite = pair(out[s], ch) {
        out[s] = composite
        continue
      }
      if chClass == 0 { starter = out.count }
      lastClass = chClass
      out.append(ch)
    }
    return out
  }

  private static func pair(_ a: UInt32, _ b: UInt32) -> UInt32? {
    if a >= lBase && a < lBase + lCount && b >= vBase && b < vBase + vCount {
      return sBase + ((a - lBase) * vCount + (b - vBase)) * tCount
    }
    if a >= sBase && a < sBase + sCount && (a - sBase) % tCount == 0 && b > tBase && b < tBase + tCount {
      return a + (b - tBase)
    }
    return tables.compose[UInt64(a) << 32 | UInt64(b)]
  }
}
