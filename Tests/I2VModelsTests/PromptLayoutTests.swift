import Foundation
import I2VCheckpoint
import Testing

@testable import I2VModels

/// The fixture models' tokenizer (the real model's files) and the reference layouts of
/// Scripts/make_prompt_fixtures.py (AUTOMATIC1111's rules, written independently in Python).
enum PromptFixtures {
  static let root = FixturePaths.fixture("")
  static let tokenizer: Result<CLIPTokenizer, Error> = Result {
    try CLIPTokenizer(directory: root.appendingPathComponent("models/tiny-a/tokenizer"))
  }

  /// `config/case` of every reference made by Scripts/make_prompt_fixtures.py.
  static let cases: [String] = ["tiny-a", "tiny-b"].flatMap { config in
    ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("reference-prompts/\(config)").path))
      ?? []).filter { $0.hasSuffix(".json") }.sorted().map { "\(config)/\($0.dropLast(5))" }
  }

  static func meta(_ name: String) throws -> JSONConfig {
    try JSONConfig(path: root.appendingPathComponent("reference-prompts/\(name).json").path)
  }

  static func tensors(_ name: String) throws -> SafeTensorsFile {
    try SafeTensorsFile(path: root.appendingPathComponent("reference-prompts/\(name).safetensors").path)
  }

  /// The plan `generate` makes for a reference case.
  static func plan(_ name: String, tokenizer: CLIPTokenizer) throws -> PromptPlan {
    let m = try meta(name)
    let syntax = PromptSyntax(rawValue: try m.string("prompt_syntax"))!
    let long = try m.bool("long_prompt", default: false)
    let positive = try PromptLayout(try m.string("prompt"), syntax: syntax, longPrompt: long, tokenizer: tokenizer)
    let negative = try PromptLayout(try m.string("negative_prompt"), syntax: syntax, longPrompt: long,
                                    tokenizer: tokenizer)
    return PromptPlan(positive: positive, negative: negative, tokenizer: tokenizer)
  }
}

@Suite struct PromptLayoutTests {
  let tok: CLIPTokenizer
  init() throws { tok = try PromptFixtures.tokenizer.get() }

  func layout(_ p: String, _ syntax: PromptSyntax = .plain, long: Bool = true) throws -> PromptLayout {
    try PromptLayout(p, syntax: syntax, longPrompt: long, tokenizer: tok)
  }

  func words(_ n: Int, _ w: String = "a") -> String { Array(repeating: w, count: n).joined(separator: " ") }

  /// Without --long-prompt (and with it, for a prompt that fits) the ids are diffusers' exactly.
  @Test func plainIsDiffusers() throws {
    let long = try PromptFixtures.meta("tiny-a/a_long_plain").string("prompt")
    for p in ["a cat turning its head", "", long, words(75), words(80)] {
      let t = tok.encode(p)
      let l = try layout(p, long: false)
      #expect(l.chunks.map(\.ids) == [t.ids])
      #expect(l.tokens.map(\.id) == t.tokens.map(\.id))
      #expect(l.droppedText == t.droppedText)
      #expect(!l.isWeighted)
      if t.count <= 75 { #expect(try layout(p, long: true).chunks.map(\.ids) == [t.ids]) }
    }
    #expect(try layout(long, long: false).truncated)
  }

  /// The request's text cleanup reaches every tokenization, in each syntax and with chunks.
  @Test func textCleanupIsCarried() throws {
    let text = "東京の夜, (neon:1.2)"
    let basic = tok.encode(text, cleanup: .basic).ids, ftfy = tok.encode(text, cleanup: .ftfy).ids
    #expect(basic != ftfy)
    for long in [false, true] {
      for (cleanup, ids) in [(TextCleanup.basic, basic), (.ftfy, ftfy)] {
        let l = try PromptLayout(text, longPrompt: long, tokenizer: tok, cleanup: cleanup)
        #expect(l.chunks.map(\.ids) == [ids], "\(cleanup) long \(long)")
      }
      let w = try PromptLayout(text, syntax: .weighted, longPrompt: long, tokenizer: tok, cleanup: .basic)
      #expect(w.tokens.map(\.id) == tok.encode("東京の夜, ", cleanup: .basic).tokens.map(\.id)
        + tok.encode("neon", cleanup: .basic).tokens.map(\.id))
    }
  }

