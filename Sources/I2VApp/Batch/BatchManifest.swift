import Foundation

/// A batch manifest: one job per row, in CSV (a header row, RFC 4180 quoting; `.tsv` for tabs) or JSON Lines
/// (one object per line). Values stay text here; the CLI parses them exactly as it parses the matching flags,
/// so a manifest accepts what the command line accepts. Structural problems (bad quoting, invalid JSON, unknown
/// or duplicate columns, a row without an image) are errors naming the file, the line and the field, so a broken
/// manifest fails at start-up rather than hours into a run.
public struct BatchManifest: Sendable {
  /// One job. `fields` maps a column (normalized: `negative-prompt` → `negative_prompt`) to a non-empty value.
  public struct Row: Sendable, Equatable {
    /// The line the row starts on (1-based; a quoted CSV field may span lines).
    public var line: Int
    public var fields: [String: String]

    public var image: String { fields["image"] ?? "" }

    public init(line: Int, fields: [String: String]) {
      self.line = line
      self.fields = fields
    }
  }

  /// The columns a manifest may have; `image` is required, everything else falls back to the command line.
  public static let columns: [String] = [
    "image", "prompt", "negative_prompt", "seed", "preset", "steps", "guidance", "frames", "fps",
    "conditioning_fps", "width", "height", "decode_chunk_size", "crf", "text_cleanup", "prompt_syntax", "long_prompt",
    "guidance_schedule", "guidance_end", "scheduler", "cache", "interpolate", "audio", "fit_to_audio", "clips", "join_blend",
    "prompt_file", "output",
  ]

  /// Columns that hold on/off values (true/false, yes/no, 1/0; JSON booleans).
  public static let booleanColumns: Set<String> = ["long_prompt", "fit_to_audio"]

  public let path: String
  public let rows: [Row]

  /// Reads a manifest; the extension picks the syntax (`.csv`, `.tsv`, `.jsonl` / `.ndjson`).
  public init(path: String) throws {
    self.path = path
    let ext = (path as NSString).pathExtension.lowercased()
    guard ["csv", "tsv", "jsonl", "ndjson"].contains(ext) else {
      throw BatchManifestError("\(path): unknown manifest type '.\(ext)'; use .csv (header row: image,prompt,...) "
        + "or .jsonl (one JSON object per line)")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw BatchManifestError("\(path): cannot read the manifest (missing or no permission)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw BatchManifestError("\(path): not UTF-8 text; save the manifest as UTF-8")
    }
    switch ext {
    case "csv": rows = try Self.parseCSV(text, path: path)
    case "tsv": rows = try Self.parseCSV(text, path: path, separator: "\t")
    default: rows = try Self.parseJSONLines(text, path: path)
    }
    guard !rows.isEmpty else { throw BatchManifestError("\(path): no jobs (the manifest has no rows)") }
  }

  /// Maps `Negative Prompt`, `negative-prompt` and `NEGATIVE_PROMPT` to `negative_prompt`.
  public static func normalize(column: String) -> String {
    column.trimmingCharacters(in: .whitespaces).lowercased()
      .replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
  }

  static func checkColumn(_ raw: String, path: String, line: Int) throws -> String {
    let name = normalize(column: raw)
    guard columns.contains(name) else {
      throw BatchManifestError("\(path) line \(line): unknown field '\(raw)' (known: \(columns.joined(separator: ", ")))")
    }
    return name
  }

  /// Makes a row from the (column, value) pairs, dropping empty values (an empty cell means "not set").
  static func row(_ pairs: [(String, String)], path: String, line: Int) throws -> Row {
    var fields: [String: String] = [:]
    for (k, v) in pairs {
      let value = v.trimmingCharacters(in: .whitespacesAndNewlines)
      if !value.isEmpty { fields[k] = value }
    }
    guard fields["image"] != nil else {
      throw BatchManifestError("\(path) line \(line): field 'image' is empty; every row needs an image path")
    }
    return Row(line: line, fields: fields)
  }

  // MARK: CSV

  /// RFC 4180 CSV: the first record is the header; fields may be quoted ("a, b"), quotes inside quoted fields
  /// are doubled (""), quoted fields may span lines; LF or CRLF line ends; a UTF-8 BOM is ignored; blank lines
  /// are skipped. A row may have fewer fields than the header (the rest are unset), never more.
  public static func parseCSV(_ text: String, path: String, separator: Unicode.Scalar = ",") throws -> [Row] {
    let records = try csvRecords(text, path: path, separator: separator)
    guard let header = records.first else {
      throw BatchManifestError("\(path): empty manifest; the first line must be a header such as image,prompt")
    }
    var names: [String] = []
    for raw in header.fields {
      let name = try checkColumn(raw, path: path, line: header.line)
      guard !names.contains(name) else {
        throw BatchManifestError("\(path) line \(header.line): field '\(name)' appears twice in the header")
      }
      names.append(name)
    }
    guard names.contains("image") else {
      throw BatchManifestError("\(path) line \(header.line): the header has no 'image' column (it has: "
        + "\(header.fields.joined(separator: ", "))); the first line must name the columns, e.g. image,prompt")
    }
    return try records.dropFirst().map { record in
      guard record.fields.count <= names.count else {
        throw BatchManifestError("\(path) line \(record.line): \(record.fields.count) fields but the header has "
          + "\(names.count); quote fields that contain '\(Character(separator))' (\"like, this\")")
      }
      return try row(Array(zip(names, record.fields)), path: path, line: record.line)
    }
  }

  static func csvRecords(_ text: String, path: String, separator: Unicode.Scalar) throws -> [(line: Int, fields: [String])] {
    var scalars = Array(text.unicodeScalars)
    if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
    var records: [(line: Int, fields: [String])] = []
    var fields: [String] = []
    var field = String.UnicodeScalarView()
    var inQuotes = false, quoted = false, closed = false
    var line = 1, recordLine = 1, quoteLine = 1
    func endField() {
      fields.append(String(field))
      field = String.UnicodeScalarView()
      quoted = false
      closed = false
    }
    func endRecord() {
      endField()
      if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty) {
        records.append((recordLine, fields))
      }
      fields = []
    }
    var i = 0
    while i < scalars.count {
      let c = scalars[i]
      i += 1
      if inQuotes {
        if c == "\"" {
          if i < scalars.count && scalars[i] == "\"" {
            field.append("\"")
            i += 1
          } else {
            inQuotes = false
            closed = true
          }
        } else {
          if c == "\n" { line += 1 }
          field.append(c)
        }
        continue
      }
      if c == separator {
        endField()
      } else if c == "\n" || c == "\r" {
        if c == "\r" && i < scalars.count && scalars[i] == "\n" { i += 1 }
        endRecord()
        line += 1
        recordLine = line
      } else if c == "\"" {
        guard !quoted && String(field).trimmingCharacters(in: .whitespaces).isEmpty else {
          throw BatchManifestError("\(path) line \(line): a double quote inside an unquoted field; enclose the "
            + "whole field in double quotes and double the quotes inside (\"say \"\"hi\"\"\")")
        }
        field = String.UnicodeScalarView()
        inQuotes = true
        quoted = true
        quoteLine = line
      } else if closed {
        guard c == " " || c == "\t" else {
          throw BatchManifestError("\(path) line \(line): text after the closing quote of a field; put the "
            + "whole field inside the quotes")
        }
      } else {
        field.append(c)
      }
    }
    if inQuotes {
      throw BatchManifestError("\(path) line \(quoteLine): a quoted field is never closed (missing \")")
    }
    if !field.isEmpty || !fields.isEmpty || quoted { endRecord() }
    return records
  }

