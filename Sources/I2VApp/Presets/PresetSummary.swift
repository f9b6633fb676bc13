/// A preset as front ends show it (`i2v presets --json`, the server's `/api/presets`): its values, where it came
/// from, which presets it hides, and the notes `SafeRanges` has about its values.
public struct PresetSummary: Encodable, Sendable {
  public var name, path, origin, description: String
  public var steps: Int
  public var guidance: Double
  public var frames, fps, width, height: Int
  public var prompt_syntax: String
  public var long_prompt: Bool
  public var guidance_schedule: String
  public var guidance_end: Double?
  public var scheduler: String
  public var cache: String
  public var overrides: [String]
  public var warnings: [String]

  public init(_ p: GenerationPreset, origin: String, overrides: [String]) {
    (name, path, self.origin, description) = (p.name, p.path, origin, p.description)
    (steps, guidance, frames, fps, width, height) = (p.steps, p.guidance, p.frames, p.fps, p.width, p.height)
    (prompt_syntax, long_prompt) = (p.promptSyntax.rawValue, p.longPrompt)
    (guidance_schedule, guidance_end) = (p.guidanceSchedule.rawValue, p.guidanceEnd)
    scheduler = p.scheduler.rawValue
    cache = p.cache.description
    self.overrides = overrides
    warnings = SafeRanges.warnings(guidance: p.guidance, steps: p.steps, width: p.width, height: p.height,
                                   scheduler: p.scheduler) + SafeRanges.warnings(cache: p.cache, steps: p.steps)
  }

  /// The preset's prompt and guidance-schedule options that differ from the defaults, as the flags that set them.
  public static func promptOptions(_ p: GenerationPreset) -> [String] {
    (p.promptSyntax == .plain ? [] : ["--prompt-syntax \(p.promptSyntax.rawValue)"]) + (p.longPrompt ? ["--long-prompt"] : [])
      + (p.guidanceEnd.map { ["--guidance-schedule \(p.guidanceSchedule.rawValue) --guidance-end \($0)"] } ?? [])
  }
}
