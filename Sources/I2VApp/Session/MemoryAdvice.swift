import Foundation
import I2VModels
import I2VTensor

/// What to tell a user whose run ran out of memory: the stage, what libtorch asked for, what the device has free,
/// and the settings that shrink the job, most effective first.
public enum MemoryAdvice {
  /// Exit status of a run that failed for lack of memory (1 is every other failure).
  public static let exitStatus: Int32 = 3

  public static func message(stage: String, detail: String, request: GenerationRequest?, device: Device, dtype: DType)
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

  /// The pre-flight refusal: the estimate, what is free, and each single change that would fit.
  public static func preflightMessage(estimate e: MemoryEstimate, needed: Int, available: Int, session: GenerationSession,
                               request r: GenerationRequest) -> String
  {
    let peak = e.peak
    var lines = [
      "this job needs about \(gib(UInt64(needed))) on \(session.device) but \(gib(UInt64(available))) is free "
        + "(estimated before loading: \(describe(e)))",
      "  each of these would fit:",
    ]
    let fits = alternatives(session: session, request: r, available: available)
    if fits.isEmpty {
      lines[1] = "  no single change fits; combine --offload model, --dtype float16, --frames 8 and --width 512 --height 512"
    } else {
      lines += fits.map { "    \($0.flags)  (about \(gib(UInt64($0.bytes))))" }
    }
    lines.append("  (or --no-memory-check to run anyway; the peak is expected while \(peak.name))")
    return lines.joined(separator: "\n")
  }

  /// "peak 7.9 GiB while denoising: weights 4.9 GiB + activations 2.4 GiB + runtime 0.6 GiB".
  public static func describe(_ e: MemoryEstimate) -> String {
    let p = e.peak
    return "peak \(gib(UInt64(e.peakBytes))) while \(p.name): weights \(gib(UInt64(p.weightBytes))) + activations "
      + "\(gib(UInt64(p.activationBytes))) + runtime \(gib(UInt64(e.runtimeBytes)))"
  }

  /// Single changes of the job and their estimated peaks, those that fit in `available`, most faithful first.
  public static func alternatives(session: GenerationSession, request r: GenerationRequest, available: Int)
    -> [(flags: String, bytes: Int)]
  {
    var options: [(String, () throws -> MemoryEstimate)] = []
    if session.offload != .model { options.append(("--offload model", { try session.memoryEstimate(r, offload: .model) })) }
    if session.dtype == .float32 && session.device.kind == .cuda {
      options.append(("--dtype float16", { try session.memoryEstimate(r, dtype: .float16) }))
    }
    if ActivationBudget.blockBytes > 256 << 20 || ActivationBudget.blockBytes <= 0 {
      options.append(("--block-memory 256", { try session.memoryEstimate(r, blockBytes: 256 << 20) }))
    }
    if r.decodeChunkSize > 1 {
      var q = r
      q.decodeChunkSize = 1
      options.append(("--decode-chunk-size 1", { try session.memoryEstimate(q) }))
    }
    if r.frames > 8 {
      var q = r
      q.frames = max(8, r.frames / 2)
      options.append(("--frames \(q.frames)", { try session.memoryEstimate(q) }))
    }
    if r.width * r.height > 512 * 512 {
      // The same aspect ratio at about 512x512 pixels, in multiples of 64.
      let f = (Double(512 * 512) / Double(r.width * r.height)).squareRoot()
      var q = r
      q.width = max(64, Int((Double(r.width) * f / 64).rounded()) * 64)
      q.height = max(64, Int((Double(r.height) * f / 64).rounded()) * 64)
      options.append(("--width \(q.width) --height \(q.height)", { try session.memoryEstimate(q) }))
    }
    return options.compactMap { flags, make in
      guard let e = try? make(), e.peakBytes <= available else { return nil }
      return (flags, e.peakBytes)
    }
  }

  public static func gib(_ bytes: UInt64) -> String { "\(Format.fixed(Double(bytes) / Double(1 << 30), 1)) GiB" }

  public static func firstLine(_ s: String) -> String {
    String(s.split(separator: "\n", maxSplits: 1).first ?? Substring(s))
  }
}

/// The pre-flight check's refusal (exit status `MemoryAdvice.exitStatus`).
public struct MemoryPreflightError: Error, CustomStringConvertible {
  public let message: String
  public var description: String { message }
}
