import Testing

@testable import I2VModels

/// A1111's attention syntax (`modules/prompt_parser.py`, `parse_prompt_attention` and its doctests): weights,
/// nesting, escapes, merging; and the errors this parser gives where A1111 guesses.
@Suite struct WeightedPromptParserTests {
  func parsed(_ prompt: String) throws -> [String] {
    try WeightedPromptParser.parse(prompt).map { "\($0.text)|\($0.weight)" }
  }

  @Test func everyForm() throws {
    #expect(try parsed("normal text") == ["normal text|1.0"])
    #expect(try parsed("an (important) word") == ["an |1.0", "important|1.1", " word|1.0"])
    #expect(try parsed("a ((very)) b") == ["a |1.0", "very|\(1.1 * 1.1)", " b|1.0"])
    #expect(try parsed("[quiet]") == ["quiet|\(1 / 1.1)"])
    #expect(try parsed("(several words:1.3) rest") == ["several words|1.3", " rest|1.0"])
    #expect(try parsed("( spaced : 0.5 )") == [" spaced |0.5"])
    #expect(try parsed("(neg:-1)") == ["neg|-1.0"])
    #expect(try parsed("(dot:.5)") == ["dot|0.5"])
  }

  /// A1111's doctest, balanced (its version leaves a '(' open, which is an error here); the weights are the
  /// ones Python's parse_prompt_attention prints, to the last bit.
  @Test func a1111Doctest() throws {
    #expect(try parsed("a ((house:1.3)) [on] a (hill:0.5), sun, (((sky))).") == [
      "a |1.0", "house|1.4300000000000002", " |1.0", "on|0.9090909090909091", " a |1.0", "hill|0.5",
      ", sun, |1.0", "sky|1.3310000000000004", ".|1.0",
    ])
    #expect(try parsed("a ((very)) b")[1] == "very|1.2100000000000002")
    #expect(try parsed("[[quieter]]") == ["quieter|0.8264462809917354"])
    #expect(error("a (((house:1.3)) [on]")?.column == 3)
  }

  @Test func mergesEqualNeighbours() throws {
    #expect(try parsed("(unnecessary)(parens)") == ["unnecessaryparens|1.1"])
    // Weight 1 and empty brackets leave the text as plain text: one segment, tokenized as a whole.
    #expect(try parsed("a (cat:1) b") == ["a cat b|1.0"])
    #expect(try parsed("a () b") == ["a  b|1.0"])
    #expect(try parsed("") == ["|1.0"])
  }

  @Test func escapes() throws {
    #expect(try parsed(#"\(literal\]"#) == ["(literal]|1.0"])
    #expect(try parsed(#"a \\ b"#) == [#"a \ b|1.0"#])
    #expect(try parsed(#"(\(x\):1.5)"#) == ["(x)|1.5"])
    // A backslash before anything else stays (A1111 would drop it).
    #expect(try parsed(#"C:\path"#) == [#"C:\path|1.0"#])
  }

  /// A colon that does not start a weight is text, as in A1111.
  @Test func colonsThatAreText() throws {
    #expect(try parsed("time: dawn") == ["time: dawn|1.0"])
    #expect(try parsed("(ratio 16:9 frame)") == ["ratio 16:9 frame|1.1"])
    #expect(try parsed("(style: watercolor)") == ["style: watercolor|1.1"])
  }

  /// Origins map each scalar of a segment to its column in the prompt, so tokens point at what was written.
  @Test func originsPointIntoThePrompt() throws {
    let s = try WeightedPromptParser.parse(#"ab (c\)d:2) e"#)
    #expect(s.map(\.text) == ["ab ", "c)d", " e"])
    #expect(s[1].origins == [4, 6, 7])
    #expect(s[2].origins == [11, 12])
  }

  func error(_ prompt: String) -> PromptSyntaxError? {
    do {
      _ = try WeightedPromptParser.parse(prompt)
      return nil
    } catch { return error as? PromptSyntaxError }
  }

  @Test func unbalancedBracketsPointAtTheColumn() throws {
    let open = try #require(error("a cat (turning its head"))
    #expect(open.column == 7)
    #expect(open.message == "'(' is never closed")
    #expect(open.description.contains("a cat (turning its head\n        ^"))
    #expect(open.fix.contains(#"\("#))
    #expect(error("a cat turning) its head")?.column == 14)
    #expect(error("a cat turning) its head")?.message == "')' has no matching '('")
    #expect(error("[soft")?.column == 1)
    #expect(error("soft]")?.column == 5)
    let crossed = try #require(error("(a [b) c]"))
    #expect(crossed.column == 6)
    #expect(crossed.message == "')' closes the '[' at column 4")
    // Columns count characters, not bytes or scalars.
    #expect(error("café 🐱 (x")?.column == 8)
  }

  @Test func badNumbersPointAtTheColumn() throws {
    let e = try #require(error("a (cat:1.2.3) b"))
    #expect(e.column == 8)
    #expect(e.message == "'1.2.3' is not a number")
    #expect(error("(cat:)")?.message == "the weight after ':' is missing")
    #expect(error("(cat:)")?.column == 5)
    #expect(error("(cat: - )")?.message == "'-' is not a number")
    #expect(error("[cat:1.5]")?.message.contains("square brackets only lower the weight") == true)
    #expect(error("(cat:1.5").map { ($0.column, $0.message) }! == (1, "'(' is never closed"))
  }

  @Test func errorNamesTheField() throws {
    do {
      _ = try WeightedPromptParser.parse("(x", field: "negative prompt")
      Issue.record("no error")
    } catch let e as PromptSyntaxError {
      #expect(e.description.hasPrefix("negative prompt, column 1: '(' is never closed"))
    }
  }
}