  @Test func weightedWithoutWeightsIsPlain() throws {
    for (weighted, plain) in [("a cat turning its head", "a cat turning its head"), ("a (cat:1) b", "a cat b"),
                              ("a () b", "a  b"), (#"x \(y\)"#, "x (y)")]
    {
      let w = try layout(weighted, .weighted, long: false), p = try layout(plain, long: false)
      #expect(w.chunks.map(\.ids) == p.chunks.map(\.ids), "\(weighted)")
      #expect(w.chunks.map(\.weights) == p.chunks.map(\.weights) && !w.isWeighted, "\(weighted)")
    }
  }

  @Test func chunksOf75() throws {
    #expect(try layout(words(75)).chunks.count == 1)
    let two = try layout(words(76))
    #expect(two.chunks.map(\.tokens.count) == [75, 1])
    #expect(two.chunks[1].ids.prefix(3) == [tok.bosTokenID, tok.vocabulary["a</w>"]!, tok.eosTokenID])
    #expect(two.chunks.allSatisfy { $0.ids.count == 77 && $0.weights.count == 77 })
    #expect(!two.truncated && two.droppedTokens.isEmpty)
    #expect(try layout(words(200)).chunks.map(\.tokens.count) == [75, 75, 50])
  }

  /// A full chunk ends after its last comma when the comma is among its last 20 tokens (A1111's
  /// comma_padding_backtrack); the tokens after it start the next chunk.
  @Test func commaRule() throws {
    func sizes(_ before: Int, _ after: Int) throws -> [Int] {
      try layout(words(before) + ", " + words(after, "b")).chunks.map(\.tokens.count)
    }
    #expect(try sizes(60, 20) == [61, 20])  // the comma is token 61: 14 from the end
    #expect(try sizes(55, 25) == [56, 25])  // 20 from the end: still moved
    #expect(try sizes(54, 26) == [75, 6])  // 21 from the end: the chunk is cut at 75
    #expect(try sizes(60, 10) == [71])  // fits: no cut
    #expect(try sizes(74, 5) == [75, 5])  // the comma is the 75th token: nothing to move
    // Only the last comma counts, and the moved text keeps its tokens.
    let l = try layout(words(30) + ", " + words(30) + ", " + words(20, "b"))
    #expect(l.chunks.map(\.tokens.count) == [62, 20])
    #expect(l.chunks[1].tokens.allSatisfy { $0.text == "b" })
  }

  @Test func breakStartsAChunk() throws {
    let l = try layout("a red fox BREAK in the snow")
    #expect(l.chunks.map { $0.tokens.map(\.text) } == [["a", "red", "fox"], ["in", "the", "snow"]])
    #expect(l.breaks == 1)
    #expect(try layout("BREAK a").chunks.map(\.tokens.count) == [0, 1])
    #expect(try layout("a BREAK BREAK b").chunks.map(\.tokens.count) == [1, 0, 1])
    // Only the whole word in capitals.
    #expect(try layout("a break b").chunks.count == 1)
    #expect(try layout("BREAKFAST a_BREAK").chunks.count == 1)
    // In weighted text too, with the weights kept on both sides.
    let w = try layout("(a BREAK b:1.5) c", .weighted)
    #expect(w.chunks.map { $0.tokens.map(\.weight) } == [[1.5], [1.5, 1]])
    // Without --long-prompt it is a word (the run says so).
    let off = try layout("a BREAK b", long: false)
    #expect(off.chunks.map { $0.tokens.map(\.text) } == [["a", "break", "b"]])
    #expect(off.breaks == 1)
  }

  @Test func weightsFollowTheirTokens() throws {
    let l = try layout("a (red fox:1.5) [jumps]", .weighted, long: false)
    #expect(l.tokens.map(\.text) == ["a", "red", "fox", "jumps"])
    #expect(l.tokens.map(\.weight) == [1, 1.5, 1.5, 1 / 1.1])
    let scalars = Array(l.prompt.unicodeScalars)
    #expect(l.tokens.map { String(String.UnicodeScalarView(scalars[$0.source])) } == ["a", "red", "fox", "jumps"])
    #expect(l.chunks[0].weights.prefix(6) == [1, 1, 1.5, 1.5, 1 / 1.1, 1])
    #expect(l.isWeighted)
    // Truncation keeps the weights of what fits.
    let cut = try layout("(" + words(80) + ":2)", .weighted, long: false)
    #expect(cut.chunks[0].weights == [1] + Array(repeating: 2, count: 75) + [1])
    #expect(cut.droppedTokens.count == 5)
  }

  /// Guidance needs equal lengths: the shorter prompt gets empty chunks (what "" encodes to).
  @Test func shorterPromptIsPadded() throws {
    let long = try layout(words(100)), short = try layout("blurry")
    let empty = try layout("", long: false).chunks[0]
    for (p, n) in [(long, short), (short, long)] {
      let plan = PromptPlan(positive: p, negative: n, tokenizer: tok)
      #expect(plan.chunkCount == 2)
      #expect(plan.positive.chunks.count == 2 && plan.negative!.chunks.count == 2)
      let padded = p.chunks.count == 1 ? plan.positive : plan.negative!
      #expect(padded.paddingChunks == 1 && padded.promptChunks == 1)
      #expect(padded.chunks[1] == empty)
    }
    #expect(PromptPlan(positive: long, negative: nil, tokenizer: tok).chunkCount == 2)
  }

  /// The same chunks and weights as the Python implementation of A1111's rules that made the references.
  @Test(arguments: PromptFixtures.cases)
  func matchesTheReferenceLayout(_ name: String) throws {
    let plan = try PromptFixtures.plan(name, tokenizer: tok)
    let file = try PromptFixtures.tensors(name)
    for (layout, ids, weights) in [(plan.positive, "prompt_ids", "prompt_weights"),
                                   (plan.negative!, "negative_ids", "negative_weights")]
    {
      let refIDs = try file.tensor(ids).toArray(Int64.self).map { Int($0) }
      let refWeights = try file.tensor(weights).floats()
      #expect(layout.chunks.flatMap(\.ids) == refIDs, "\(name) \(ids)")
      #expect(layout.chunks.flatMap(\.weights).map { Float($0) } == refWeights, "\(name) \(weights)")
    }
    #expect(plan.chunkCount == (try PromptFixtures.meta(name).int("chunks")))
  }

  @Test func everyReferenceIsPresent() {
    #expect(PromptFixtures.cases.count >= 5)
  }
}
