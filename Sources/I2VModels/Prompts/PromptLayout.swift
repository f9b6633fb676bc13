/// One content token of a laid-out prompt, with its weight.
public struct PromptToken: Sendable, Equatable {
  public let id: Int
  /// The BPE symbol, e.g. `"cat</w>"`.
  public let symbol: String
  public let weight: Double
  /// The prompt text it came from, in Unicode-scalar offsets into the prompt as written.
  public let source: Range<Int>

  /// The token as the model sees it (lower case, `</w>` dropped).
  public var text: String { CLIPToken(id: id, symbol: symbol, source: source).text }
}

/// What the text encoder reads in one pass: start, up to 75 content tokens, end, padding (77 ids), and the
/// weight of every position (1 for start, end and padding).
public struct PromptChunk: Sendable, Equatable {
  public let tokens: [PromptToken]
  public let ids: [Int]
  public let weights: [Double]

  public var isWeighted: Bool { weights.contains { $0 != 1 } }

  init(_ tokens: [PromptToken], tokenizer: CLIPTokenizer) {
    self.tokens = tokens
    let pad = tokenizer.maxContentTokens - tokens.count
    ids = [tokenizer.bosTokenID] + tokens.map(\.id) + [tokenizer.eosTokenID]
      + Array(repeating: tokenizer.padTokenID, count: pad)
    weights = [1] + tokens.map(\.weight) + [1] + Array(repeating: 1, count: pad)
  }
}

/// A prompt as the text encoder reads it: parsed (`PromptSyntax`), tokenized, and laid out in chunks.
///
/// Without `longPrompt` there is one chunk holding the first 75 tokens (diffusers' truncation); the rest is
/// `droppedTokens`. With it, AUTOMATIC1111's chunking (`modules/sd_hijack_clip.py`, `tokenize_line`): chunks
/// of 75 tokens; when a chunk is full and a comma is among its last 20 tokens, the tokens after that comma move
/// to the next chunk; the word `BREAK` (A1111's `re_break`, whole word, upper case) ends the chunk. Each chunk
/// is encoded on its own and the embeddings are concatenated. As in A1111, weighted text is tokenized one
/// segment at a time.
public struct PromptLayout: Sendable, Equatable {
  public let prompt: String
  public let syntax: PromptSyntax
  public let longPrompt: Bool
  /// The parsed prompt (one segment of weight 1 for plain syntax).
  public let segments: [PromptSegment]
  /// Every content token, in order (BREAK keywords excluded when they split chunks).
  public let tokens: [PromptToken]
  public private(set) var chunks: [PromptChunk]
  /// Tokens no chunk holds (only without `longPrompt`).
  public let droppedTokens: [PromptToken]
  /// `BREAK` keywords in the prompt: chunk boundaries with `longPrompt`, ordinary words without.
  public let breaks: Int
  /// Empty chunks appended so that the prompt and the negative prompt have the same length (`padded`).
  public private(set) var paddingChunks = 0
  public let maxContentTokens: Int

  /// A1111's `comma_padding_backtrack` default: how far back from a full chunk's end a comma is looked for.
  public static let commaBacktrack = 20

