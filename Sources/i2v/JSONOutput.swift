import Foundation
import I2VApp
import I2VModels

/// `--json`: one machine-readable object on stdout per command (progress and messages stay on stderr).
enum JSONOutput {
  static func print<T: Encodable>(_ value: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard var data = try? encoder.encode(value) else { return }
    data.append(0x0A)
    FileHandle.standardOutput.write(data)
  }

  /// What a failed command prints with `--json` (the message also goes to stderr).
  struct Failure: Encodable {
    var status = "failed"
    var error: String
  }
}

/// `i2v generate --json`: the run's key facts, plus the whole provenance record.
struct GenerateJSONResult: Encodable {
  var status = "done"
  var output: String
  var sidecar: String
  var framesDir: String?
  var framesSidecar: String?
  var outputSHA256: String
  var seed: UInt64
  var guidance: Double
  var guidanceSource: String
  var frames: Int
  var width: Int
  var height: Int
  var fps: Int
  var seconds: Double
  var warnings: [String]
  var provenance: Provenance

  init(_ r: GenerationSession.Result, framesDir: String?) {
    output = r.provenance.output.path
    sidecar = Provenance.absolute(r.sidecarPath)
    self.framesDir = framesDir.map(Provenance.absolute)
    framesSidecar = r.framesSidecarPath.map(Provenance.absolute)
    outputSHA256 = r.provenance.output.sha256
    seed = r.seed
    guidance = r.request.guidanceScale
    guidanceSource = r.guidance.source.rawValue
    frames = r.frames
    width = r.request.width
    height = r.request.height
    fps = r.videoFPS
    seconds = (r.seconds * 1000).rounded() / 1000
    warnings = r.warnings
    provenance = r.provenance
  }

  enum CodingKeys: String, CodingKey {
    case status, output, sidecar, framesDir = "frames_dir", framesSidecar = "frames_sidecar"
    case outputSHA256 = "output_sha256", seed, guidance, guidanceSource = "guidance_source", frames, width, height, fps
    case seconds, warnings, provenance
  }
}

/// `generate --dry-run --json`: the memory estimate per stage.
struct DryRunJSON: Encodable {
  struct Stage: Encodable {
    var name: String
    var weightBytes: Int
    var activationBytes: Int
    enum CodingKeys: String, CodingKey { case name, weightBytes = "weight_bytes", activationBytes = "activation_bytes" }
  }
  var status = "planned"
  var device: String
  var dtype: String
  var peakBytes: Int
  var peakStage: String
  var runtimeBytes: Int
  var availableBytes: Int?
  var fits: Bool?
  var stages: [Stage]

  enum CodingKeys: String, CodingKey {
    case status, device, dtype, peakBytes = "peak_bytes", peakStage = "peak_stage", runtimeBytes = "runtime_bytes"
    case availableBytes = "available_bytes", fits, stages
  }

  init(_ e: MemoryEstimate, available: Int?, device: String, dtype: String) {
    self.device = device
    self.dtype = dtype
    peakBytes = e.peakBytes
    peakStage = e.peak.name
    runtimeBytes = e.runtimeBytes
    availableBytes = available
    fits = available.map { e.peakBytes <= $0 }
    stages = e.stages.map { Stage(name: $0.name, weightBytes: $0.weightBytes, activationBytes: $0.activationBytes) }
  }
}
