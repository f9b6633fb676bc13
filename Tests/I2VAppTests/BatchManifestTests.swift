import Foundation
import I2VApp
import I2VModels
import Testing

/// Manifest parsing: CSV quoting, JSON Lines values, and errors that name the file, line and field.
@Suite struct BatchManifestTests {
  func csv(_ text: String) throws -> [BatchManifest.Row] { try BatchManifest.parseCSV(text, path: "jobs.csv") }
  func jsonl(_ text: String) throws -> [BatchManifest.Row] { try BatchManifest.parseJSONLines(text, path: "jobs.jsonl") }

  func error(_ body: () throws -> Any) -> String {
    do {
      _ = try body()
      return "no error"
    } catch {
      return "\(error)"
    }
  }

  @Test func csvQuotingAndOverrides() throws {
    let rows = try csv("""
      image,prompt,Negative Prompt,steps,guidance\r
      cat.png,"a cat, turning ""slowly""\",blurry,20,7.5\r
      \r
      dog.png,"two
      lines",,,\r
      bird.png,plain
      """)
    #expect(rows.count == 3)
    #expect(rows[0].line == 2 && rows[0].image == "cat.png")
    #expect(rows[0].fields["prompt"] == "a cat, turning \"slowly\"")
    #expect(rows[0].fields["negative_prompt"] == "blurry")
    #expect(rows[0].fields["steps"] == "20" && rows[0].fields["guidance"] == "7.5")
    #expect(rows[1].line == 4 && rows[1].fields["prompt"] == "two\nlines")
    #expect(rows[1].fields["steps"] == nil, "empty cells are unset")
    #expect(rows[2].line == 6 && rows[2].fields["prompt"] == "plain" && rows[2].fields["steps"] == nil)
  }

  @Test func csvBOMAndTabs() throws {
    let rows = try BatchManifest.parseCSV("\u{FEFF}image\tprompt\na.png\tx, y\n", path: "j.tsv", separator: "\t")
    #expect(rows == [BatchManifest.Row(line: 2, fields: ["image": "a.png", "prompt": "x, y"])])
  }

  @Test func csvErrorsNameFileLineAndField() {
    #expect(error { try csv("image,prompt,colour\na.png,x,red\n") }.contains("jobs.csv line 1: unknown field 'colour'"))
    #expect(error { try csv("prompt\nhello\n") }.contains("no 'image' column"))
    #expect(error { try csv("image,prompt\na.png,\"open\nb.png,x\n") }.contains("jobs.csv line 2: a quoted field is never closed"))
    #expect(error { try csv("image,prompt\na.png,x\"y\n") }.contains("jobs.csv line 2: a double quote inside"))
    #expect(error { try csv("image,prompt\na.png,\"x\"y\n") }.contains("jobs.csv line 2: text after the closing quote"))
    #expect(error { try csv("image,prompt\na.png,a,b\n") }.contains("jobs.csv line 2: 3 fields but the header has 2"))
    #expect(error { try csv("image,prompt\n,hello\n") }.contains("jobs.csv line 2: field 'image' is empty"))
    #expect(error { try csv("image,Image\n") }.contains("'image' appears twice"))
    #expect(error { try csv("") }.contains("empty manifest"))
  }

  @Test func jsonLines() throws {
    let rows = try jsonl("""
      {"image": "a.png", "prompt": "waves", "seed": 42, "guidance": 7.5, "negative-prompt": null}

      {"image": "b.png", "steps": 3, "seed": 18446744073709551615}
      """)
    #expect(rows.count == 2)
    #expect(rows[0].line == 1 && rows[0].fields == ["image": "a.png", "prompt": "waves", "seed": "42", "guidance": "7.5"])
    #expect(rows[1].line == 3 && rows[1].fields["steps"] == "3")
    #expect(rows[1].fields["seed"] == "18446744073709551615")
  }

  /// Numbers keep their digits: a seed of 2^64 stays "18446744073709551616" (which the seed parser then refuses)
  /// instead of wrapping to 0; large floats stay floats.
  @Test func jsonLinesNumbersBeyond64Bits() throws {
    let rows = try jsonl("""
      {"image": "a.png", "seed": 18446744073709551616}
      {"image": "b.png", "seed": -5, "guidance": 1e20}
      """)
    #expect(rows[0].fields["seed"] == "18446744073709551616")
    #expect(rows[1].fields["seed"] == "-5")
    #expect(rows[1].fields["guidance"] == "1e+20")
  }

