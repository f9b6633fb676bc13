import Foundation
import Testing

/// `i2v tokenize --long-prompt / --prompt-syntax weighted`: chunks, per-token weights and what is dropped.
@Suite struct TokenizeChunksTests {
  let model = CLI.fixture("models/tiny-a")

  func long() throws -> String {
    let meta = try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: CLI.fixture("reference-prompts/tiny-a/a_long_plain.json"))))
    return (meta as? [String: Any])?["prompt"] as? String ?? ""
  }

  @Test func chunksOfALongPrompt() throws {
    let r = try CLI.run(["tokenize", "--model", model, "--long-prompt", try long() + " BREAK a lighthouse"])
    #expect(r.status == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasSuffix(": 118 tokens in 3 chunks of up to 75 (--long-prompt)") == true, "\(r.stdout)")
    // The comma rule ends chunk 1 at "walls," (62 tokens); BREAK ends chunk 2.
    #expect(lines.count == 4)
    #expect(lines[1].hasPrefix("  chunk 1: 62 tokens  \"A breathtaking") && lines[1].hasSuffix("moss-covered walls,\""))
    #expect(lines[2].hasPrefix("  chunk 2: 54 tokens  \"flickering torches"))
    #expect(lines[3] == "  chunk 3: 2 tokens  \"a lighthouse\"")
  }

  @Test func weightsAndDroppedText() throws {
    let r = try CLI.run(["tokenize", "--model", model, "--prompt-syntax", "weighted", "--tokens",
                         #"a ((red)) fox, [blurry] \(sic\)"#])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("weights: \"red\" x1.21, \"blurry\" x0.909"), "\(r.stdout)")
    #expect(r.stdout.contains("\t736\t\"red\"\tx1.21"), "\(r.stdout)")
    #expect(r.stdout.contains("\t263\t\"(\"\n"), "\(r.stdout)")  // escaped: a literal bracket of weight 1
    // Without --long-prompt a weighted prompt is still cut at 75 tokens, and says so.
    let cut = try CLI.run(["tokenize", "--model", model, "--prompt-syntax", "weighted", "(" + (try long()) + ":1.1)"])
    #expect(cut.stdout.contains("116 tokens, 41 more than the 75 the model reads (weighted syntax)"), "\(cut.stdout)")
    #expect(cut.stdout.contains("  dropped: \"crimson cloak"), "\(cut.stdout)")
  }

  @Test func json() throws {
    let r = try CLI.run(["tokenize", "--model", model, "--json", "--long-prompt", "--prompt-syntax", "weighted",
                         "a (cat:1.5) BREAK b"])
    #expect(r.status == 0, "\(r.stderr)")
    let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(o["syntax"] as? String == "weighted" && o["long_prompt"] as? Bool == true && o["breaks"] as? Int == 1)
    let chunks = try #require(o["chunks"] as? [[String: Any]])
    #expect(chunks.map { $0["count"] as? Int } == [2, 1])
    #expect((chunks[0]["weights"] as? [Double])?.prefix(4) == [1, 1, 1.5, 1])
    #expect((chunks[0]["ids"] as? [Int])?.count == 77 && (o["ids"] as? [Int])?.count == 154)
    let segments = try #require(o["segments"] as? [[String: Any]])
    #expect(segments.map { $0["text"] as? String } == ["a ", "cat", " BREAK b"])
  }

  /// Malformed prompts are reported with their column; the others are still shown; exit status 64.
  @Test func malformedPrompt() throws {
    let r = try CLI.run(["tokenize", "--model", model, "--prompt-syntax", "weighted", "fine", "bad)"])
    #expect(r.status == 64)
    #expect(r.stdout.contains("\"fine\": 1 token"))
    #expect(r.stderr.contains("error: prompt, column 4: ')' has no matching '('"), "\(r.stderr)")
  }

  /// Without the new flags the report is the one it always was.
  @Test func defaultReportUnchanged() throws {
    let r = try CLI.run(["tokenize", "--model", model, "a (cat)"])
    #expect(r.stdout == "\"a (cat)\": 4 tokens (the model reads up to 75)\n", "\(r.stdout)")
  }
}
