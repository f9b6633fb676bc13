import Foundation

/// `--prompt-file story.txt`: one prompt per clip, one per line; blank lines and surrounding spaces are ignored.
public enum PromptFile {
  public static func read(_ path: String) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw SettingsError("--prompt-file \(path): cannot be read (no such file, or not readable)\n"
        + "  fix: give the path of a UTF-8 text file with one prompt per line")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw SettingsError("--prompt-file \(path): not UTF-8 text\n  fix: save it as UTF-8, one prompt per line")
    }
    let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
    guard !lines.isEmpty else { throw SettingsError("--prompt-file \(path) has no prompts (one per line)") }
    return lines
  }
}
