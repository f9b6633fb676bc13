/// Reads AUTOMATIC1111's attention syntax (stable-diffusion-webui `modules/prompt_parser.py`,
/// `parse_prompt_attention`) into segments of text and weight, with the same weights, the same order of
/// multiplications and the same merging of neighbours of equal weight (which decides how the text is
/// tokenized). Where A1111 silently guesses (an unclosed `(` closed at the end, a stray `)` kept as text,
/// `(word:1.2.3)` crashing), this parser reports the column instead.
///
/// `(text)` ×1.1, `[text]` ÷1.1, `(text:w)` ×w, nestable (`((text))` ×1.21); `\(` `\)` `\[` `\]` `\\` are the
/// literal characters; a backslash before anything else is kept as it is. A `:` that does not start a weight is
/// text, as in A1111 (`(time: dawn)`). `BREAK` is left in the text: splitting into chunks is `PromptLayout`'s.
public enum WeightedPromptParser {
  static let roundMultiplier = 1.1
  static let squareMultiplier = 1 / 1.1

  public static func parse(_ prompt: String, field: String = "prompt") throws -> [PromptSegment] {
    let scalars = Array(prompt.unicodeScalars)
    let columns = characterColumns(prompt)
    func fail(_ at: Int, _ message: String, _ fix: String) -> PromptSyntaxError {
      PromptSyntaxError(prompt: prompt, field: field, message: message, column: columns[min(at, scalars.count)],
                        fix: fix)
    }
    let literalHint = "or use --prompt-syntax plain to read brackets as ordinary text"

    // A1111's `res`: runs of text, each multiplied by every bracket that encloses it when that bracket closes.
    var runs: [(text: [Unicode.Scalar], origins: [Int], weight: Double)] = []
    var open: [(bracket: Unicode.Scalar, run: Int, at: Int)] = []
    var newRun = true
    func literal(_ s: Unicode.Scalar, _ at: Int) {
      if newRun || runs.isEmpty {
        runs.append(([], [], 1.0))
        newRun = false
      }
      runs[runs.count - 1].text.append(s)
      runs[runs.count - 1].origins.append(at)
    }
    func close(_ multiplier: Double) {
      let start = open.removeLast().run
      for r in start..<runs.count { runs[r].weight *= multiplier }
      newRun = true
    }

    var i = 0
    while i < scalars.count {
      let c = scalars[i]
      switch c {
      case "\\":
        if i + 1 < scalars.count, "()[]\\".unicodeScalars.contains(scalars[i + 1]) {
          literal(scalars[i + 1], i + 1)
          i += 2
        } else {
          literal(c, i)
          i += 1
        }
        continue
      case "(", "[":
        open.append((c, runs.count, i))
        newRun = true
      case ")", "]":
        let expected: Unicode.Scalar = c == ")" ? "(" : "["
        guard let top = open.last else {
          throw fail(i, "'\(c)' has no matching '\(expected)'",
                     "remove it, add a '\(expected)' before the text it should weight, or write \\\(c) for a literal '\(c)' (\(literalHint))")
        }
        guard top.bracket == expected else {
          throw fail(i, "'\(c)' closes the '\(top.bracket)' at column \(columns[top.at])",
                     "close the '\(top.bracket)' with '\(top.bracket == "(" ? ")" : "]")' first (\(literalHint))")
        }
        close(c == ")" ? roundMultiplier : squareMultiplier)
      case ":":
        if let weight = try weightAfterColon(scalars, i, open.last?.bracket, fail) {
          close(weight.value)
          i = weight.end
          continue
        }
        literal(c, i)
      default:
        literal(c, i)
      }
      i += 1
    }
    if let top = open.last {
      let closer = top.bracket == "(" ? ")" : "]"
      throw fail(top.at, "'\(top.bracket)' is never closed",
                 "add '\(closer)' where the weighted text ends, or write \\\(top.bracket) for a literal '\(top.bracket)' (\(literalHint))")
    }

    if runs.isEmpty { return [PromptSegment(text: "", weight: 1, origins: [])] }
    // Neighbours of equal weight become one segment (A1111 then tokenizes each segment separately).
    var merged: [PromptSegment] = []
    for run in runs {
      if let last = merged.last, last.weight == run.weight {
        merged[merged.count - 1].text.unicodeScalars.append(contentsOf: run.text)
        merged[merged.count - 1].origins += run.origins
      } else {
        merged.append(PromptSegment(text: String(String.UnicodeScalarView(run.text)), weight: run.weight,
                                    origins: run.origins))
      }
    }
    return merged
  }

  /// The weight of `(text:w)` when the `:` at `i` starts one: optional spaces, a number, optional spaces, `)`
  /// (A1111's `:\s*([+-]?[.\d]+)\s*\)`). Returns nil when the colon is text. A number-like run followed by the
  /// closing bracket that is not a number (`1.2.3`, `-`, nothing) is an error, as is a weight in `[...]`.
  static func weightAfterColon(_ s: [Unicode.Scalar], _ i: Int, _ innermost: Unicode.Scalar?,
                               _ fail: (Int, String, String) -> PromptSyntaxError) throws -> (value: Double, end: Int)?
  {
    guard innermost != nil else { return nil }
    var j = i + 1
    while j < s.count && s[j].properties.isWhitespace { j += 1 }
    let numberStart = j
    if j < s.count && (s[j] == "+" || s[j] == "-") { j += 1 }
    while j < s.count && (s[j] == "." || ("0"..."9").contains(s[j])) { j += 1 }
    let numberEnd = j
    while j < s.count && s[j].properties.isWhitespace { j += 1 }
    let closer: Unicode.Scalar = innermost == "(" ? ")" : "]"
    guard j < s.count && s[j] == closer else { return nil }
    let text = String(String.UnicodeScalarView(s[numberStart..<numberEnd]))
    guard innermost == "(" else {
      if text.isEmpty { return nil }
      throw fail(i, "a weight inside '[...]' ([\u{2026}:\(text)]); square brackets only lower the weight by 1.1 "
        + "(A1111's prompt editing [from:to:when] is not supported)", "write (text:\(text)) for a weight of \(text)")
    }
    guard !text.isEmpty else {
      throw fail(i, "the weight after ':' is missing", "write a number before ')', e.g. (text:1.2)")
    }
    guard let value = Double(text), value.isFinite else {
      throw fail(numberStart, "'\(text)' is not a number", "write the weight as a decimal number, e.g. (text:1.2)")
    }
    return (value, j + 1)
  }

  /// The 1-based column (in characters) of every scalar offset, and of the end.
  static func characterColumns(_ prompt: String) -> [Int] {
    var columns: [Int] = []
    for (n, ch) in prompt.enumerated() {
      columns += Array(repeating: n + 1, count: ch.unicodeScalars.count)
    }
    columns.append(prompt.count + 1)
    return columns
  }
}
