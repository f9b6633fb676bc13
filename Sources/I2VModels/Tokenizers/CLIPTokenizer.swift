import Foundation

/// The CLIP BPE tokenizer, id-for-id equal to transformers' slow `CLIPTokenizer` (v4.57) with `ftfy` installed
/// (or without it: `TextCleanup.basic`), as diffusers' `I2VGenXLPipeline` calls it:
/// `tokenizer(prompt, padding="max_length", max_length=model_max_length, truncation=True)`.
///
/// Steps (transformers' slow `CLIPTokenizer`, `models/clip/tokenization_clip.py`): split out special-token strings written in the prompt, BERT-style cleanup
/// (`CLIPTextCleanup`), the pre-tokenizer regex (`CLIPPreTokenizer`), UTF-8 bytes → byte symbols,
/// BPE with `</w>` on the last symbol, vocabulary lookup; then bos + first 75 + eos, padded to 77.
public final class CLIPTokenizer: @unchecked Sendable {
  public let vocabulary: [String: Int]
  /// Pair "first second" → merge rank.
  let mergeRanks: [String: Int]
  public let bosToken: String
  public let eosToken: String
  public let padToken: String
  public let unkToken: String
  public let bosTokenID: Int
  public let eosTokenID: Int
  public let padTokenID: Int
  public let unkTokenID: Int
  /// Sequence length the text encoder receives (`model_max_length`, 77).
  public let maxLength: Int
  /// Strings that transformers' added-tokens trie splits out of the raw prompt before any cleanup.
  let addedTokens: [(scalars: [Unicode.Scalar], id: Int, content: String)]

  /// BPE results per byte-symbol piece (as transformers' `self.cache`), guarded by `cacheLock`.
  private var cache: [String: [(id: Int, symbol: String)]] = [:]
  private let cacheLock = NSLock()
  static let cacheLimit = 100_000

  /// Content tokens that fit between bos and eos (75).
  public var maxContentTokens: Int { maxLength - 2 }

  /// Loads a model's `tokenizer/` folder: `vocab.json`, `merges.txt` and, when present,
  /// `tokenizer_config.json` and `special_tokens_map.json` (which wins, as in transformers).
  public convenience init(directory: URL) throws {
    func read(_ name: String) throws -> Data {
      let url = directory.appendingPathComponent(name)
      guard let data = FileManager.default.contents(atPath: url.path) else {
        throw CLIPTokenizerError.missingFile(url.path)
      }
      return data
    }
    func readJSON(_ name: String) -> [String: Any] {
      let path = directory.appendingPathComponent(name).path
      guard let data = FileManager.default.contents(atPath: path),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
      else { return [:] }
      return object
    }
    try self.init(
      vocabularyJSON: read("vocab.json"), merges: read("merges.txt"),
      tokenizerConfig: readJSON("tokenizer_config.json"), specialTokensMap: readJSON("special_tokens_map.json"))
  }

  /// Builds a tokenizer from file contents; the config dictionaries may be empty (CLIP defaults apply).
  public init(
    vocabularyJSON: Data, merges: Data, tokenizerConfig: [String: Any] = [:], specialTokensMap: [String: Any] = [:]
  ) throws {
    vocabulary = try CLIPVocabularyFiles.parseVocabulary(vocabularyJSON)
    mergeRanks = CLIPVocabularyFiles.parseMerges(merges)
    try CLIPVocabularyFiles.checkMerges(merges, vocabulary: vocabulary)

    func token(_ key: String, _ fallback: String) -> String {
      Self.tokenContent(specialTokensMap[key]) ?? Self.tokenContent(tokenizerConfig[key]) ?? fallback
    }
    bosToken = token("bos_token", "<|startoftext|>")
    eosToken = token("eos_token", "<|endoftext|>")
    padToken = token("pad_token", "<|endoftext|>")
    unkToken = token("unk_token", "<|endoftext|>")

    // Added tokens: ids from `added_tokens_decoder` if listed there, else from the vocabulary.
    var added: [String: Int] = [:]
    if let decoder = tokenizerConfig["added_tokens_decoder"] as? [String: Any] {
      for (key, value) in decoder {
        if let id = Int(key), let content = Self.tokenContent(value) { added[content] = id }
      }
    }
    let vocab = vocabulary
    func id(_ content: String) throws -> Int {
      guard let id = vocab[content] ?? added[content] else { throw CLIPTokenizerError.missingToken(content) }
      return id
    }
    bosTokenID = try id(bosToken)
    eosTokenID = try id(eosToken)
    padTokenID = try id(padToken)
    unkTokenID = try id(unkToken)
    for special in [bosToken, eosToken, padToken, unkToken] where added[special] == nil {
      added[special] = try id(special)
    }
    addedTokens = added.map { (Array($0.key.unicodeScalars), $0.value, $0.key) }
      .sorted { $0.scalars.count > $1.scalars.count }  // longest first: leftmost-longest split
    maxLength = (tokenizerConfig["model_max_length"] as? NSNumber)?.intValue ?? 77

    cache = Self.seededCache(vocabulary: vocabulary, unknown: unkTokenID)
  }

