import Foundation

/// `--guidance auto`: picks a classifier-free guidance scale from the motion a prompt asks for.
///
/// I2VGen-XL follows weak motion prompts with low guidance and needs more guidance for strong or several
/// simultaneous motions (too much washes out detail). The rule of thumb, by the strongest motion found:
///
///     subtle (blinking, swaying, flickering)     7 – 8
///     moderate (walking, turning, waving)        9 – 10
///     camera motion (zoom, pan, dolly, orbit)   10 – 11
///     strong (running, jumping, crashing)       11 – 12
///     combined actions (two or more actions,    11 – 12.5
///       or an action plus camera motion)
///
/// Within a range the scale starts at the low end and rises half a step per extra motion word of that class
/// and for an intensity word (fast, rapidly, wildly, ...), up to the top. Subtle words (slowly, gently) never
/// count as actions: "a cat slowly turning its head" is moderate, not combined.
public enum GuidanceAdvisor {
  public enum Motion: String, CaseIterable, Sendable {
    case subtle, moderate, strong, camera, combined

    /// The guidance range of the class.
    public var range: ClosedRange<Double> {
      switch self {
      case .subtle: return 7...8
      case .moderate: return 9...10
      case .camera: return 10...11
      case .strong: return 11...12
      case .combined: return 11...12.5
      }
    }

    /// How help and README name the class, with example words (the full lists are `vocabulary`).
    public var summary: String {
      switch self {
      case .subtle: return "subtle (blinking, swaying)"
      case .moderate: return "moderate (walking, turning)"
      case .camera: return "camera motion (zoom, pan, orbit)"
      case .strong: return "strong (running, crashing)"
      case .combined: return "combined actions (two actions, or one plus camera motion)"
      }
    }
  }

  /// The rule of thumb in one line, from the classes' own ranges: what help and README say.
  public static var summary: String {
    let order: [Motion] = [.subtle, .moderate, .camera, .strong, .combined]
    return order.map { m in
      let r = m.range
      let text = { (v: Double) in v == v.rounded() ? String(Int(v)) : String(v) }
      return "\(m.summary) \(text(r.lowerBound))-\(text(r.upperBound))"
    }.joined(separator: ", ")
  }

  /// Warnings and their thresholds in one line (`SafeRanges`), for help and README.
  public static var warningSummary: String {
    "guidance outside \(Int(SafeRanges.guidance.lowerBound))-\(Int(SafeRanges.guidance.upperBound)), fewer than "
      + "\(SafeRanges.finalRenderSteps) steps, sizes that are not multiples of \(SafeRanges.sizeMultiple)"
  }

  /// What `advise` found: the scale (nil when the prompt has no motion words), the class, the words that
  /// decided it (as written in the prompt) and a one-line explanation.
  public struct Advice: Equatable, Sendable {
    public let scale: Double?
    public let motion: Motion?
    public let words: [String]
    public let reason: String
  }

  public static func advise(prompt: String) -> Advice {
    let tokens = tokenize(prompt)
    var found: [Motion: [String]] = [:]
    var intensity: [String] = []
    var used = Set<Int>()  // words already claimed by a phrase ("camera moving" is camera motion, not "moving")
    for entry in vocabulary {
      if let range = match(entry.term, in: tokens, excluding: used) {
        used.formUnion(range)
        let written = tokens[range].joined(separator: " ")
        if let motion = entry.motion { found[motion, default: []].append(written) } else { intensity.append(written) }
      }
    }
    let subtle = found[.subtle] ?? [], moderate = found[.moderate] ?? []
    let strong = found[.strong] ?? [], camera = found[.camera] ?? []
    let actions = moderate + strong
    let boost = intensity.isEmpty ? 0 : 0.5

    let motion: Motion
    let words: [String]
    let scale: Double
    if actions.count >= 2 || (!actions.isEmpty && !camera.isEmpty) {
      motion = .combined
      words = actions + camera
      scale = 11 + 0.5 * Double(words.count - 2) + (strong.isEmpty && intensity.isEmpty ? 0 : 0.5)
    } else if !strong.isEmpty {
      (motion, words, scale) = (.strong, strong, 11 + boost)
    } else if !camera.isEmpty {
      (motion, words, scale) = (.camera, camera, 10 + 0.5 * Double(camera.count - 1) + boost)
    } else if !moderate.isEmpty {
      (motion, words, scale) = (.moderate, moderate, 9 + boost)
    } else if !subtle.isEmpty {
      (motion, words, scale) = (.subtle, subtle, 7 + 0.5 * Double(subtle.count - 1) + boost)
    } else {
      return Advice(scale: nil, motion: nil, words: [], reason: "no motion words in the prompt")
    }
    let chosen = min(scale, motion.range.upperBound)
    let quoted = (words + intensity).map { "'\($0)'" }.joined(separator: ", ")
    let range = "\(short(motion.range.lowerBound))–\(short(motion.range.upperBound))"
    let name = motion == .combined ? "combined actions" : motion == .camera ? "camera motion" : "\(motion.rawValue) motion"
    return Advice(scale: chosen, motion: motion, words: words + intensity,
                  reason: "\(name) (\(quoted)); range \(range)")
  }

