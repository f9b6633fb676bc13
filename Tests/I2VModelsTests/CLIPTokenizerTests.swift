import Foundation
import XCTest

@testable import I2VModels

/// One tokenizer for all tests (loading takes a fraction of a second).
enum SharedTokenizer {
  static let result: Result<CLIPTokenizer, Error> = Result {
    guard let dir = FixturePaths.tokenizerDirectory else {
      throw CLIPTokenizerError.missingFile("no tokenizer folder at Tests/Fixtures/real/configs/tokenizer")
    }
    return try CLIPTokenizer(directory: dir)
  }
  static func get() throws -> CLIPTokenizer { try result.get() }
}

final class CLIPTokenizerTests: XCTestCase {
  func testLoadsRealVocabularyAndSpecials() throws {
    let tok = try SharedTokenizer.get()
    XCTAssertEqual(tok.vocabulary.count, 49408)
    XCTAssertEqual(tok.mergeRanks.count, 48894)
    XCTAssertEqual(tok.mergeRanks["i n"], 0)
    XCTAssertEqual(tok.vocabulary["jekyll</w>"], 49405)
    XCTAssertEqual([tok.bosTokenID, tok.eosTokenID, tok.padTokenID, tok.unkTokenID], [49406, 49407, 49407, 49407])
    XCTAssertEqual(tok.maxLength, 77)
  }

