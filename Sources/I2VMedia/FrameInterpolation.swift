import CMedia
import Foundation
import I2VImage

/// More frames at a higher frame rate over the same duration (libavfilter's `minterpolate`).
public enum FrameInterpolation {
  public enum Mode: String, Sendable, CaseIterable, Codable {
    /// Motion-compensated (minterpolate's `mci`): objects move to where they are between two frames.
    case motion
    /// A cross-fade of the two neighbours (minterpolate's `blend`): cheap, ghosts on fast motion.
    case blend
  }

  /// `frames` × `factor`: frame i of the input is frame i·factor of the result, unchanged; the frames between are
  /// interpolated; the last frame is held `factor`−1 times, so at `factor` times the frame rate the clip lasts as
  /// long as before. 2 ≤ factor ≤ 16.
  public static func interpolate(_ frames: [RGBImage], factor: Int, mode: Mode = .motion) throws -> [RGBImage] {
    guard (2...16).contains(factor) else {
      throw MediaError.invalidFrames(reason: "the interpolation factor must be between 2 and 16 (got \(factor))")
    }
    guard let first = frames.first else { throw MediaError.invalidFrames(reason: "no frames to interpolate") }
    let w = first.width, h = first.height
    guard frames.allSatisfy({ $0.width == w && $0.height == h }) else {
      throw MediaError.invalidFrames(reason: "frames to interpolate must all be \(w)x\(h)")
    }
    var input: [UInt8] = []
    input.reserveCapacity(frames.count * w * h * 3)
    for f in frames { input += f.pixels }
    var out: UnsafeMutablePointer<UInt8>? = nil
    var count: Int32 = 0
    var err = CErrorBuffer()
    let status = input.withUnsafeBufferPointer { p in
      err.call {
        cm_interpolate(p.baseAddress, Int32(frames.count), Int32(w), Int32(h), Int32(factor), mode == .blend ? 1 : 0,
                       &out, &count, $0, $1)
      }
    }
    guard status == Int32(CM_OK.rawValue), let out else {
      throw MediaError.invalidFrames(reason: "frame interpolation failed: \(err.message)")
    }
    defer { free(out) }
    let bytes = w * h * 3
    return (0..<Int(count)).map { i in RGBImage(unchecked: w, h, Array(UnsafeBufferPointer(start: out + i * bytes, count: bytes))) }
  }
}
