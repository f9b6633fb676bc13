/// One content token of a prompt, traced back to the prompt text it came from.
public struct CLIPToken: Sendable, Equatable {
  /// Vocabulary id.
  public let id: Int
  /// The BPE symbol, e.g. `"cat</w>"` (byte-level, so non-ASCII text shows as `bytes_to_unicode` symbols).
  public let symbol: String
  /// The prompt text this token belongs to, in Unicode-scalar offsets into the prompt. Tokens that BPE
  /// split out of one pre-tokenizer piece (e.g. `dis` + `figured</w>`) share the piece's span.
  public let source: Range<Int>

  /// The token's text as the model sees it (lower case, `</w>` dropped); a token holding part of a
  /// multi-byte character shows U+FFFD.
  public var text: String { Self.spelling([self]) }
}

/// The result of tokenizing one prompt the way the pipeline does
/// (`padding="max_length", max_length=77, truncation=True`), with a report of what truncation cut.
public struct CLIPTokenization: Sendable, Equatable {
  /// The prompt as given.
  public let prompt: String
  /// The `maxLength` ids the text encoder receives: bos, the first `maxContentTokens` content tokens,
  /// eos, then the pad token.
  public let ids: [Int]
  /// Every content token of the prompt (bos/eos excluded), before truncation.
  public let tokens: [CLIPToken]
  /// How many content tokens fit (75 for a 77-token model).
  public let maxContentTokens: Int

  /// Content tokens in the prompt before truncation (bos/eos not counted).
  public var count: Int { tokens.count }
  /// Whether some content tokens did not fit.
  public var truncated: Bool { tokens.count > maxContentTokens }
  /// Content tokens the model sees.
  public var keptCount: Int { min(tokens.count, maxContentTokens) }
  /// The content tokens that were cut.
  public var droppedTokens: ArraySlice<CLIPToken> { tokens[keptCount...] }

  /// The prompt text from the first dropped token to the end (whitespace-trimmed); "" when nothing was cut.
  /// When a word is cut in the middle, this starts at the beginning of the cut piece (see `cutWord`).
  public var droppedText: String {
    guard let first = droppedTokens.first else { return "" }
    let scalars = Array(prompt.unicodeScalars)
    return trimmed(scalars, first.source.lowerBound..<scalars.count)
  }

  /// The whitespace-separated words of the prompt that lost at least one token, in order;
  /// the first may be partly kept (see `cutWord`).
  public var droppedWords: [String] {
    guard let first = droppedTokens.first else { return [] }
    let scalars = Array(prompt.unicodeScalars)
    return Self.wordRanges(scalars).filter { $0.upperBound > first.source.lowerBound }
      .map { String(String.UnicodeScalarView(scalars[$0])) }
  }

  /// When truncation falls inside a word (`"swaying,"` → `sway` | `ing</w> ,</w>`): the word,
  /// the part the model still sees and the part that is cut. Inside the piece that BPE split, the parts
  /// are spelled from the tokens (lower case, as the model sees them); the rest is the prompt's text.
  public var cutWord: CutWord? {
    guard let first = droppedTokens.first else { return nil }
    let scalars = Array(prompt.unicodeScalars)
    let piece = first.source
    guard let nearest = Self.wordRanges(scalars).first(where: { $0.upperBound > piece.lowerBound }) else {
      return nil
    }
    // The text cleanup can join across what was whitespace in the prompt (ftfy turns U+0085 into "…"), so a
    // piece may start before its word or end after it (found by fuzzing): the word covers the piece.
    let word = min(nearest.lowerBound, piece.lowerBound)..<max(nearest.upperBound, piece.upperBound)
    let keptInPiece = tokens[..<keptCount].reversed().prefix(while: { $0.source == piece })
    guard word.lowerBound < piece.lowerBound || !keptInPiece.isEmpty else { return nil }
    func text(_ r: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[r])) }
    let before = text(word.lowerBound..<piece.lowerBound)
    if keptInPiece.isEmpty {
      return CutWord(word: text(word), kept: before, dropped: text(piece.lowerBound..<word.upperBound))
    }
    let droppedInPiece = droppedTokens.prefix(while: { $0.source == piece })
    let after = piece.upperBound < word.upperBound ? text(piece.upperBound..<word.upperBound) : ""
    return CutWord(
      word: text(word),
      kept: before + CLIPToken.spelling(keptInPiece.reversed()),
      dropped: CLIPToken.spelling(droppedInPiece) + after)
  }

  /// Runs of non-whitespace scalars.
  static func wordRanges(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
    var ranges: [Range<Int>] = []
    var start: Int?
    for (i, s) in scalars.enumerated() {
      let space = s.properties.isWhitespace
      if space, let st = start {
        ranges.append(st..<i)
        start = nil
      } else if !space && start == nil {
        start = i
      }
    }
    if let st = start { ranges.append(st..<scalars.count) }
    return ranges
  }

  private func trimmed(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> String {
    var lo = range.lowerBound
    var hi = range.upperBound
    while lo < hi && scalars[lo].properties.isWhitespace { lo += 1 }
    while hi > lo && scalars[hi - 1].properties.isWhitespace { hi -= 1 }
    return String(String.UnicodeScalarView(scalars[lo..<hi]))
  }
}

/// A prompt word that truncation cut in two.
public struct CutWord: Sendable, Equatable {
  /// The whole word as written in the prompt.
  public let word: String
  /// What of it the model still sees.
  public let kept: String
  /// What of it is cut.
  public let dropped: String
}

extension CLIPToken {
  /// The text of a run of tokens: byte symbols back to UTF-8, `</w>` dropped.
  static func spelling<S: Sequence>(_ tokens: S) -> String where S.Element == CLIPToken {
    var bytes: [UInt8] = []
    for t in tokens {
      var symbol = t.symbol
      if symbol.hasSuffix("</w>") { symbol.removeLast(4) }
      for s in symbol.unicodeScalars {
        if let b = ByteUnicodeTable.byte(for: s) { bytes.append(b) }
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
