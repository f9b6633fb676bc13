import Foundation
import I2VModels
import I2VTensor

/// What to tell a user whose run ran out of memory: the stage, what libtorch asked for, what the device has free,
/// and the settings that shrink the job, most effective first.
enum MemoryAdvice {
  /// Exit status of a run that failed for lack of memory (1 is every other failure).
  static let exitStatus: Int32 = 3

  static func message(stage: String, detail: String, request: GenerationRequest?, device: Device, dtype: DType)
    -> String
  {
    var lines = ["out of memory on \(device) while \(stage)", "  libtorch: \(firstLine(detail))"]
    if device.kind == .cuda, let (free, total) = try? Runtime.cudaMemoryInfo(device.index ?? 0) {
      lines.append("  the GPU has \(gib(free)) free of \(gib(total)) now (other processes count too)")
    }
    lines.append("  try, most effective first:")
    if let r = request {
      if r.width * r.height > 512 * 512 {
        lines.append("    --width 512 --height 512 (now \(r.width)x\(r.height); memory grows with the pixel count)")
      }
      if r.frames > 8 { lines.append("    --frames \(max(8, r.frames / 2)) (now \(r.frames))") }
      if r.decodeChunkSize > 1 { lines.append("    --decode-chunk-size 1 (now \(r.decodeChunkSize))") }
    }
    if dtype == .float32 && device.kind == .cuda { lines.append("    --dtype float16 (halves weights and activations)") }
    lines.append("    --block-memory 256 (smaller slices inside the UNet's transformer blocks)")
    return lines.joined(separator: "\n")
  }

  static func gib(_ bytes: UInt64) -> String { "\(Format.fixed(Double(bytes) / Double(1 << 30), 1)) GiB" }

  static func firstLine(_ s: String) -> String {
    String(s.split(separator: "\n", maxSplits: 1).first ?? Substring(s))
  }
}
