import Foundation
import I2VApp
import I2VCheckpoint
import I2VMedia

/// Accepting a job: the image is decoded from its bytes (the format found from the content, the CLI's pixel
/// limit), stored under a name the server picks, and the whole job is checked by `GenerationSession.prepare`
/// exactly as `generate` checks it before loading weights; only then is it queued, with its seed fixed so a
/// re-queued job repeats it. The checks run on the caller's thread (a thread pool, not the worker).
struct JobIntake {
  let session: GenerationSession
  let store: JobStore
  let paths: ServePaths
  let settings: ServeSettings

  struct Upload {
    var bytes: [UInt8]
    /// The client's file name, kept for display only.
    var filename: String?
  }

  func accept(_ upload: Upload, settingsJSON: Data) throws -> Job {
    var job = try JobSettings(json: settingsJSON)
    guard try store.waitingCount() < settings.queueLimit else { throw JobStore.QueueFull(limit: settings.queueLimit) }
    let display = Self.displayName(upload.filename)
    let decoded = try ImageLoader.loadDetailed(bytes: upload.bytes, name: display, maxPixels: settings.maxPixels)
    let digest = SHA256.hex(upload.bytes)
    let imageFile = "\(UUID().uuidString.lowercased()).\(Self.fileExtension(decoded.format))"
    let imagePath = paths.input(imageFile)
    do {
      try Data(upload.bytes).write(to: URL(fileURLWithPath: imagePath), options: .atomic)
    } catch {
      throw ServeError("cannot store the uploaded image in \(paths.inputs): \(error.localizedDescription)")
    }
    do {
      let output = try outputName(job)
      let item = GenerationSession.Item(image: imagePath, prompt: job.prompt, output: paths.output(output),
                                        framesDir: nil, options: job.generation, saveTensors: nil)
      let prepared = try session.prepare(item)
      // The seed is fixed now: the job shows it at once, and running it again (re-queue) repeats it.
      job.fields["seed"] = String(prepared.request.seed)
      let r = prepared.request
      let resolved = ResolvedSettings(
        preset: prepared.preset.name, width: r.width, height: r.height, frames: r.frames, fps: prepared.videoFPS,
        steps: r.steps, guidance: r.guidanceScale, guidanceSource: prepared.guidance.source.rawValue,
        guidanceReason: prepared.guidance.reason, scheduler: r.scheduler.rawValue, seed: String(r.seed),
        negativePrompt: job.generation.negativePrompt, format: job.format)
      let now = Date()
      let record = Job(
        id: nil, state: .queued, createdAt: now, queuedAt: now, startedAt: nil, finishedAt: nil, prompt: job.prompt,
        settings: job.fields, resolved: resolved, imageName: display, imageFile: imageFile, imageSHA256: digest,
        outputFile: output, outputSHA256: nil, error: nil, warnings: prepared.warnings, timings: nil)
      return try store.enqueue(record, limit: settings.queueLimit)
    } catch {
      try? FileManager.default.removeItem(atPath: imagePath)
      throw error
    }
  }

  /// A name no job and no file in the output folder has.
  private func outputName(_ job: JobSettings) throws -> String {
    let used = Set(try store.jobs(limit: Int.max).map(\.outputFile))
    return ServePaths.outputName(prompt: job.prompt, format: job.format) { name in
      used.contains(name) || FileManager.default.fileExists(atPath: paths.output(name))
        || FileManager.default.fileExists(atPath: paths.sidecar(name))
    }
  }

  /// The client's file name without any folder, control characters or excess length; "upload" when there is none.
  static func displayName(_ filename: String?) -> String {
    let base = (filename ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
    let clean = String(base.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(120).map(Character.init))
    return clean.trimmingCharacters(in: .whitespaces).isEmpty ? "upload" : clean
  }

  /// The stored file's extension from the decoded format (the loader reads content, not names; this is for people).
  static func fileExtension(_ format: String) -> String {
    let f = format.lowercased()
    let known = ["png": "png", "jpeg": "jpg", "webp": "webp", "tiff": "tiff", "gif": "gif", "bmp": "bmp",
                 "dib": "bmp", "ppm": "ppm", "qoi": "qoi"]
    return known[f] ?? known.first { f.hasPrefix($0.key) }?.value ?? "img"
  }
}