  @Test func jsonLinesErrorsNameFileLineAndField() {
    #expect(error { try jsonl("{\"image\": \"a.png\"}\n{\"image\": \"b.png\"\n") }.contains("jobs.jsonl line 2: not valid JSON"))
    #expect(error { try jsonl("[\"a.png\"]\n") }.contains("jobs.jsonl line 1: not a JSON object"))
    #expect(error { try jsonl("{\"image\": \"a.png\", \"steps\": true}\n") }.contains("line 1: field 'steps' must be a string or a number"))
    #expect(error { try jsonl("{\"image\": \"a.png\", \"speed\": 2}\n") }.contains("line 1: unknown field 'speed'"))
    #expect(error { try jsonl("{\"prompt\": \"x\"}\n") }.contains("line 1: field 'image' is empty"))
  }

  /// The prompt options as columns: `prompt_syntax` as text, `long_prompt` as an on/off value (JSON booleans
  /// are accepted there, and only there).
  @Test func promptOptionColumns() throws {
    let rows = try csv("image,prompt,prompt_syntax,Long Prompt\na.png,\"(x:1.2)\",weighted,yes\nb.png,y,plain,0\n")
    #expect(rows[0].fields["prompt_syntax"] == "weighted" && rows[0].fields["long_prompt"] == "yes")
    let json = try jsonl(#"{"image": "a.png", "long_prompt": true, "prompt_syntax": "weighted"}"# + "\n")
    #expect(json[0].fields["long_prompt"] == "true")
    #expect(error { try jsonl(#"{"image": "a.png", "seed": true}"# + "\n") }.contains("field 'seed' must be a string or a number"))
    var settings = GenerationSettings()
    try BatchPlan.apply(rows[0], to: &settings, presetBase: ".")
    #expect(settings.promptSyntax == .weighted && settings.longPrompt == true)
    try BatchPlan.apply(rows[1], to: &settings, presetBase: ".")
    #expect(settings.promptSyntax == .plain && settings.longPrompt == false)
    for (column, value, message) in [("long_prompt", "maybe", "it takes true or false"),
                                     ("prompt_syntax", "fancy", "it takes what --prompt-syntax takes")]
    {
      let row = BatchManifest.Row(line: 2, fields: ["image": "a.png", column: value])
      #expect(error { try BatchPlan.apply(row, to: &settings, presetBase: ".") }.contains(message))
    }
  }

  @Test func fileTypeAndEmptiness() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-manifest-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let txt = dir.appendingPathComponent("jobs.txt").path
    try Data("image\n".utf8).write(to: URL(fileURLWithPath: txt))
    #expect(error { try BatchManifest(path: txt) }.contains("unknown manifest type '.txt'"))
    let headerOnly = dir.appendingPathComponent("jobs.csv").path
    try Data("image,prompt\n".utf8).write(to: URL(fileURLWithPath: headerOnly))
    #expect(error { try BatchManifest(path: headerOnly) }.contains("no jobs"))
    #expect(error { try BatchManifest(path: dir.appendingPathComponent("none.jsonl").path) }.contains("cannot read"))
  }
}

/// A manifest row's fields override the command line's settings.
@Suite struct BatchRowSettingsTests {
  @Test func textCleanupFieldOverridesTheFlag() throws {
    var settings = GenerationSettings()
    #expect(settings.textCleanup == .ftfy)
    try BatchPlan.apply(BatchManifest.Row(line: 2, fields: ["image": "a.png", "text_cleanup": " Basic "]),
                        to: &settings, presetBase: ".")
    #expect(settings.textCleanup == .basic)
    var other = GenerationSettings()
    #expect(throws: (any Error).self) {
      try BatchPlan.apply(BatchManifest.Row(line: 3, fields: ["image": "a.png", "text_cleanup": "nfkc"]),
                          to: &other, presetBase: ".")
    }
  }
}
