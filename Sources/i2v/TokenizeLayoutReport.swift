import Foundation
import I2VApp
import I2VModels

/// `i2v tokenize --long-prompt` / `--prompt-syntax weighted`: the prompt's chunks, weights and what is dropped.
enum TokenizeLayoutReport {
  static func text(_ l: PromptLayout, withTokens: Bool) -> String {
    let echo = l.prompt.count > 60 ? String(l.prompt.prefix(57)) + "..." : l.prompt
    let mode = [l.longPrompt ? "--long-prompt" : nil, l.syntax == .weighted ? "weighted syntax" : nil]
      .compactMap { $0 }.joined(separator: ", ")
    var out = "\(TokenizeCommand.quoted(echo)): \(l.count) token\(l.count == 1 ? "" : "s")"
    if l.longPrompt {
      out += " in \(l.chunks.count) chunk\(l.chunks.count == 1 ? "" : "s") of up to \(l.maxContentTokens)"
    } else if l.truncated {
      out += ", \(l.count - l.maxContentTokens) more than the \(l.maxContentTokens) the model reads"
    }
    out += " (\(mode))"
    if l.longPrompt {
      for (n, chunk) in l.chunks.enumerated() {
        out += "\n  chunk \(n + 1): \(chunk.tokens.count) token\(chunk.tokens.count == 1 ? "" : "s")  "
          + TokenizeCommand.quoted(abbreviated(chunkText(l, chunk)))
      }
    } else if l.truncated {
      out += "\n  dropped: \(TokenizeCommand.quoted(l.droppedText)) (--long-prompt reads all of it)"
    }
    if l.breaks > 0 && !l.longPrompt { out += "\n  note: BREAK starts a new chunk only with --long-prompt" }
    let weighted = l.segments.filter { $0.weight != 1 && !$0.text.isEmpty }
    if !weighted.isEmpty {
      out += "\n  weights: " + weighted.map { "\(TokenizeCommand.quoted($0.text)) x\(weightText($0.weight))" }
        .joined(separator: ", ")
    }
    if withTokens {
      var i = 0
      for (n, chunk) in l.chunks.enumerated() {
        for t in chunk.tokens {
          i += 1
          out += "\n  \(i)\t\(l.longPrompt ? "chunk \(n + 1)\t" : "")\(t.id)\t\(TokenizeCommand.quoted(t.text))"
            + (t.weight == 1 ? "" : "\tx\(weightText(t.weight))")
        }
      }
      for t in l.droppedTokens {
        i += 1
        out += "\n  \(i)\t\(t.id)\t\(TokenizeCommand.quoted(t.text))" + (t.weight == 1 ? "" : "\tx\(weightText(t.weight))")
          + "  (dropped)"
      }
    }
    return out
  }

  /// The prompt text a chunk's tokens come from.
  static func chunkText(_ l: PromptLayout, _ chunk: PromptChunk) -> String {
    guard let first = chunk.tokens.first, let last = chunk.tokens.last else { return "" }
    let scalars = Array(l.prompt.unicodeScalars)
    let lo = first.source.lowerBound, hi = max(lo, min(scalars.count, last.source.upperBound))
    return String(String.UnicodeScalarView(scalars[lo..<hi]))
  }

  static func abbreviated(_ s: String) -> String {
    s.count > 70 ? String(s.prefix(32)) + " ... " + String(s.suffix(32)) : s
  }

  /// 1.1, 1.21, 0.909: three decimals at most, trailing zeros dropped.
  static func weightText(_ w: Double) -> String {
    var t = Format.fixed(w, 3)
    while t.contains(".") && (t.hasSuffix("0") || t.hasSuffix(".")) { t.removeLast() }
    return t
  }

  struct JSONReport: Encodable {
    struct Chunk: Encodable {
      let count: Int
      let text: String
      let ids: [Int]
      let weights: [Double]
    }
    struct Segment: Encodable {
      let text: String
      let weight: Double
    }
    let prompt: String
    let syntax: String
    let long_prompt: Bool
    let ids: [Int]
    let count: Int
    let max_tokens: Int
    let truncated: Bool
    let dropped: String
    let breaks: Int
    let chunks: [Chunk]
    let segments: [Segment]
    let tokens: [String]?
  }

  static func json(_ l: PromptLayout, withTokens: Bool) throws -> String {
    let report = JSONReport(
      prompt: l.prompt, syntax: l.syntax.rawValue, long_prompt: l.longPrompt, ids: l.chunks.flatMap(\.ids),
      count: l.count, max_tokens: l.maxContentTokens, truncated: l.truncated, dropped: l.droppedText,
      breaks: l.breaks,
      chunks: l.chunks.map { .init(count: $0.tokens.count, text: chunkText(l, $0), ids: $0.ids, weights: $0.weights) },
      segments: l.segments.map { .init(text: $0.text, weight: $0.weight) },
      tokens: withTokens ? l.tokens.map(\.symbol) : nil)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(report), as: UTF8.self)
  }
}