  /// A damaged merges.txt is refused when the tokenizer loads (it would tokenise prompts differently).
  func testDamagedMergesAreRefused() throws {
    guard let dir = FixturePaths.tokenizerDirectory else { return XCTFail("no tokenizer folder") }
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-tok-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: dir, to: copy)
    defer { try? FileManager.default.removeItem(at: copy) }
    let merges = copy.appendingPathComponent("merges.txt")
    var lines = try String(contentsOf: merges, encoding: .utf8).components(separatedBy: "\n")
    lines[500] = "zq xj"
    try lines.joined(separator: "\n").write(to: merges, atomically: true, encoding: .utf8)
    XCTAssertThrowsError(try CLIPTokenizer(directory: copy)) { error in
      XCTAssertTrue("\(error)".contains("merges.txt line 501: 'zq xj' does not merge"), "\(error)")
    }
  }

  func testVocabularyLoadingIsFast() throws {
    guard let dir = FixturePaths.tokenizerDirectory else { return XCTFail("no tokenizer folder") }
    let start = Date()
    _ = try CLIPTokenizer(directory: dir)
    let seconds = Date().timeIntervalSince(start)
    // Debug builds load in about 0.1 s; generic JSON decoding would be several times slower.
    XCTAssertLessThan(seconds, 1.0, "loading the tokenizer took \(seconds) s")
  }

  /// Spec §4.4 worked examples (ids before padding).
  func testSpecWorkedExamples() throws {
    let tok = try SharedTokenizer.get()
    let examples: [(String, [Int])] = [
      ("A painting of a squirrel eating a burger", [49406, 320, 3086, 539, 320, 14004, 4371, 320, 6548, 49407]),
      ("", [49406, 49407]),
      ("my cat", [49406, 607, 2368, 49407]),
      (
        "Papers were floating in the air on a table in the library",
        [49406, 8204, 1365, 12619, 530, 518, 1922, 525, 320, 2175, 530, 518, 3519, 49407]
      ),
      (
        "It's 2024 \u{2014} Café  naïve!!  <3 x264",
        [49406, 585, 568, 273, 271, 273, 275, 2005, 15304, 1097, 35689, 563, 748, 283, 274, 343, 273, 277, 275, 49407]
      ),
      (
        "Don\u{2019}t  \u{FF21}\u{FF22} &amp; fish",
        [49406, 847, 728, 503, 339, 171, 121, 223, 171, 121, 480, 261, 6259, 282, 2759, 49407]
      ),
    ]
    for (prompt, expected) in examples {
      let ids = tok.encode(prompt, cleanup: .basic).ids
      XCTAssertEqual(ids.count, 77)
      XCTAssertEqual(Array(ids.prefix(expected.count)), expected, prompt)
      XCTAssertEqual(Set(ids.dropFirst(expected.count)), expected.count < 77 ? [49407] : [], prompt)
    }
  }

  /// Token ids equal to transformers' slow CLIPTokenizer on every fixture prompt: with ftfy (the default
  /// cleanup) and without it (`.basic`).
  func testFixturePromptsMatchTransformers() throws {
    let tok = try SharedTokenizer.get()
    let file = FixturePaths.fixture("tokenizer/prompts.jsonl")
    let text = try String(contentsOf: file, encoding: .utf8)
    var checked = 0
    var cleanupsDiffer = 0
    var failures: [String] = []
    for line in text.split(separator: "\n") where !line.isEmpty {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
      let prompt = object["prompt"] as! String
      for (cleanup, key) in [(TextCleanup.ftfy, "ids"), (.basic, "ids_basic")] {
        let ids = (object[key] as! [NSNumber]).map(\.intValue)
        let result = tok.encode(prompt, cleanup: cleanup)
        if result.ids != ids { failures.append("\(cleanup) ids of \(prompt.debugDescription)") }
        let full = (object[key == "ids" ? "ids_untruncated" : "ids_basic_untruncated"] as! [NSNumber]).map(\.intValue)
        if result.tokens.map(\.id) != Array(full.dropFirst().dropLast()) {
          failures.append("\(cleanup) untruncated ids of \(prompt.debugDescription)")
        }
      }
      if (object["ids_untruncated"] as! [NSNumber]) != (object["ids_basic_untruncated"] as! [NSNumber]) {
        cleanupsDiffer += 1
      }
      checked += 1
    }
    XCTAssertGreaterThanOrEqual(checked, 600)
    XCTAssertGreaterThanOrEqual(cleanupsDiffer, 300, "the fixture should exercise where the two cleanups differ")
    XCTAssertEqual(failures, [], "\(failures.count) of \(2 * checked) tokenizations differ")
  }

  /// Optional extra corpus (same JSONL format; `ids` may leave out the trailing pad tokens) named by
  /// I2V_TOKENIZER_EXTRA_JSONL, for fuzzing against transformers.
  func testExtraCorpusIfGiven() throws {
    guard let path = ProcessInfo.processInfo.environment["I2V_TOKENIZER_EXTRA_JSONL"] else { return }
    let tok = try SharedTokenizer.get()
    var checked = 0
    var failures = 0
    for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where !line.isEmpty {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
      let prompt = object["prompt"] as! String
      var ids = (object["ids"] as! [NSNumber]).map(\.intValue)
      ids += Array(repeating: tok.padTokenID, count: max(0, tok.maxLength - ids.count))
      checked += 1
      if tok.encode(prompt).ids != ids {
        failures += 1
        if failures <= 20 {
          let scalars = prompt.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " ")
          XCTFail("mismatch: \(prompt.debugDescription) [\(scalars)]")
        }
      }
    }
    print("extra corpus: \(checked - failures) of \(checked) match")
    XCTAssertEqual(failures, 0)
  }

  func testPaddingUsesConfiguredPadToken() throws {
    guard let dir = FixturePaths.tokenizerDirectory else { return XCTFail("no tokenizer folder") }
    let vocab = try Data(contentsOf: dir.appendingPathComponent("vocab.json"))
    let merges = try Data(contentsOf: dir.appendingPathComponent("merges.txt"))
    // SD-2-style tokenizers pad with "!" (id 0); the pad token must come from the config.
    let bang = try CLIPTokenizer(
      vocabularyJSON: vocab, merges: merges, tokenizerConfig: ["model_max_length": 77],
      specialTokensMap: ["pad_token": ["content": "!"]])
    XCTAssertEqual(bang.padTokenID, 0)
    XCTAssertEqual(bang.encode("my cat").ids, [49406, 607, 2368, 49407] + Array(repeating: 0, count: 73))
    let tok = try SharedTokenizer.get()
    XCTAssertEqual(tok.encode("my cat").ids, [49406, 607, 2368, 49407] + Array(repeating: 49407, count: 73))
    XCTAssertEqual(tok.encode("").ids, [49406] + Array(repeating: 49407, count: 76))
  }

  func testTruncationKeeps75ContentTokens() throws {
    let tok = try SharedTokenizer.get()
    let result = tok.encode(Array(repeating: "cat", count: 100).joined(separator: " "))
    XCTAssertEqual(result.count, 100)
    XCTAssertTrue(result.truncated)
    XCTAssertEqual(result.keptCount, 75)
    XCTAssertEqual(result.ids, [49406] + Array(repeating: 2368, count: 75) + [49407])
    XCTAssertEqual(result.droppedWords.count, 25)
    XCTAssertNil(result.cutWord)

    let exact = tok.encode(Array(repeating: "cat", count: 75).joined(separator: " "))
    XCTAssertFalse(exact.truncated)
    XCTAssertEqual(exact.droppedText, "")
    XCTAssertEqual(exact.droppedWords, [])
  }

  func testTruncationReportNamesDroppedWords() throws {
    let tok = try SharedTokenizer.get()
    // 74 one-token words, then "Swaying," (sway | ing</w> ,</w>) so the cut falls inside it.
    let cats = { (n: Int) in Array(repeating: "cat", count: n).joined(separator: " ") }
    let result = tok.encode(cats(74) + " Swaying, sunflowers   gently\n")
    XCTAssertEqual(
      result.tokens.dropFirst(74).map(\.symbol), ["sway", "ing</w>", ",</w>", "sunflowers</w>", "gently</w>"])
    XCTAssertEqual(result.count, 79)
    XCTAssertEqual(result.ids[75], tok.vocabulary["sway"])
    XCTAssertEqual(result.ids[76], 49407)
    XCTAssertEqual(result.droppedWords, ["Swaying,", "sunflowers", "gently"])
    XCTAssertEqual(result.droppedText, "Swaying, sunflowers   gently")
    XCTAssertEqual(result.cutWord, CutWord(word: "Swaying,", kept: "sway", dropped: "ing,"))

    // The cut at a piece boundary inside a word: "dog's" = dog</w> | 's</w>.
    let second = tok.encode(cats(73) + " a dog's life")
    XCTAssertEqual(second.droppedWords, ["dog's", "life"])
    XCTAssertEqual(second.droppedText, "'s life")
    XCTAssertEqual(second.cutWord, CutWord(word: "dog's", kept: "dog", dropped: "'s"))

    // The cut between words: nothing is cut in half.
    let third = tok.encode(cats(75) + " big  dog")
    XCTAssertEqual(third.droppedWords, ["big", "dog"])
    XCTAssertEqual(third.droppedText, "big  dog")
    XCTAssertNil(third.cutWord)
  }

  func testTokenSourcesPointIntoThePrompt() throws {
    let tok = try SharedTokenizer.get()
    let prompt = "Ünïcode  café<|endoftext|>ΟΔΟΣ 東京"
    let result = tok.encode(prompt)
    let scalars = Array(prompt.unicodeScalars)
    let sources = result.tokens.map { String(String.UnicodeScalarView(scalars[$0.source])) }
    XCTAssertEqual(Set(sources), ["<|endoftext|>", "café", "Ünïcode", "ΟΔΟΣ", "東京"])
    XCTAssertEqual(result.tokens.first { $0.symbol == "<|endoftext|>" }?.id, 49407)
    // Without ftfy, BasicTokenizer makes each CJK ideograph a word of its own.
    let basic = tok.encode(prompt, cleanup: .basic)
    XCTAssertEqual(Set(basic.tokens.map { String(String.UnicodeScalarView(scalars[$0.source])) }),
                   ["<|endoftext|>", "café", "Ünïcode", "ΟΔΟΣ", "東", "京"])
  }

  /// Text that ftfy rewrites (mojibake, full-width forms, entities, ligatures) still traces to what was typed.
  func testFTFYRewritesTraceToThePrompt() throws {
    let tok = try SharedTokenizer.get()
    let prompt = "cafÃ© ＬＯＵＤ &eacute;t&eacute; \u{FB01}sh \u{201C}q\u{201D}"
    let result = tok.encode(prompt)
    let scalars = Array(prompt.unicodeScalars)
    let sources = result.tokens.map { String(String.UnicodeScalarView(scalars[$0.source])) }
    XCTAssertEqual(CLIPToken.spelling(result.tokens), "caféloudétéfish\"q\"")  // spelling joins without spaces
    XCTAssertEqual(Set(sources), ["cafÃ©", "ＬＯＵＤ", "&eacute;t&eacute;", "\u{FB01}sh", "\u{201C}", "q", "\u{201D}"])
  }

  func testSpecialTokensAndCleanupEdgeCases() throws {
    let tok = try SharedTokenizer.get()
    // Cross-checked with transformers 4.57.6 (no ftfy).
    let cases: [(String, [Int])] = [
      ("a<|endoftext|>b", [49406, 320, 49407, 321, 49407]),
      ("!<|endoftext|>", [49406, 256, 49407, 49407]),
      ("<|ENDOFTEXT|> x", [49406, 49407, 343, 49407]),
      ("hi <|startoftext|>", [49406, 1883, 49406, 49407]),
      ("ΟΔΟΣ ΣΑ", [49406, 138, 123, 138, 112, 138, 123, 139, 480, 139, 225, 138, 365, 49407]),
      ("\u{1FAE8} x", [49406, 343, 49407]),  // Unicode 15 emoji: unassigned for Python 3.11, dropped
      ("a\u{345}b", [49406, 320, 321, 49407]),
      ("'\u{17F}", [49406, 6, 129, 379, 49407]),
      ("x\u{2028}y", [49406, 343, 344, 49407]),
    ]
    for (prompt, expected) in cases {
      XCTAssertEqual(
        Array(tok.encode(prompt, cleanup: .basic).ids.prefix(expected.count)), expected, prompt.debugDescription)
    }
  }

  func testBPECacheGivesSameResult() throws {
    let tok = try SharedTokenizer.get()
    let first = tok.encode("antidisestablishmentarianism antidisestablishmentarianism")
    XCTAssertEqual(first.tokens.count % 2, 0)
    let half = first.tokens.count / 2
    XCTAssertEqual(first.tokens.prefix(half).map(\.id), first.tokens.suffix(half).map(\.id))
    XCTAssertEqual(tok.encode("antidisestablishmentarianism").tokens.map(\.id), first.tokens.prefix(half).map(\.id))
  }
}
