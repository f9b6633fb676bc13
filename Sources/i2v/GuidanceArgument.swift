import ArgumentParser
import I2VApp
import I2VModels

/// `--guidance`: a number, or `auto` to let `GuidanceAdvisor` pick one from the prompt's motion words.
enum GuidanceArgument: Equatable, ExpressibleByArgument, CustomStringConvertible {
  case auto
  case scale(Double)

  init?(argument: String) {
    let text = argument.trimmingCharacters(in: .whitespaces)
    if text.lowercased() == "auto" {
      self = .auto
    } else if let v = Double(text) {
      self = .scale(v)
    } else {
      return nil
    }
  }

  var description: String {
    switch self {
    case .auto: return "auto"
    case .scale(let v): return "\(v)"
    }
  }

  static var defaultCompletionKind: CompletionKind { .list(["auto"]) }

  /// The scale to run with and where it came from (`preset` when no `--guidance` was given).
  static func resolve(_ argument: GuidanceArgument?, prompt: String, preset: GenerationPreset) -> GuidanceChoice {
    switch argument {
    case .scale(let v)?: return GuidanceChoice(scale: v, source: .flag, reason: "--guidance \(v)")
    case nil: return GuidanceChoice(scale: preset.guidance, source: .preset, reason: "preset '\(preset.name)'")
    case .auto?:
      let advice = GuidanceAdvisor.advise(prompt: prompt)
      guard let scale = advice.scale else {
        return GuidanceChoice(scale: preset.guidance, source: .auto,
                              reason: "\(advice.reason); kept preset '\(preset.name)' guidance \(preset.guidance)")
      }
      return GuidanceChoice(scale: scale, source: .auto, reason: advice.reason)
    }
  }
}

/// The guidance scale actually used, for messages and the provenance sidecar.
struct GuidanceChoice: Equatable {
  enum Source: String { case flag, preset, auto }
  var scale: Double
  var source: Source
  var reason: String
}
