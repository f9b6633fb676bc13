import Foundation
import I2VCheckpoint
import I2VMedia
import I2VModels
import I2VTensor

/// The JSON sidecar written next to every output (`cat.mp4` → `cat.mp4.json`, a PNG-frame folder `dir/` →
/// `dir.json`): everything needed to reproduce or audit the video — the parameters actually used (after the
/// preset and `--guidance auto`), the seed, the model and a SHA-256 of every file of it that was read, the
/// software and device, per-stage timings, and the output's own SHA-256.
public struct Provenance: Codable {
  public var format = "i2v-provenance/1"
  public var created: String
  public var output: OutputRecord
  public var parameters: Parameters
  /// `--interpolate`: what was generated and what was written (nil without it).
  public var interpolation: InterpolationRecord?
  /// `--audio`: the sound track's file and what was done with it (nil without one).
  public var audio: AudioRecord?
  /// `--analyze`: the written frames' motion measures and verdict (`i2v analyze`'s, nil without it).
  public var motion: MotionAnalysis?

  public struct InterpolationRecord: Codable {
    public var factor: Int
    /// "motion" or "blend".
    public var mode: String
    public var framesGenerated: Int
    public var framesWritten: Int
    public var fpsWritten: Int

    public enum CodingKeys: String, CodingKey {
      case factor, mode, framesGenerated = "frames_generated", framesWritten = "frames_written"
      case fpsWritten = "fps_written"
    }
  }
  /// `--clips K` with K > 1: each clip's seed, prompt and frames in the written video (nil for one clip).
  public var clips: [ClipRecord]?
  public var joinBlend: Int?

  public struct ClipRecord: Codable, Equatable {
    public var clip: Int
    public var seed: UInt64
    public var prompt: String
    /// The clip's frames in the video, inclusive, from 0 (before `--interpolate`; a blended join belongs to both).
    public var firstFrame: Int
    public var lastFrame: Int
    /// SHA-256 of the RGB bytes the clip was conditioned on (the input image, or the last clip's last frame).
    public var conditioningSHA256: String
    /// Taken from an earlier, interrupted run's clip file rather than generated now.
    public var resumed: Bool

    public enum CodingKeys: String, CodingKey {
      case clip, seed, prompt, firstFrame = "first_frame", lastFrame = "last_frame"
      case conditioningSHA256 = "conditioning_sha256", resumed
    }
  }
  public var model: ModelRecord
  public var runtime: RuntimeRecord
  /// Seconds per stage: load (0 when the model was already loaded), encode, denoise, decode, write, total.
  public var timings: [String: Double]
  /// CUDA runs: the caching allocator's peaks during the generation (what the GPU had to hold for it).
  public var gpuMemory: GPUMemoryRecord?
  /// UNet calls of the denoising loop (per clip with `--clips`): whole-UNet ones and, with `--cache`, shallow ones.
  public var unetEvaluations: UNetEvaluations?
  public var warnings: [String]

  public struct GPUMemoryRecord: Codable {
    public var peakAllocatedBytes: UInt64
    public var peakReservedBytes: UInt64
    public enum CodingKeys: String, CodingKey {
      case peakAllocatedBytes = "peak_allocated_bytes", peakReservedBytes = "peak_reserved_bytes"
    }
  }

  public struct OutputRecord: Codable {
    public var path: String
    public var format: String
    /// For a file, its SHA-256; for a PNG-frame folder, the SHA-256 of its `sha256sum`-style listing
    /// ("<hash>  <name>\n" per frame, sorted by name).
    public var sha256: String
    public var bytes: Int64
    /// PNG-frame folders: every frame's hash.
    public var files: [String: FileRecord]?
  }

  public struct Parameters: Codable {
    public var image: String
    public var imageSHA256: String
    public var prompt: String
    public var negativePrompt: String?
    public var preset: String
    public var presetFile: String
    public var steps: Int
    public var guidance: Double
    /// "flag", "preset" or "auto".
    public var guidanceSource: String
    public var guidanceReason: String
    public var frames: Int
    public var fps: Int
    public var conditioningFPS: Int
    public var width: Int
    public var height: Int
    public var seed: UInt64
    /// "flag" or "random".
    public var seedSource: String
    public var decodeChunkSize: Int
    public var eta: Double
    public var crf: Int?
    /// "ftfy" or "basic": how the prompts were cleaned before tokenizing.
    public var textCleanup: String?
    /// "plain" or "weighted".
    public var promptSyntax: String?
    public var longPrompt: Bool?
    /// Chunks of 77 tokens the prompt (and the negative prompt, padded to match) was encoded as.
    public var promptChunks: Int?
    /// Weighted syntax: the prompts as parsed, each run of text with its weight.
    public var parsedPrompt: [PromptSegmentRecord]?
    public var parsedNegativePrompt: [PromptSegmentRecord]?
    /// "constant" (diffusers), "linear" or "cosine"; with the last step's scale, and each step's as run.
    public var guidanceSchedule: String?
    public var guidanceEnd: Double?
    public var guidanceScales: [Double]?
    /// "ddim" (the model's own) or another `--scheduler` name, and diffusers' class of it.
    public var scheduler: String?
    public var schedulerClass: String?
    /// "off" or "deep:N" (DeepCache), and with it the blocks a shallow pass runs (`DeepCacheCut.summary`).
    public var cache: String?
    public var cacheShallowPass: String?

