import I2VModels

/// What a run says about its prompts before generating: words the model will not read, how a long prompt was
/// chunked, BREAK keywords that have no effect.
public enum PromptNotes {
  public static func notes(_ plan: PromptPlan) -> [String] {
    var notes: [String] = []
    for (name, layout) in [("prompt", plan.positive), ("negative prompt", plan.negative)] {
      guard let layout else { continue }
      if layout.truncated {
        notes.append("note: the \(name) has \(layout.count) tokens; the model reads the first "
          + "\(layout.maxContentTokens). Dropped: \"\(layout.droppedText)\" (--long-prompt reads all of it, in "
          + "chunks of \(layout.maxContentTokens))")
      }
      if layout.breaks > 0 && !layout.longPrompt {
        notes.append("note: BREAK in the \(name) starts a new chunk only with --long-prompt; here it is read as a word")
      }
    }
    if plan.positive.longPrompt && plan.chunkCount > 1 {
      func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
      func describe(_ name: String, _ l: PromptLayout) -> String {
        "\(name) \(plural(l.count, "token")) in \(plural(l.promptChunks, "chunk"))"
          + (l.paddingChunks > 0 ? " (+\(plural(l.paddingChunks, "empty chunk")) to match)" : "")
      }
      notes.append("long prompt: " + [describe("prompt", plan.positive), plan.negative.map { describe("negative prompt", $0) }]
        .compactMap { $0 }.joined(separator: ", "))
    }
    return notes
  }
}