  /// - Throws: `PromptSyntaxError` for malformed weighted syntax (`field` names the prompt in the message).
  public init(_ prompt: String, syntax: PromptSyntax = .plain, longPrompt: Bool = false, tokenizer: CLIPTokenizer,
              cleanup: TextCleanup = .ftfy, field: String = "prompt") throws
  {
    self.prompt = prompt
    self.syntax = syntax
    self.longPrompt = longPrompt
    maxContentTokens = tokenizer.maxContentTokens
    segments = syntax == .plain ? [PromptSegment(plain: prompt)] : try WeightedPromptParser.parse(prompt, field: field)

    // Pieces to tokenize, nil marking a BREAK (only split out with longPrompt).
    var pieces: [PromptSegment?] = []
    var breakCount = 0
    for segment in segments {
      let parts = Self.splitAtBreaks(segment)
      breakCount += parts.count - 1
      if longPrompt {
        for (n, part) in parts.enumerated() { pieces += n > 0 ? [nil, part] : [part] }
      } else {
        pieces.append(segment)
      }
    }
    breaks = breakCount
    func tokenize(_ s: PromptSegment) -> [PromptToken] {
      guard !s.text.isEmpty else { return [] }
      return tokenizer.encode(s.text, cleanup: cleanup).tokens.map {
        PromptToken(id: $0.id, symbol: $0.symbol, weight: s.weight, source: s.promptRange($0.source))
      }
    }

    guard longPrompt else {
      let all = pieces.compactMap { $0 }.flatMap(tokenize)
      tokens = all
      chunks = [PromptChunk(Array(all.prefix(maxContentTokens)), tokenizer: tokenizer)]
      droppedTokens = Array(all.dropFirst(maxContentTokens))
      return
    }
    let comma = tokenizer.vocabulary[",</w>"]
    let length = maxContentTokens
    var all: [PromptToken] = []
    var done: [PromptChunk] = []
    var chunk: [PromptToken] = []
    var lastComma = -1
    func nextChunk() {
      done.append(PromptChunk(chunk, tokenizer: tokenizer))
      chunk = []
      lastComma = -1
    }
    for piece in pieces {
      guard let piece else {
        nextChunk()
        continue
      }
      for token in tokenize(piece) {
        all.append(token)
        if token.id == comma {
          lastComma = chunk.count
        } else if chunk.count == length && lastComma != -1 && chunk.count - lastComma <= Self.commaBacktrack {
          let moved = Array(chunk[(lastComma + 1)...])
          chunk.removeSubrange((lastComma + 1)...)
          nextChunk()
          chunk = moved
        }
        if chunk.count == length { nextChunk() }
        chunk.append(token)
      }
    }
    if !chunk.isEmpty || done.isEmpty { nextChunk() }
    tokens = all
    chunks = done
    droppedTokens = []
  }

  /// Content tokens in the prompt (all chunks, and what was dropped).
  public var count: Int { tokens.count }
  public var truncated: Bool { !droppedTokens.isEmpty }
  /// Chunks holding the prompt's own tokens (without the padding chunks).
  public var promptChunks: Int { chunks.count - paddingChunks }
  public var isWeighted: Bool { chunks.contains { $0.isWeighted } }

  /// The prompt text from the first dropped token to the end (whitespace-trimmed); "" when nothing was cut.
  public var droppedText: String {
    guard let first = droppedTokens.first else { return "" }
    let scalars = Array(prompt.unicodeScalars)
    var lo = first.source.lowerBound, hi = scalars.count
    while lo < hi && scalars[lo].properties.isWhitespace { lo += 1 }
    while hi > lo && scalars[hi - 1].properties.isWhitespace { hi -= 1 }
    return String(String.UnicodeScalarView(scalars[lo..<hi]))
  }

  /// The layout with empty chunks (start, end, padding; what the empty prompt encodes to) appended up to `n`:
  /// classifier-free guidance needs the prompt and the negative prompt to be equally long (A1111 pads the
  /// shorter one with the empty prompt's chunk, `sd_samplers_cfg_denoiser.py`, `pad_cond`).
  public func padded(toChunks n: Int, tokenizer: CLIPTokenizer) -> PromptLayout {
    var copy = self
    while copy.chunks.count < n {
      copy.chunks.append(PromptChunk([], tokenizer: tokenizer))
      copy.paddingChunks += 1
    }
    return copy
  }

  /// A segment cut at every `BREAK` (A1111's `re_break`, `\s*\bBREAK\b\s*`: the whole word in capitals, with
  /// the whitespace around it).
  static func splitAtBreaks(_ s: PromptSegment) -> [PromptSegment] {
    let scalars = Array(s.text.unicodeScalars)
    let word = Array("BREAK".unicodeScalars)
    func isWordChar(_ i: Int) -> Bool {
      guard i >= 0 && i < scalars.count else { return false }
      let p = scalars[i].properties
      return p.isAlphabetic || p.numericType != nil || scalars[i] == "_"
    }
    var parts: [PromptSegment] = []
    var start = 0, i = 0
    while i + word.count <= scalars.count {
      if Array(scalars[i..<(i + word.count)]) == word && !isWordChar(i - 1) && !isWordChar(i + word.count) {
        var lo = i, hi = i + word.count
        while lo > start && scalars[lo - 1].properties.isWhitespace { lo -= 1 }
        while hi < scalars.count && scalars[hi].properties.isWhitespace { hi += 1 }
        parts.append(PromptSegment(text: String(String.UnicodeScalarView(scalars[start..<lo])), weight: s.weight,
                                   origins: Array(s.origins[start..<lo])))
        start = hi
        i = hi
      } else {
        i += 1
      }
    }
    parts.append(PromptSegment(text: String(String.UnicodeScalarView(scalars[start...])), weight: s.weight,
                               origins: Array(s.origins[start...])))
    return parts
  }
}
