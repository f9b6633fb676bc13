import I2VImage

/// How chained clips become one video.
///
/// Clip k+1 starts from clip k's last frame, and its own first frame is that picture re-made by the model, so it
/// is dropped. With a blend of B frames, the last B frames of the video so far and the next B frames of clip k+1
/// (its frames 1…B) are cross-faded into B frames: the j-th (1…B) is `(1 − j/(B+1))·old + j/(B+1)·new`, rounded
/// to the nearest integer. Each join so adds N − 1 − B frames (N frames per clip): K clips give
/// N + (K − 1)(N − 1 − B) frames.
public enum ClipJoin {
  /// Frames of the joined video.
  public static func frameCount(clips: Int, framesPerClip n: Int, blend: Int) -> Int {
    n + (clips - 1) * (n - 1 - blend)
  }

  /// The largest blend for N-frame clips: blends of neighbouring joins never overlap (2B ≤ N − 1).
  public static func maxBlend(framesPerClip n: Int) -> Int { max(0, (n - 1) / 2) }

  /// Appends clip k+1 (`next`, all its frames) to `video`; returns the first index of `video` that changed.
  @discardableResult
  public static func append(_ next: [RGBImage], to video: inout [RGBImage], blend: Int) -> Int {
    precondition(blend >= 0 && blend < next.count && blend <= video.count, "join blend larger than the clips")
    let start = video.count - blend
    for j in stride(from: 1, through: blend, by: 1) {
      video[start + j - 1] = mix(video[start + j - 1], next[j], weight: Double(j) / Double(blend + 1))
    }
    video.append(contentsOf: next[(blend + 1)...])
    return start
  }

  /// `(1 − weight)·a + weight·b` per byte, rounded half up.
  static func mix(_ a: RGBImage, _ b: RGBImage, weight: Double) -> RGBImage {
    var out = a.pixels
    for i in out.indices {
      out[i] = UInt8(min(255, (Double(a.pixels[i]) * (1 - weight) + Double(b.pixels[i]) * weight + 0.5).rounded(.down)))
    }
    return RGBImage(unchecked: a.width, a.height, out)
  }
}
