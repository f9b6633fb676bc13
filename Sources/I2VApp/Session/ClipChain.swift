import Foundation
import I2VCheckpoint
import I2VImage
import I2VModels

/// `--clips K`: one video from K generations in a row. Clip 1 starts from the input image; clip k+1 from clip k's
/// last frame as written (uint8), with seed S + k; each clip has its own prompt or the item's. Finished clips are
/// kept as `ClipFile`s until the video is written, so an interrupted run (or batch) redoes only the clips it had
/// not finished. With K = 1 this is one plain generation.
public enum ClipChain {
  public static let maxClips = 100

  /// What the clips made, joined (`ClipJoin`).
  public struct Output {
    public var frames: [RGBImage]
    public var clips: [Provenance.ClipRecord]
    /// The last clip's run (for its timings, memory peaks and guidance scales); nil when every clip was resumed.
    public var last: GenerationOutput?
    /// Seconds per stage, summed over the clips generated now.
    public var timings: [String: Double]
  }

  /// Settings that need the frame count: the blend must fit in a clip.
  static func check(_ item: GenerationSession.Item, frames n: Int) throws {
    let o = item.options
    guard o.clips > 1 else { return }
    let most = ClipJoin.maxBlend(framesPerClip: n)
    if o.joinBlend > most {
      throw SettingsError("--join-blend \(o.joinBlend) is too long for clips of \(n) frames: at most \(most) "
        + "((frames - 1) / 2, so neighbouring blends never overlap)\n  fix: a smaller --join-blend, or more --frames")
    }
    if n < 2 {
      throw SettingsError("--clips \(o.clips) needs at least 2 frames per clip (got --frames \(n)): each clip after "
        + "the first drops its first frame, a repeat of the clip before's last")
    }
    if item.saveTensors != nil { throw SettingsError("--save-tensors records one generation: leave out --clips") }
  }

  /// The prompt of each clip.
  static func prompts(_ item: GenerationSession.Item) -> [String] {
    item.options.clipPrompts ?? Array(repeating: item.prompt, count: item.options.clips)
  }

  /// The seed of clip `k` (from 1): S + k − 1, wrapping as the seed's 64 bits do.
  static func seed(_ base: UInt64, clip k: Int) -> UInt64 { base &+ UInt64(k - 1) }

  /// Everything a clip's frames depend on: its conditioning pixels, prompt, seed, place in the chain, the
  /// settings, model and dtype. A clip file whose key differs was made otherwise and is never reused.
  static func key(_ request: GenerationRequest, clip k: Int, of count: Int, dtype: String, model: String) -> String {
    var h = SHA256()
    h.update(request.image.pixels)
    let fields: [String] = [
      model, dtype, "\(k)/\(count)", request.prompt, request.negativePrompt ?? "", "\(request.width)x\(request.height)",
      "\(request.frames)", "\(request.steps)", "\(request.guidanceScale)", "\(request.guidanceSchedule)",
      "\(request.conditioningFPS)", "\(request.seed)", "\(request.decodeChunkSize)", "\(request.eta)",
      request.promptSyntax.rawValue, "\(request.longPrompt)", request.textCleanup.rawValue,
    ]
    // Added after the first clip files were written: only a non-default value changes the key, so kept clips of
    // default settings stay valid.
    + (request.scheduler == .ddim ? [] : ["scheduler \(request.scheduler.rawValue)"])
    + (request.featureCache == .off ? [] : ["cache \(request.featureCache)"])
    h.update(Array(fields.joined(separator: "\u{1F}").utf8))
    return h.finalizeHex()
  }

  /// For a chain without a given seed: the seed of the first clip an interrupted run of the same item kept, so
  /// that it continues instead of starting over with a new random seed.
  static func resumableSeed(_ request: GenerationRequest, item: GenerationSession.Item,
                            keyContext: (dtype: String, model: String)) -> UInt64?
  {
    let count = item.options.clips
    let path = ClipFile.path(for: item.output, clip: 1)
    guard count > 1, item.options.seed == nil, let seed = ClipFile.seed(at: path) else { return nil }
    var first = request
    first.prompt = prompts(item)[0]
    first.seed = seed
    let key = Self.key(first, clip: 1, of: count, dtype: keyContext.dtype, model: keyContext.model)
    return ClipFile.load(path, key: key) != nil ? seed : nil
  }

  /// SHA-256 of an image's RGB bytes (row-major, no header).
  public static func pixelHash(_ image: RGBImage) -> String {
    var h = SHA256()
    h.update(image.pixels)
    return h.finalizeHex()
  }

  /// Runs the clips of `request` (the item's first clip) with `generate`, resuming from the clip files of `output`;
  /// `length`: the joined video's frames when fewer than the clips make (the surplus goes from the end).
  static func run(_ request: GenerationRequest, item: GenerationSession.Item, blend: Int, length: Int? = nil,
                  report: ProgressSink,
                  keyContext: (dtype: String, model: String),
                  generate: (Int, GenerationRequest) throws -> GenerationOutput) throws -> Output
  {
    let count = item.options.clips
    let prompts = prompts(item)
    var video: [RGBImage] = []
    var records: [Provenance.ClipRecord] = []
    var last: GenerationOutput?
    var timings: [String: Double] = [:]
    var next = request
    var resuming = count > 1
    for k in 1...count {
      next.prompt = prompts[k - 1]
      next.seed = seed(request.seed, clip: k)
      next.prompts = nil
      let path = ClipFile.path(for: item.output, clip: k)
      let key = Self.key(next, clip: k, of: count, dtype: keyContext.dtype, model: keyContext.model)
      var frames: [RGBImage]
      var resumed = false
      if resuming, let kept = ClipFile.load(path, key: key), kept.frames.count == next.frames {
        report.note("clip \(k) of \(count): kept from an earlier run (seed \(next.seed))")
        frames = kept.frames
        resumed = true
      } else {
        resuming = false
        if count > 1 { report.note("clip \(k) of \(count): seed \(next.seed), \"\(next.prompt)\"") }
        let out = try generate(k, next)
        frames = try out.images()
        for t in out.timings { timings[t.stage, default: 0] += t.seconds }
        last = out
        if count > 1 && k < count { try ClipFile(key: key, seed: next.seed, frames: frames).write(to: path) }
      }
      let first = video.count
      if k == 1 { video = frames } else { ClipJoin.append(frames, to: &video, blend: blend) }
      records.append(Provenance.ClipRecord(
        clip: k, seed: next.seed, prompt: next.prompt, firstFrame: max(0, first - blend), lastFrame: video.count - 1,
        conditioningSHA256: pixelHash(next.image), resumed: resumed))
      // Clip k+1 starts from this clip's last frame as generated: the uint8 pixels the video holds before joining.
      next.image = frames[frames.count - 1]
    }
    if let length, length < video.count {
      video.removeLast(video.count - length)
      records[records.count - 1].lastFrame = length - 1
    }
    return Output(frames: video, clips: records, last: last, timings: timings)
  }
}
