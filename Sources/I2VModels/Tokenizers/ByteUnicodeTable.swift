// GPT-2/CLIP `bytes_to_unicode`: every UTF-8 byte maps to one printable Unicode scalar, so that a
// byte string becomes a string of BPE symbols without whitespace or control characters.

/// The byte → symbol table of OpenAI's `bytes_to_unicode` (`tokenization_clip.py`).
enum ByteUnicodeTable {
  /// `symbols[b]` is the one-scalar string that byte `b` is written as in `vocab.json` / `merges.txt`.
  static let symbols: [String] = {
    var printable = [Bool](repeating: false, count: 256)
    for b in 33...126 { printable[b] = true }
    for b in 161...172 { printable[b] = true }
    for b in 174...255 { printable[b] = true }
    // The 68 non-printable bytes, in increasing order, go to U+0100, U+0101, …
    var next: UInt32 = 256
    var table = [String](repeating: "", count: 256)
    for b in 0..<256 {
      if printable[b] {
        table[b] = String(Unicode.Scalar(UInt8(b)))
      } else {
        table[b] = String(Unicode.Scalar(next)!)
        next += 1
      }
    }
    return table
  }()

  /// Writes `text`'s UTF-8 bytes as BPE symbols (one string per byte).
  static func symbols(forUTF8 text: String) -> [String] {
    text.utf8.map { symbols[Int($0)] }
  }
}

extension ByteUnicodeTable {
  private static let bytesBySymbol: [Unicode.Scalar: UInt8] = {
    var map: [Unicode.Scalar: UInt8] = [:]
    for (b, s) in symbols.enumerated() { map[s.unicodeScalars.first!] = UInt8(b) }
    return map
  }()

  /// The byte a symbol scalar stands for (nil for scalars outside the table).
  static func byte(for symbol: Unicode.Scalar) -> UInt8? { bytesBySymbol[symbol] }
}