  static func short(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }

  // MARK: - Words

  /// Lower-case words of the prompt (letters and digits; everything else separates, so "fly-through" is two).
  static func tokenize(_ text: String) -> [String] {
    var words: [String] = []
    var current = ""
    for ch in text.lowercased() {
      if ch.isLetter || ch.isNumber {
        current.append(ch)
      } else if ch != "'" && ch != "’" {
        if !current.isEmpty { words.append(current) }
        current = ""
      }
    }
    if !current.isEmpty { words.append(current) }
    return words
  }

  /// Where the prompt's words match `term` (one word or a phrase, each word possibly inflected), or nil.
  static func match(_ term: String, in tokens: [String], excluding used: Set<Int> = []) -> Range<Int>? {
    let parts = term.split(separator: " ").map(String.init)
    guard !parts.isEmpty, tokens.count >= parts.count else { return nil }
    for start in 0...(tokens.count - parts.count) {
      let range = start..<(start + parts.count)
      if range.allSatisfy({ !used.contains($0) }) && zip(parts, tokens[range]).allSatisfy({ inflects($0, to: $1) }) {
        return range
      }
    }
    return nil
  }

  /// Whether `word` is `stem` or a regular inflection of it (turns, turned, turning, running, dancing, flies).
  static func inflects(_ stem: String, to word: String) -> Bool {
    if word == stem || irregular[word] == stem { return true }
    guard word.hasPrefix(stem.hasSuffix("e") || stem.hasSuffix("y") ? String(stem.dropLast()) : stem) else { return false }
    var forms = [stem + "s", stem + "es", stem + "ed", stem + "ing"]
    if let last = stem.last, !"aeiouwxy".contains(last) { forms += [stem + String(last) + "ing", stem + String(last) + "ed"] }
    if stem.hasSuffix("e") { forms += [stem + "d", stem.dropLast() + "ing"] }
    if stem.hasSuffix("y") { forms += [stem.dropLast() + "ies", stem.dropLast() + "ied"] }
    return forms.contains(word)
  }

  static let irregular: [String: String] = [
    "ran": "run", "flew": "fly", "swam": "swim", "spun": "spin", "fell": "fall", "blew": "blow", "rode": "ride",
    "threw": "throw", "leapt": "leap", "shook": "shake", "swung": "swinging", "sang": "sing",
  ]

  /// Motion words by class; `nil` marks intensity words, which raise the scale within the class. Phrases come
  /// first so they claim their words before the single words do. Words that are mostly static nouns or
  /// adjectives in prompts ("open", "snow", "rain", "row") are left out on purpose, and some verbs are listed
  /// only in their verb forms ("waving", not "wave": ocean waves are no gesture; "swinging", not "a swing").
  static let vocabulary: [(term: String, motion: Motion?)] = {
    var list: [(String, Motion?)] = []
    func add(_ motion: Motion?, _ words: String) { list += words.split(separator: ",").map { ($0.trimmed, motion) } }
    add(.subtle, """
      subtle, subtly, gentle, gently, slight, slightly, slow, slowly, soft, softly, calm, calmly, breeze, breathe,
      blink, sway, flicker, drift, ripple, flutter, smile, shimmer, twinkle, glisten, steam, rustle, bob, float, blow,
      idle
      """)
    add(.moderate, """
      walk, turn, waving, waved, nod, move, flow, rotate, swim, fly, pour, talk, laugh, stroll, rise, fall, roll, climb, wag,
      shake, stretch, reach, lift, raise, chew, drink, ride, sail, grow, melt, bloom, sing, paddle, march, wander,
      glide, dive, bounce, hop
      """)
    add(.strong, """
      run, jump, dance, explode, explosion, crash, splash, spin, gallop, race, sprint, leap, fight, burst, storm,
      tornado, erupt, collapse, chase, punch, kick, throw, skate, surf, ski, somersault, flip, tumble, rush,
      charge, dash, stampede, whirl, thrash, swinging
      """)
    add(.camera, """
      zoom, pan, dolly, tracking shot, orbit, tilt, crane shot, push in, pull back, pull out, fly through, flythrough,
      aerial, handheld, camera move, camera moving, camera movement, camera rotate, camera motion, camera circle
      """)
    add(nil, """
      fast, quick, quickly, rapid, rapidly, wild, wildly, violent, violently, vigorous, vigorously, intense, intensely,
      dramatic, dramatically, energetic, energetically, furious, furiously, frantic, frantically
      """)
    return list.sorted { $0.0.split(separator: " ").count > $1.0.split(separator: " ").count }
  }()
}

extension Substring {
  fileprivate var trimmed: String { String(self).trimmingCharacters(in: .whitespacesAndNewlines) }
}
