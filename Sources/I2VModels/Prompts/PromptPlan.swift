/// The prompt and (with classifier-free guidance) the negative prompt of one request, laid out and padded to
/// the same number of chunks, ready for the text encoder.
public struct PromptPlan: Sendable, Equatable {
  public let positive: PromptLayout
  /// nil without classifier-free guidance (diffusers encodes no negative prompt then).
  public let negative: PromptLayout?

  /// Lays out `r.prompt` and, when `r.usesGuidance`, `r.negativePrompt` (nil = ""), with the request's syntax,
  /// long-prompt choice and text cleanup. Throws `PromptSyntaxError` for malformed weighted syntax.
  public init(request r: GenerationRequest, tokenizer: CLIPTokenizer) throws {
    let prompt = try PromptLayout(r.prompt, syntax: r.promptSyntax, longPrompt: r.longPrompt, tokenizer: tokenizer,
                                  cleanup: r.textCleanup)
    let negative = try r.usesGuidance ? PromptLayout(r.negativePrompt ?? "", syntax: r.promptSyntax,
                                                     longPrompt: r.longPrompt, tokenizer: tokenizer,
                                                     cleanup: r.textCleanup, field: "negative prompt") : nil
    self.init(positive: prompt, negative: negative, tokenizer: tokenizer)
  }

  /// Pads the shorter of the two layouts with empty chunks.
  public init(positive: PromptLayout, negative: PromptLayout?, tokenizer: CLIPTokenizer) {
    let n = max(positive.chunks.count, negative?.chunks.count ?? 0)
    self.positive = positive.padded(toChunks: n, tokenizer: tokenizer)
    self.negative = negative?.padded(toChunks: n, tokenizer: tokenizer)
  }

  /// Chunks of 77 tokens each prompt is encoded as (the text context is 77 × this long).
  public var chunkCount: Int { positive.chunks.count }
}
