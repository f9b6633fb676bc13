import I2VApp

/// The presets part of `generate --help`, read from the preset files themselves (the one source of their values).
enum PresetHelp {
  static func lines(_ presets: [GenerationPreset] = GenerationPreset.all()) -> String {
    guard !presets.isEmpty else { return "Presets: none found (set I2V_PRESET_DIR); `i2v presets` lists them.\n" }
    let width = presets.map(\.name.count).max()! + 2
    var text = "Presets (flags override their values; `i2v presets` says what each is for):\n"
    for p in presets {
      let values = "\(p.steps) steps, guidance \(p.guidance), \(p.frames) frames at \(p.fps) fps, \(p.width)x\(p.height)"
        + PresetsCommand.promptOptions(p).map { ", " + $0 }.joined()
      text += "  " + p.name.padding(toLength: width, withPad: " ", startingAt: 0) + values + "\n"
    }
    return text
  }
}
