import ArgumentParser
import Foundation
import I2VApp
import I2VModels

struct TokenizeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tokenize",
    abstract: "Count a prompt's CLIP tokens and show what the model does not read.",
    discussion: """
      The text encoder reads 77 tokens: start, the first 75 tokens of the
      prompt, end. Longer prompts are cut without an error; this command says
      exactly which words are lost. The ids are those of the CLIPTokenizer
      diffusers uses (transformers' slow tokenizer with ftfy installed: its
      text cleanup repairs mojibake, HTML entities, full-width forms, curly
      quotes and ligatures; --text-cleanup basic gives the ids of an
      environment without ftfy).
      --long-prompt and --prompt-syntax show the prompt as generate reads it
      with those options: its chunks of 75 tokens and each token's weight.

      The model: --model DIR (a diffusers folder or its tokenizer/ folder),
      else $I2V_MODEL, else ali-vilab/i2vgen-xl in the Hugging Face cache,
      else the bundled test model (it has the same tokenizer files).
      Without PROMPT arguments, each line of standard input is a prompt.

      Examples:
        i2v tokenize "a cat turning its head"
        i2v tokenize --model ~/models/i2vgen-xl "first prompt" "second prompt"
        i2v tokenize --tokens "Café au lait, slow motion"
        i2v tokenize --json < prompts.txt | jq .count
        i2v tokenize --tokens --text-cleanup basic "東京の夜"
        i2v tokenize --long-prompt "$(cat long-prompt.txt)"
        i2v tokenize --prompt-syntax weighted --tokens "a (fluffy:1.3) cat, [blurry]"
      """
  )

  @Option(name: .long, help: "A diffusers-layout I2VGen-XL folder, or a tokenizer folder (vocab.json, merges.txt).")
  var model: String?
  @Flag(name: .long, help: "One JSON object per prompt per line (ids: the 77 the encoder receives; count; dropped…).")
  var json = false
  @Flag(name: .long, help: "Also list every token with its id.") var tokens = false
  @Option(name: .long, help: ArgumentHelp("The text cleanup (as generate's --text-cleanup).", valueName: "ftfy|basic"))
  var textCleanup: TextCleanup = .ftfy
  @Flag(name: .long, help: "Lay the prompt out in chunks of 75 tokens as generate --long-prompt does.")
  var longPrompt = false
  @Option(name: .long, help: ArgumentHelp("Read the prompt as generate --prompt-syntax does (weighted: A1111's "
    + "(word:1.2) emphasis; shows each token's weight).", valueName: "plain|weighted"))
  var promptSyntax: PromptSyntax = .plain
  @Argument(help: "Prompts (default: one per line of standard input).") var prompts: [String] = []

  func run() throws {
    let tokenizer: CLIPTokenizer
    do {
      tokenizer = try CLIPTokenizer(directory: try ModelLocator.tokenizerDirectory(model: model))
    } catch {
      throw fail("\(error)")
    }
    let inputs = prompts.isEmpty ? Self.standardInputLines() : prompts
    if longPrompt || promptSyntax != .plain {
      try layOut(inputs, tokenizer: tokenizer, cleanup: textCleanup)
      return
    }
    for (n, prompt) in inputs.enumerated() {
      let result = tokenizer.encode(prompt, cleanup: textCleanup)
      if json {
        print(try Self.jsonLine(result, withTokens: tokens))
      } else {
        if n > 0 { print("") }
        print(Self.report(result, withTokens: tokens))
      }
    }
  }

  /// The chunked / weighted report of each prompt; a prompt whose syntax is malformed is reported and the
  /// others still are (exit status 64 at the end, as for other settings that cannot work).
  func layOut(_ inputs: [String], tokenizer: CLIPTokenizer, cleanup: TextCleanup) throws {
    var malformed = false
    for (n, prompt) in inputs.enumerated() {
      do {
        let layout = try PromptLayout(prompt, syntax: promptSyntax, longPrompt: longPrompt, tokenizer: tokenizer,
                                      cleanup: cleanup)
        if json {
          print(try TokenizeLayoutReport.json(layout, withTokens: tokens))
        } else {
          if n > 0 { print("") }
          print(TokenizeLayoutReport.text(layout, withTokens: tokens))
        }
      } catch let e as PromptSyntaxError {
        malformed = true
        if json { JSONOutput.print(JSONOutput.Failure(error: e.description)) }
        FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
      }
    }
    if malformed { throw ExitCode.validationFailure }
  }

  static func standardInputLines() -> [String] {
    var lines: [String] = []
    while let line = readLine(strippingNewline: true) { lines.append(line) }
    return lines
  }

  /// The human-readable report of one prompt.
  static func report(_ r: CLIPTokenization, withTokens: Bool) -> String {
    // Long prompts are echoed by their start only; the dropped part follows in full.
    let echo = r.prompt.count > 60 ? String(r.prompt.prefix(57)) + "..." : r.prompt
    var out = "\(quoted(echo)): \(r.count) token\(r.count == 1 ? "" : "s")"
    if !r.truncated {
      out += " (the model reads up to \(r.maxContentTokens))"
    } else {
      let over = r.count - r.maxContentTokens
      out += ", \(over) more than the \(r.maxContentTokens) the model reads"
      out += "\n  dropped: \(quoted(r.droppedText))"
      let words = r.droppedWords
      out += "\n  dropped words (\(words.count)): " + words.map(quoted).joined(separator: " ")
      if let cut = r.cutWord {
        out += "\n  cut inside \(quoted(cut.word)): the model reads \(quoted(cut.kept)), not \(quoted(cut.dropped))"
      }
    }
    if withTokens {
      for (i, t) in r.tokens.enumerated() {
        let mark = i < r.maxContentTokens ? "" : "  (dropped)"
        out += "\n  \(i + 1)\t\(t.id)\t\(quoted(t.text))\(mark)"
      }
    }
    return out
  }

  /// A prompt in double quotes with control characters escaped, so it stays on one line.
  static func quoted(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if u.value < 0x20 || u.value == 0x7F {
          out += "\\u{\(String(u.value, radix: 16))}"
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }

  struct JSONReport: Encodable {
    let prompt: String
    let ids: [Int]
    let count: Int
    let max_tokens: Int
    let truncated: Bool
    let dropped: String
    let dropped_words: [String]
    let cut_word: CutWordJSON?
    let tokens: [String]?
  }

  struct CutWordJSON: Encodable {
    let word: String
    let kept: String
    let dropped: String
  }

  static func jsonLine(_ r: CLIPTokenization, withTokens: Bool) throws -> String {
    let report = JSONReport(
      prompt: r.prompt, ids: r.ids, count: r.count, max_tokens: r.maxContentTokens, truncated: r.truncated,
      dropped: r.droppedText, dropped_words: r.droppedWords,
      cut_word: r.cutWord.map { CutWordJSON(word: $0.word, kept: $0.kept, dropped: $0.dropped) },
      tokens: withTokens ? r.tokens.map(\.symbol) : nil)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(report), as: UTF8.self)
  }
}
