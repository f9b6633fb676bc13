/// `--fit-to-audio` with chained clips: how many clips of how many frames make a video exactly as long as its
/// sound (round(duration × fps) frames, as for one clip).
///
/// K clips of F frames joined with a blend of B give K·F − (K−1)(1+B) frames (`ClipJoin`). Every clip gets the same
/// F, the smallest with which K clips reach the target; the joined video is then cut to the target, which drops
/// fewer than K frames, and fewer than the last clip adds, from its end (the only clip no other starts from).
/// - `--clips K`: the sound's length is shared by K clips (at most `SoundTrackPlan.maxFrames` frames each).
/// - `--clips auto`: the fewest clips of at most `--frames` frames (the preset's by default) that reach it.
public struct AudioClipFit: Equatable, Sendable {
  public let clips: Int
  public let framesPerClip: Int
  /// Frames of the joined video once cut: the target.
  public let frames: Int

  /// `target`: frames the sound needs; `clips`: nil for `--clips auto`; `maxFramesPerClip`: auto's longest clip.
  public init(target: Int, clips requested: Int?, maxFramesPerClip: Int, blend: Int) throws {
    precondition(target >= 1 && blend >= 0)
    frames = target
    let overlap = 1 + blend  // frames each join takes back
    if let k = requested {
      let f = Self.framesPerClip(target: target, clips: k, overlap: overlap)
      if f > SoundTrackPlan.maxFrames {
        throw SettingsError("--fit-to-audio with --clips \(k): the sound needs \(target) frames, \(f) per clip; a "
          + "clip holds at most \(SoundTrackPlan.maxFrames)\n  fix: more --clips, or --clips auto")
      }
      // Each clip must keep a frame of its own: the cut takes fewer than the last clip adds.
      if f - overlap < 1 || k * f - (k - 1) * overlap - target >= f - overlap {
        throw SettingsError("--fit-to-audio with --clips \(k): the sound needs only \(target) frames, too few for "
          + "\(k) clips (\(f) frames each, \(overlap) of them taken back at each join)\n  fix: fewer --clips, or "
          + "--clips auto")
      }
      clips = k
      framesPerClip = f
    } else {
      let most = maxFramesPerClip, step = maxFramesPerClip - overlap
      guard step >= 1 else {
        throw SettingsError("--clips auto: clips of \(most) frames add nothing after a join taking back \(overlap) "
          + "frames\n  fix: more --frames, or a smaller --join-blend")
      }
      let k = target <= most ? 1 : 1 + (target - most + step - 1) / step
      if k > ClipChain.maxClips {
        throw SettingsError("--clips auto: the sound needs \(target) frames, \(k) clips of \(most) frames; at most "
          + "\(ClipChain.maxClips) clips\n  fix: shorten the sound, lower --fps, or raise --frames")
      }
      clips = k
      framesPerClip = k == 1 ? target : Self.framesPerClip(target: target, clips: k, overlap: overlap)
    }
  }

  /// The smallest F with K·F − (K−1)·overlap ≥ target.
  static func framesPerClip(target: Int, clips k: Int, overlap: Int) -> Int {
    (target + (k - 1) * overlap + k - 1) / k
  }
}