    public enum CodingKeys: String, CodingKey {
      case image, imageSHA256 = "image_sha256", prompt, negativePrompt = "negative_prompt", preset
      case presetFile = "preset_file", steps, guidance, guidanceSource = "guidance_source"
      case guidanceReason = "guidance_reason", frames, fps, conditioningFPS = "conditioning_fps", width, height, seed
      case seedSource = "seed_source", decodeChunkSize = "decode_chunk_size", eta, crf, textCleanup = "text_cleanup"
      case promptSyntax = "prompt_syntax", longPrompt = "long_prompt", promptChunks = "prompt_chunks"
      case guidanceSchedule = "guidance_schedule", guidanceEnd = "guidance_end", guidanceScales = "guidance_scales"
      case scheduler, schedulerClass = "scheduler_class", cache, cacheShallowPass = "cache_shallow_pass"
      case parsedPrompt = "parsed_prompt", parsedNegativePrompt = "parsed_negative_prompt"
    }
  }

  public struct PromptSegmentRecord: Codable, Equatable {
    public var text: String
    public var weight: Double
  }

  public struct ModelRecord: Codable {
    public var path: String
    /// How it was found: argument, environment, huggingFaceCache or bundled.
    public var source: String
    /// Per component: the weight variant read and every file read, with its SHA-256.
    public var components: [String: ComponentRecord]
    public var lock: String?
    /// "matches", "none" (no lock recorded) or "differs" (run with --allow-mixed).
    public var lockStatus: String
    /// Signs that components come from different releases (only with --allow-mixed).
    public var mixing: [String]

    public enum CodingKeys: String, CodingKey {
      case path, source, components, lock, lockStatus = "lock_status", mixing
    }
  }

  public struct ComponentRecord: Codable {
    public var variant: String?
    public var files: [String: FileRecord]
  }

  public struct RuntimeRecord: Codable {
    public var i2v: String
    public var libtorch: String
    public var device: String
    public var dtype: String
    public var threads: Int
    public var media: [String: String]
    /// --attention, --block-memory (MiB), --offload and whether CUDA graphs were used.
    public var attention: String
    public var blockMemoryMiB: Int
    public var offload: String
    public var cudaGraphs: Bool

    public enum CodingKeys: String, CodingKey {
      case i2v, libtorch, device, dtype, threads, media, attention, blockMemoryMiB = "block_memory_mib", offload
      case cudaGraphs = "cuda_graphs"
    }
  }

  public enum CodingKeys: String, CodingKey {
    case format, created, output, parameters, model, runtime, timings = "timings_seconds"
    case gpuMemory = "gpu_memory", unetEvaluations = "unet_evaluations", warnings, interpolation, audio, clips,
      joinBlend = "join_blend", motion
  }

  /// `cat.mp4` → `cat.mp4.json`; `frames/` → `frames.json`.
  public static func sidecarPath(for output: String) -> String {
    var p = output
    while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
    return p + ".json"
  }

  public static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