  // MARK: JSON Lines

  /// One JSON object per line; blank lines are skipped. Values are strings or numbers (null = not set).
  public static func parseJSONLines(_ text: String, path: String) throws -> [Row] {
    var rows: [Row] = []
    var body = Substring(text)
    if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
    for (offset, rawLine) in body.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let lineNumber = offset + 1
      let lineText = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
      if lineText.isEmpty { continue }
      let parsed = try? JSONSerialization.jsonObject(with: Data(lineText.utf8), options: [.fragmentsAllowed])
      guard let object = parsed as? [String: Any] else {
        let what = parsed == nil ? "not valid JSON" : "not a JSON object"
        throw BatchManifestError("\(path) line \(lineNumber): \(what); each line must be one object such as "
          + "{\"image\": \"cat.png\", \"prompt\": \"a cat turning its head\"}")
      }
      var pairs: [(String, String)] = []
      var seen = Set<String>()
      for key in object.keys.sorted() {
        let name = try checkColumn(key, path: path, line: lineNumber)
        guard seen.insert(name).inserted else {
          throw BatchManifestError("\(path) line \(lineNumber): field '\(name)' is given twice")
        }
        guard let value = try jsonValue(object[key]!, path: path, line: lineNumber, key: key) else { continue }
        pairs.append((name, value))
      }
      rows.append(try row(pairs, path: path, line: lineNumber))
    }
    return rows
  }

  /// Strings as they are, numbers as their shortest text, booleans (in on/off columns) as true/false, null as
  /// "not set"; anything else is an error.
  static func jsonValue(_ value: Any, path: String, line: Int, key: String) throws -> String? {
    do {
      return try text(ofJSON: value, key: key)
    } catch let e as BatchManifestError {
      throw BatchManifestError("\(path) line \(line): \(e.description)")
    }
  }

  /// A JSON value of a manifest field as the text a CSV cell would hold (see `jsonValue`); also how the server
  /// reads a job's JSON settings.
  public static func text(ofJSON value: Any, key: String) throws -> String? {
    if value is NSNull { return nil }
    if let s = value as? String { return s }
    if let n = value as? NSNumber, String(cString: n.objCType) == "c", booleanColumns.contains(normalize(column: key)) {
      return n.boolValue ? "true" : "false"
    }
    if let n = value as? NSNumber, String(cString: n.objCType) != "c" {
      // Integers keep their exact digits (a seed of 2^64 must fail as too large, not wrap to 0); so do numbers
      // too long for 64 bits, which Foundation parses as decimals.
      if n is NSDecimalNumber || ["q", "Q", "i", "I", "l", "L", "s", "S"].contains(String(cString: n.objCType)) {
        return n.stringValue
      }
      let d = n.doubleValue
      if d.rounded() == d && Swift.abs(d) < 9.0e15 { return String(Int64(d)) }
      return "\(d)"
    }
    throw BatchManifestError("field '\(key)' must be a string or a number")
  }
}

public struct BatchManifestError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
