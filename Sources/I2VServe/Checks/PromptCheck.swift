import Foundation
import I2VApp
import I2VModels

/// `POST /api/prompt`: what the model reads of a prompt (the real tokenizer, the job's syntax and long-prompt
/// layout: `PromptLayout`, as `i2v tokenize` shows it) and the scale `guidance auto` would pick, with its reason.
enum PromptCheck {
  struct Query: Decodable, Sendable {
    var prompt: String
    var negativePrompt: String?
    var preset: String?
    var longPrompt: Bool?
    var promptSyntax: String?
    var textCleanup: String?

    enum CodingKeys: String, CodingKey {
      case prompt, preset, negativePrompt = "negative_prompt", longPrompt = "long_prompt"
      case promptSyntax = "prompt_syntax", textCleanup = "text_cleanup"
    }
  }

  struct Tokens: Encodable, Sendable {
    var count: Int
    var maxTokens: Int
    var truncated: Bool
    var dropped: String
    var droppedWords: [String]
    var chunks: Int

    enum CodingKeys: String, CodingKey {
      case count, truncated, dropped, chunks, maxTokens = "max_tokens", droppedWords = "dropped_words"
    }
  }

  struct Guidance: Encodable, Sendable {
    var scale: Double
    var reason: String
  }

  struct Answer: Encodable, Sendable {
    var prompt: Tokens
    var negativePrompt: Tokens?
    var guidanceAuto: Guidance

    enum CodingKeys: String, CodingKey { case prompt, negativePrompt = "negative_prompt", guidanceAuto = "guidance_auto" }
  }

  static func answer(_ q: Query, tokenizer: CLIPTokenizer) throws -> Answer {
    let preset = try GenerationPreset.load(q.preset ?? "standard")
    let syntax: PromptSyntax
    if let s = q.promptSyntax {
      guard let parsed = PromptSyntax(rawValue: s) else {
        throw SettingsError("prompt_syntax must be plain or weighted (got '\(s)')")
      }
      syntax = parsed
    } else {
      syntax = preset.promptSyntax
    }
    var cleanup = TextCleanup.ftfy
    if let c = q.textCleanup {
      guard let parsed = TextCleanup(rawValue: c) else {
        throw SettingsError("text_cleanup must be ftfy or basic (got '\(c)')")
      }
      cleanup = parsed
    }
    let long = q.longPrompt ?? preset.longPrompt
    func tokens(_ text: String, field: String) throws -> Tokens {
      let layout: PromptLayout
      do {
        layout = try PromptLayout(text, syntax: syntax, longPrompt: long, tokenizer: tokenizer, cleanup: cleanup,
                                  field: field)
      } catch let e as PromptSyntaxError {
        throw SettingsError(e.description)
      }
      // Plain text names the words exactly as `i2v tokenize` does (a word cut inside counts as dropped).
      let words = syntax == .plain && !long
        ? tokenizer.encode(text, cleanup: cleanup).droppedWords
        : layout.droppedText.split(whereSeparator: \.isWhitespace).map(String.init)
      return Tokens(count: layout.count, maxTokens: layout.maxContentTokens, truncated: layout.truncated,
                    dropped: layout.droppedText, droppedWords: words, chunks: layout.promptChunks)
    }
    let positive = try tokens(q.prompt, field: "prompt")
    let negative = try q.negativePrompt.map { try tokens($0, field: "negative prompt") }
    // `auto` reads the words, not weighted syntax's brackets (as `GenerationSession.prepare` does).
    let read = syntax == .weighted ? try WeightedPromptParser.parse(q.prompt).map(\.text).joined() : q.prompt
    let choice = GuidanceSetting.resolve(.auto, prompt: read, preset: preset)
    return Answer(prompt: positive, negativePrompt: negative,
                  guidanceAuto: Guidance(scale: choice.scale, reason: choice.reason))
  }
}
