import ArgumentParser
import Foundation
import I2VApp
import I2VModels

struct PresetsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "presets",
    abstract: "List the generation presets with their values and purpose, or show one.",
    discussion: """
      A preset is a JSON file of generation defaults; flags given to `generate`
      override its values. Names are looked up in, first match wins:
      $I2V_PRESET_DIR, ~/.config/i2v/presets (or $XDG_CONFIG_HOME/i2v/presets),
      then the built-in Presets/ folder; `--preset path/to/file.json` uses a
      file directly. A preset sets steps, guidance, frames, fps, width and
      height (multiples of 8), and may have a description, "prompt_syntax"
      ("plain" or "weighted") and "long_prompt" (true or false):

        {"description": "Fast drafts", "steps": 25, "guidance": 8.5,
         "frames": 16, "fps": 8, "width": 512, "height": 512}

      Examples:
        i2v presets
        i2v presets show high_motion
        i2v presets show ./my-preset.json --json
      """,
    subcommands: [List.self, Show.self],
    defaultSubcommand: List.self
  )

  typealias PresetJSON = PresetSummary

  static func promptOptions(_ p: GenerationPreset) -> [String] { PresetSummary.promptOptions(p) }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List every preset (the default when no subcommand is given).")

    @Flag(name: .long, help: "Print presets, search folders and broken files as JSON.") var json = false

    struct ListJSON: Encodable {
      struct Folder: Encodable { var path, origin: String }
      var presets: [PresetJSON]
      var folders: [Folder]
      var errors: [String]
    }

    func run() throws {
      let folders = GenerationPreset.labeledSearchFolders()
      let catalog = PresetCatalog(folders: folders)
      if json {
        JSONOutput.print(ListJSON(
          presets: catalog.entries.map { PresetJSON($0.preset, origin: $0.origin.rawValue, overrides: $0.overrides) },
          folders: folders.map { .init(path: $0.path, origin: $0.origin.rawValue) },
          errors: catalog.errors.map(\.description)))
      } else {
        printTable(catalog, folders: folders)
      }
      for e in catalog.errors { FileHandle.standardError.write(Data("error: \(e.description)\n".utf8)) }
      if !catalog.errors.isEmpty { throw ExitCode.failure }
    }

    func printTable(_ catalog: PresetCatalog, folders: [(path: String, origin: GenerationPreset.Origin)]) {
      let header = ["preset", "steps", "guidance", "frames", "fps", "size", "from"]
      let rows = catalog.entries.map { e -> [String] in
        let p = e.preset
        let from = e.origin.rawValue + (e.overrides.isEmpty ? "" : " (overrides \(e.overrides.count) other)")
        return [p.name, "\(p.steps)", "\(p.guidance)", "\(p.frames)", "\(p.fps)", "\(p.width)x\(p.height)", from]
      }
      let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
      func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in
          let pad = String(repeating: " ", count: widths[i] - c.count)
          return (1...4).contains(i) ? pad + c : c + pad  // numbers right-aligned
        }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
      }
      print(line(header))
      for (e, row) in zip(catalog.entries, rows) {
        print(line(row))
        if !e.preset.description.isEmpty { print("    " + e.preset.description) }
        let prompts = PresetsCommand.promptOptions(e.preset)
        if !prompts.isEmpty { print("    prompts: " + prompts.joined(separator: ", ")) }
        if e.preset.scheduler != .ddim { print("    scheduler: \(e.preset.scheduler.rawValue) (\(e.preset.scheduler.diffusersClass))") }
        if e.preset.cache != .off { print("    cache: \(e.preset.cache) (DeepCache)") }
      }
      if catalog.entries.isEmpty { print("(no presets found; set I2V_PRESET_DIR to a folder of preset .json files)") }
      print("")
      print("Searched, first match wins: " + folders.map { "\($0.path) (\($0.origin.rawValue))" }.joined(separator: ", "))
      print("Use one with `i2v generate --preset NAME`; flags override its values. `i2v presets show NAME` for details.")
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: "Show one preset's values, file and purpose.")

    @Argument(help: "A preset name (see `i2v presets`) or a path to a preset .json file.") var preset: String
    @Flag(name: .long, help: "Print the preset as one JSON object.") var json = false

    func run() throws {
      let p: GenerationPreset
      do { p = try GenerationPreset.load(preset) } catch { throw fail("\(error)") }
      let entry = PresetCatalog().entries.first { $0.preset.path == p.path }
      let origin = entry?.origin.rawValue ?? "file"
      let info = PresetJSON(p, origin: origin, overrides: entry?.overrides ?? [])
      if json {
        JSONOutput.print(info)
        return
      }
      print("preset \(p.name) (\(origin): \(p.path))")
      if !p.description.isEmpty { print("  \(p.description)") }
      let seconds = Format.fixed(Double(p.frames) / Double(p.fps), 2)
      for (k, v) in [("steps", "\(p.steps)"), ("guidance", "\(p.guidance)"), ("frames", "\(p.frames)"),
                     ("fps", "\(p.fps)  (\(seconds) s of video)"), ("size", "\(p.width)x\(p.height)")]
      {
        print("  " + k.padding(toLength: 10, withPad: " ", startingAt: 0) + v)
      }
      let prompts = PresetsCommand.promptOptions(p)
      print("  prompts   " + (prompts.isEmpty ? "plain syntax, cut at 75 tokens" : prompts.joined(separator: ", ")))
      print("  scheduler \(p.scheduler.rawValue)  (diffusers' \(p.scheduler.diffusersClass))")
      let evaluations = p.cache.evaluations(steps: p.steps)
      print("  cache     \(p.cache)" + (p.cache == .off ? "" : "  (DeepCache: \(evaluations.full) whole-UNet and "
        + "\(evaluations.shallow) shallow evaluations)"))
      for o in info.overrides { print("  overrides \(o)") }
      for w in info.warnings { print("  note: \(w)") }
      print("Use: i2v generate --preset \(preset) ...  (flags such as --steps override these values)")
    }
  }
}