  /// Hashes the written output (a file, or each frame of a folder). The sidecar itself is written to
  /// `sidecarPath(for: path)`; the record keeps the output's absolute path.
  public static func outputRecord(_ path: String) throws -> OutputRecord {
    let format = try VideoFormat.forOutput(path: path)
    guard format == .pngFrames else {
      let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
      return OutputRecord(path: absolute(path), format: format.rawValue, sha256: try FileHashCache.hashFile(path),
                          bytes: Int64(size), files: nil)
    }
    var files: [String: FileRecord] = [:]
    var listing = ""
    var total: Int64 = 0
    for name in try FileManager.default.contentsOfDirectory(atPath: path).sorted() where !name.hasPrefix(".") {
      let file = (path as NSString).appendingPathComponent(name)
      let size = Int64((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
      let digest = try FileHashCache.hashFile(file)
      files[name] = FileRecord(sha256: digest, bytes: size)
      listing += "\(digest)  \(name)\n"
      total += size
    }
    return OutputRecord(path: absolute(path), format: "png_frames", sha256: SHA256.hex(Array(listing.utf8)),
                        bytes: total, files: files)
  }

  public func encoded(pretty: Bool = true) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    if pretty { encoder.outputFormatting.insert(.prettyPrinted) }
    return try encoder.encode(self)
  }

  /// Writes the sidecar atomically (temporary file + rename; removed on Ctrl-C) next to `outputPath`.
  /// Returns its path.
  public func write(beside outputPath: String) throws -> String {
    let path = Self.sidecarPath(for: outputPath)
    var data = try encoded()
    data.append(0x0A)
    try AtomicFile.write(data, to: path) { temp in
      let token = InterruptCleanup.register(temp)
      return { InterruptCleanup.unregister(token) }
    }
    return path
  }
}

extension Provenance {
  /// The record of one finished run of `session` (the output must already be written: it is hashed here).
  public init(session: GenerationSession, item: GenerationSession.Item, request r: GenerationRequest, preset: GenerationPreset,
       guidance: GuidanceChoice, videoFPS: Int, warnings: [String], timings: [String: Double],
       gpuMemory: Runtime.MemoryStats? = nil, guidanceScales: [Double] = [],
       unetEvaluations: UNetEvaluations? = nil) throws
  {
    created = ISO8601DateFormatter().string(from: Date())
    output = try Self.outputRecord(item.output)
    parameters = Parameters(
      image: Self.absolute(item.image), imageSHA256: try FileHashCache.hashFile(item.image), prompt: item.prompt,
      negativePrompt: item.options.negativePrompt, preset: preset.name, presetFile: preset.path, steps: r.steps,
      guidance: r.guidanceScale, guidanceSource: guidance.source.rawValue, guidanceReason: guidance.reason,
      frames: r.frames, fps: videoFPS, conditioningFPS: r.conditioningFPS, width: r.width, height: r.height,
      seed: r.seed, seedSource: item.options.seed == nil ? "random" : "given", decodeChunkSize: r.decodeChunkSize,
      eta: r.eta, crf: item.options.crf, textCleanup: r.textCleanup.rawValue)
    parameters.promptSyntax = r.promptSyntax.rawValue
    parameters.guidanceSchedule = r.guidanceSchedule.shape.rawValue
    parameters.guidanceEnd = r.guidanceSchedule.end
    parameters.scheduler = r.scheduler.rawValue
    parameters.schedulerClass = r.scheduler.diffusersClass
    parameters.cache = r.featureCache.description
    if r.featureCache != .off {
      parameters.cacheShallowPass = DeepCacheCut.summary(try UNetConfig(session.folder.component("unet").config()))
    }
    self.unetEvaluations = unetEvaluations
    parameters.guidanceScales = guidanceScales.isEmpty ? nil : guidanceScales
    parameters.longPrompt = r.longPrompt
    parameters.promptChunks = r.prompts?.chunkCount
    if r.promptSyntax == .weighted {
      let record = { (l: PromptLayout) in l.segments.map { PromptSegmentRecord(text: $0.text, weight: $0.weight) } }
      parameters.parsedPrompt = r.prompts.map { record($0.positive) }
      parameters.parsedNegativePrompt = r.prompts?.negative.map(record)
    }
    let integrity = session.integrity
    var (index, components) = try integrity.record()
    components["model_index.json"] = ComponentRecord(variant: nil, files: ["model_index.json": index])
    model = ModelRecord(path: URL(fileURLWithPath: session.model.path).standardizedFileURL.path,
                        source: "\(session.model.source)", components: components, lock: integrity.lockPath,
                        lockStatus: integrity.lockStatus, mixing: integrity.mixing)
    var device = session.device.description
    let gpuIndex = session.device.index ?? 0
    if session.device.kind == .cuda, let gpu = try? Runtime.gpus().first(where: { $0.index == gpuIndex }) {
      device += " (\(gpu.name))"
    }
    var media: [String: String] = [:]
    for (name, version) in MediaLibraries.versions() { media[name] = version }
    runtime = RuntimeRecord(i2v: I2VVersion.string, libtorch: try Runtime.torchVersion(), device: device,
                            dtype: "\(session.dtype)", threads: try Runtime.threads(), media: media,
                            attention: session.runtime.attention, blockMemoryMiB: session.runtime.blockMemoryMiB,
                            offload: session.offload.rawValue, cudaGraphs: session.cudaGraphs)
    self.timings = timings.mapValues { ($0 * 1000).rounded() / 1000 }
    self.gpuMemory = gpuMemory.map { GPUMemoryRecord(peakAllocatedBytes: $0.peakAllocated, peakReservedBytes: $0.peakReserved) }
    self.warnings = warnings
  }
}