  /// transformers seeds its BPE cache with the two CLIP specials, so a piece spelling either one
  /// (e.g. "<|ENDOFTEXT|>" lowercased by the cleanup) maps straight to its id.
  private static func seededCache(vocabulary: [String: Int], unknown: Int) -> [String: [(id: Int, symbol: String)]] {
    var cache: [String: [(id: Int, symbol: String)]] = [:]
    for special in ["<|startoftext|>", "<|endoftext|>"] { cache[special] = [(vocabulary[special] ?? unknown, special)] }
    return cache
  }

  /// Forgets the BPE results kept so far (results never change: this only gives memory back). The fuzz targets
  /// call it after each input, so that libFuzzer's per-input allocation count does not read a growing cache as a
  /// leak and stop to scan the heap.
  public func clearCache() {
    cacheLock.lock()
    cache = Self.seededCache(vocabulary: vocabulary, unknown: unkTokenID)
    cacheLock.unlock()
  }

  /// `content` of a token entry that is either a plain string or an AddedToken dictionary.
  static func tokenContent(_ value: Any?) -> String? {
    if let s = value as? String { return s }
    if let d = value as? [String: Any], let s = d["content"] as? String { return s }
    return nil
  }

  // MARK: - Encoding

  /// Tokenizes one prompt exactly as the pipeline does, keeping every token's source span.
  public func encode(_ prompt: String, cleanup: TextCleanup = .ftfy) -> CLIPTokenization {
    let scalars = Array(prompt.unicodeScalars)
    var tokens: [CLIPToken] = []
    var segmentStart = 0
    var i = 0
    while i <= scalars.count {
      let special = i < scalars.count ? addedToken(in: scalars, at: i) : nil
      if i == scalars.count || special != nil {
        appendText(scalars[segmentStart..<i], offset: segmentStart, cleanup: cleanup, to: &tokens)
        if let special {
          let end = i + special.scalars.count
          tokens.append(CLIPToken(id: special.id, symbol: special.content, source: i..<end))
          i = end
          segmentStart = end
          continue
        }
      }
      i += 1
    }
    var ids = [bosTokenID]
    ids += tokens.prefix(maxContentTokens).map(\.id)
    ids.append(eosTokenID)
    ids += Array(repeating: padTokenID, count: max(0, maxLength - ids.count))
    return CLIPTokenization(prompt: prompt, ids: ids, tokens: tokens, maxContentTokens: maxContentTokens)
  }

  /// The `maxLength` ids of each prompt.
  public func ids(_ prompt: String, cleanup: TextCleanup = .ftfy) -> [Int] { encode(prompt, cleanup: cleanup).ids }

  /// The added token (longest first) that starts at `i`, if any; matching is case-sensitive.
  private func addedToken(
    in scalars: [Unicode.Scalar], at i: Int
  ) -> (scalars: [Unicode.Scalar], id: Int, content: String)? {
    for token in addedTokens where scalars.count - i >= token.scalars.count {
      if scalars[i..<(i + token.scalars.count)].elementsEqual(token.scalars) { return token }
    }
    return nil
  }

  /// `CLIPTokenizer._tokenize` of one text segment between special tokens.
  private func appendText(
    _ segment: ArraySlice<Unicode.Scalar>, offset: Int, cleanup: TextCleanup, to tokens: inout [CLIPToken]
  ) {
    guard !segment.isEmpty else { return }
    let words: [[TaggedScalar]]
    switch cleanup {
    case .basic: words = CLIPTextCleanup.words(segment, offset: offset)
    case .ftfy: words = FTFYCleanup.words(segment, offset: offset)
    }
    for word in words {
      for piece in CLIPPreTokenizer.pieces(word) {
        for t in bpe(byteSymbols: ByteUnicodeTable.symbols(forUTF8: piece.text)) {
          tokens.append(CLIPToken(id: t.id, symbol: t.symbol, source: piece.origin))
        }
      }
    }
  }

  // MARK: - BPE

  /// BPE of one piece given as byte symbols, with `</w>` on the last; cached per piece.
  func bpe(byteSymbols: [String]) -> [(id: Int, symbol: String)] {
    let key = byteSymbols.joined()
    cacheLock.lock()
    let cached = cache[key]
    cacheLock.unlock()
    if let cached { return cached }

    var word = byteSymbols
    word[word.count - 1] += "</w>"
    while word.count > 1 {
      // The adjacent pair with the lowest rank.
      var best: (rank: Int, first: String, second: String)?
      for k in 0..<(word.count - 1) {
        if let rank = mergeRanks[word[k] + " " + word[k + 1]], rank < (best?.rank ?? Int.max) {
          best = (rank, word[k], word[k + 1])
        }
      }
      guard let (_, first, second) = best else { break }
      // Merge every non-overlapping occurrence, left to right.
      var merged: [String] = []
      merged.reserveCapacity(word.count)
      var k = 0
      while k < word.count {
        if k < word.count - 1 && word[k] == first && word[k + 1] == second {
          merged.append(first + second)
          k += 2
        } else {
          merged.append(word[k])
          k += 1
        }
      }
      word = merged
    }
    let result = word.map { (id: vocabulary[$0] ?? unkTokenID, symbol: $0) }
    cacheLock.lock()
    // Bounded: a long-running process (a batch, a server) tokenizing endless new words would otherwise grow it.
    if cache.count >= Self.cacheLimit { cache = Self.seededCache(vocabulary: vocabulary, unknown: unkTokenID) }
    cache[key] = result
    cacheLock.unlock()
    return result
  }
}
