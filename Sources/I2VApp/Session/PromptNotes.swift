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
      var text = "long prompt: \(plan.positive.count) tokens in \(plan.positive.promptChunks) chunk"
        + (plan.positive.promptChunks == 1 ? "" : "s")
      if let negative = plan.negative {
        text += "; negative prompt: \(negative.count) tokens in \(negative.promptChunks)"
      }
      let padded = [("prompt", plan.positive), ("negative prompt", plan.negative)].compactMap { name, layout in
        layout.flatMap { $0.paddingChunks > 0 ? "the \(name) with \($0.paddingChunks)" : nil }
      }
      if !padded.isEmpty { text += " (padded with empty chunks to \(plan.chunkCount): \(padded.joined()))" }
      notes.append(text)
    }
    return notes
  }
}
