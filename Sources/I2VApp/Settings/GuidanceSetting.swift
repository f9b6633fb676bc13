import Foundation

/// `--guidance`: a number, or `auto` to let `GuidanceAdvisor` pick one from the prompt's motion words.
public enum GuidanceSetting: Sendable, Equatable, CustomStringConvertible {
  case auto
  case scale(Double)

  public init?(text: String) {
    let t = text.trimmingCharacters(in: .whitespaces)
    if t.lowercased() == "auto" {
      self = .auto
    } else if let v = Double(t) {
      self = .scale(v)
    } else {
      return nil
    }
  }

  public var description: String {
    switch self {
    case .auto: return "auto"
    case .scale(let v): return "\(v)"
    }
  }

  /// The scale to run with and where it came from (`preset` when no `--guidance` was given).
  public static func resolve(_ setting: GuidanceSetting?, prompt: String, preset: GenerationPreset) -> GuidanceChoice {
    switch setting {
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
public struct GuidanceChoice: Sendable, Equatable {
  public enum Source: String, Sendable { case flag, preset, auto }
  public var scale: Double
  public var source: Source
  public var reason: String
}
