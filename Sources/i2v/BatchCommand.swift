import ArgumentParser
import Foundation
import I2VApp
import I2VMedia
import I2VModels

struct BatchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "batch",
    abstract: "Make a video for every image in a folder, or every row of a manifest.",
    discussion: """
      The model is loaded once. Outputs are named after the inputs
      (cat.png -> OUT/cat.mp4) and written atomically: a crash or Ctrl-C never
      leaves a partial file.

      Prompts: a manifest row's 'prompt', else the text of NAME.txt next to the
      image (cat.png -> cat.txt), else --prompt. Every generate option applies
      to all items; a manifest row overrides it for its item.

      Manifests: .csv or .tsv with a header row, or .jsonl with one object per
      line. Fields: image (required; relative to INPUT_DIR if given, else to
      the manifest's folder), prompt, negative_prompt, seed, preset, steps,
      guidance, frames, fps, conditioning_fps, width, height,
      decode_chunk_size, crf, text_cleanup, prompt_syntax (plain or weighted),
      long_prompt (true or false), guidance_schedule (constant, linear or
      cosine), guidance_end, scheduler (ddim, dpm++2m, unipc, euler or euler-a), cache
      (off or deep:N), interpolate, and output (a file name inside OUT; --format's
      extension is added when it has none). Empty fields fall back to the flags.

      Resume: items whose output and its .json provenance sidecar exist are
      skipped, so the same command run again after a crash or Ctrl-C picks up
      where it stopped. --force (or --overwrite) redoes them.

      Failures: a bad image, a missing prompt or a failed generation fails that
      item only. The summary (done, skipped, failed with reasons) is printed,
      written to OUT/batch-summary.json (batch-summary-shard-K-of-N.json for a
      shard), and the exit status is 1 if any item failed. With --analyze each
      item's motion (as `i2v analyze` measures it) is in its sidecar and the
      summary, and the report lists the items most jittery first.

      Clusters: --shard K/N runs the items whose position in the sorted list is
      K modulo N (K from 0), so N processes share one batch without talking to
      each other. Without --shard, a Slurm job array gives the shard
      (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT),
      or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, of --shard-count or
      I2V_SHARD_COUNT). See README.md, "Batch and clusters".

      Examples:
        i2v batch photos/ -o videos/ --preset standard
        i2v batch photos/ -o videos/ --prompt "slow pan" --format webm
        i2v batch --manifest jobs.csv -o videos/ --steps 40
        i2v batch photos/ -o videos/ --shard 0/4     # first of 4 machines
        i2v batch photos/ -o videos/ --dry-run       # check, load nothing
        i2v batch photos/ -o videos/ --json > summary.json
        i2v batch photos/ -o videos/ --analyze       # motion per item, by jitter
      """
  )

  @Argument(help: ArgumentHelp("Folder of input images (natural order: img2 before img10).", valueName: "input-dir"))
  var inputDir: String?
  @Option(name: [.short, .customLong("output")], help: "Folder for the outputs (created if needed).") var output: String
  @Option(name: .long, help: "Jobs as .csv/.tsv (header row) or .jsonl: image, prompt, and per-row settings.")
  var manifest: String?
  @Option(name: .long, help: "Output format: mp4, webm, gif, or png (a folder of PNG frames per item).")
  var format: BatchPlan.OutputFormat = .mp4
  @Option(name: .long, help: "Prompt for images without their own (no NAME.txt, no manifest prompt).")
  var prompt: String?
  @Flag(name: .long, help: "Redo items whose outputs already exist.") var force = false
  @Option(name: .long, help: "Run only shard K of N (K from 0), e.g. 0/4.") var shard: String?
  @Option(name: .long, help: "Shard count for a Kubernetes Indexed Job (default: $I2V_SHARD_COUNT).")
  var shardCount: Int?
  @Flag(name: .long, help: "Check every item and print the plan, without loading the model or writing outputs.")
  var dryRun = false
  @Flag(name: .long, help: "Print the summary as JSON on stdout.") var json = false
  @OptionGroup var options: GenerationOptions
  @OptionGroup var modelOptions: ModelOptions
  @Flag(name: .long, inversion: .prefixedNo, help: "Show step progress bars even when stderr is not a terminal.")
  var progress: Bool?
  @Flag(name: .shortAndLong, help: "Print only errors.") var quiet = false

  func validate() throws {
    if inputDir == nil && manifest == nil {
      throw ValidationError("give a folder of images (i2v batch DIR -o OUT) or --manifest FILE")
    }
    if let p = prompt, p.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
      throw ValidationError("--prompt is empty")
    }
    if let n = shardCount, n < 1 { throw ValidationError("--shard-count must be at least 1 (got \(n))") }
    if options.audio != nil && (format == .gif || format == .png) {
      throw ValidationError("--audio: --format \(format.rawValue) has no sound track; use --format mp4 (AAC sound) or "
        + "webm (Opus sound), or leave out --audio")
    }
  }

  func run() throws {
    do {
      InterruptCleanup.installSignalHandlers()
      try runBatch()
    } catch let e as ExitCode {
      throw e
    } catch {
      if json { JSONOutput.print(JSONOutput.Failure(error: "\(error)")) }  // stdout always holds one object
      throw fail("\(error)")
    }
  }

  private func runBatch() throws {
    let started = Date()
    if format != .png && !MediaLibraries.hasFFmpeg {
      throw BatchPlanError("--format \(format.rawValue) needs FFmpeg, but \(MediaLibraries.noFFmpegMessage); "
        + "use --format png (PNG frames) or a full build")
    }
    let shard = try BatchShard.resolve(option: self.shard, countOption: shardCount)
    let plan = BatchPlan(inputDir: inputDir, manifest: manifest, outputDir: BatchOutputs.trimmed(output),
                         format: format, defaultPrompt: prompt, options: options.settings)
    let all = try plan.items()
    let mine = all.filter { shard.contains($0.position) }
    try createOutputFolder()  // also for --dry-run: the output checks need the folder
    let report = ProgressReporter(forced: progress, quiet: quiet)
    let session = try GenerationSession(modelOptions.settings(single: false), report: report)
    var summary = BatchSummary(
      started: BatchSummary.timestamp(started), inputDir: inputDir.map(Self.absolute),
      manifest: manifest.map(Self.absolute), outputDir: Self.absolute(plan.outputDir),
      model: Self.absolute(session.model.path), totalItems: all.count,
      shard: .init(index: shard.index, count: shard.count, source: shard.source.rawValue))
    if !dryRun, case let n = BatchOutputs.removeStaleTemporaries(in: plan.outputDir, for: mine.map(\.output))
      + BatchClaims.removeAbandoned(for: mine.map(\.output)), n > 0
    {
      log("removed \(n) temporary file(s) left by an interrupted run")
    }

    let (triaged, todo) = triage(mine, session: session, outputDir: plan.outputDir)
    var entries = triaged
    let redo = force || options.overwrite
    let failedEarly = entries.filter { $0.status == .failed }.count
    let skipped = entries.filter { $0.status == .skipped }.count
    log("batch: \(all.count) item(s)" + (shard.source == .whole ? "" : ", \(shard): \(mine.count) here")
      + "; \(todo.count) to generate, \(skipped) already done" + (redo || skipped == 0 ? "" : " (skipped; --force redoes them)")
      + (failedEarly > 0 ? ", \(failedEarly) cannot run" : ""))

    if dryRun {
      for (item, _) in todo { log("would generate \(item.label) → \(item.outputName)") }
    } else {
      if !todo.isEmpty { _ = try session.loadedPipeline() }  // a model that cannot load is not an item's failure
      let byPosition = generate(todo, session: session, outputDir: plan.outputDir)
      entries = entries.map { byPosition[$0.position] ?? $0 }
    }

    for e in entries { summary.add(e) }
    summary.status = summary.counts.failed > 0 ? "failed" : dryRun ? "checked" : "done"
    summary.seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
    let summaryPath = (plan.outputDir as NSString).appendingPathComponent(BatchSummary.fileName(for: shard))
    if !dryRun { try summary.write(to: summaryPath) }
    if !quiet {
      FileHandle.standardError.write(Data(summary.text(summaryPath: dryRun ? nil : summaryPath).utf8))
    }
    if json { FileHandle.standardOutput.write(try summary.json()) }
    if summary.counts.failed > 0 { throw ExitCode.failure }
  }

  /// Decides what happens to each item: fails now (a planning problem, or a check that needs no weights:
  /// image, preset, sizes), is skipped (already done), or is to be generated. Checking every item before the
  /// model loads makes a bad image or manifest value show up in seconds, not hours into the run.
  private func triage(_ items: [BatchItem], session: GenerationSession, outputDir: String)
    -> ([BatchSummary.Entry], [(BatchItem, GenerationSession.Item)])
  {
    var entries: [BatchSummary.Entry] = []
    var todo: [(BatchItem, GenerationSession.Item)] = []
    let redo = force || options.overwrite
    for item in items {
      var entry = self.entry(item, outputDir: outputDir)
      if let problem = item.problem {
        entry.status = .failed
        entry.error = problem
        logFailure(item, problem)
      } else if !redo && BatchOutputs.isComplete(output: item.output) {
        entry.status = .skipped
        entry.sidecar = relative(BatchOutputs.sidecarPath(for: item.output), to: outputDir)
        entry.motion = BatchSummary.Motion.fromSidecar(BatchOutputs.sidecarPath(for: item.output))
      } else {
        var generation = item.options
        generation.overwrite = true  // the output is missing, incomplete, or --force: replacing it is the point
        let sessionItem = GenerationSession.Item(image: item.image, prompt: item.prompt ?? "", output: item.output,
                                                 framesDir: nil, options: generation, saveTensors: nil)
        do {
          // A run reads only the image's header here and decodes its pixels once, when the item runs; a dry run
          // has nothing to save and decodes here, so damage anywhere in the file shows.
          _ = dryRun ? try session.prepare(sessionItem).warnings : try session.check(sessionItem)
          todo.append((item, sessionItem))
        } catch {
          entry.status = .failed
          entry.error = "\(error)"
          logFailure(item, "\(error)")
        }
      }
      entries.append(entry)
    }
    return (entries, todo)
  }

  /// Runs the items one after another on the loaded model, printing `[i/n] cat.png → cat.mp4` and an overall ETA.
  private func generate(_ todo: [(BatchItem, GenerationSession.Item)], session: GenerationSession,
                        outputDir: String) -> [Int: BatchSummary.Entry]
  {
    var results: [Int: BatchSummary.Entry] = [:]
    var busy = 0.0, finished = 0
    var diskFull: String? = nil
    for (i, (item, sessionItem)) in todo.enumerated() {
      // Once the output disk is full, nothing else can be written: the rest fail at once, saying why.
      if let diskFull {
        var entry = self.entry(item, outputDir: outputDir)
        entry.status = .failed
        entry.error = diskFull
        results[item.position] = entry
        continue
      }
      var entry = self.entry(item, outputDir: outputDir)
      // Another batch writing into this folder may hold the item, or have finished it since the triage.
      guard BatchClaims.claim(item.output) else {
        log("[\(i + 1)/\(todo.count)] \(item.label): another batch process is working on it; skipped")
        entry.status = .skipped
        results[item.position] = entry
        continue
      }
      defer { BatchClaims.release(item.output) }
      if !(force || options.overwrite) && BatchOutputs.isComplete(output: item.output) {
        entry.status = .skipped
        entry.sidecar = relative(BatchOutputs.sidecarPath(for: item.output), to: outputDir)
        entry.motion = BatchSummary.Motion.fromSidecar(BatchOutputs.sidecarPath(for: item.output))
        results[item.position] = entry
        continue
      }
      log("[\(i + 1)/\(todo.count)] \(item.label) → \(item.outputName)")
      let started = Date()
      do {
        let r = try session.run(sessionItem)
        entry.status = .done
        entry.seed = r.seed
        entry.seconds = (r.seconds * 1000).rounded() / 1000
        entry.frames = r.frames
        entry.width = r.request.width
        entry.height = r.request.height
        entry.steps = r.request.steps
        entry.guidance = r.request.guidanceScale
        entry.fps = r.videoFPS
        entry.sidecar = relative(r.sidecarPath, to: outputDir)
        entry.motion = r.provenance.motion.map(BatchSummary.Motion.init)
      } catch {
        entry.status = .failed
        entry.error = "\(error)"
        if Self.isMemoryFailure(error) {
          entry.error! += "; " + sameSizeNote(todo[(i + 1)...].map(\.1), like: sessionItem, session: session)
        }
        logFailure(item, entry.error!)
        if case MediaError.writeFailed = error, let free = DiskSpace.available(at: outputDir), free < 1 << 20 {
          diskFull = "not started: the disk holding \(outputDir) filled up (\(free >> 10) KB free once the partial "
            + "output was removed); free some space and run the same command again (finished items are kept)"
          log("the output disk is full: the \(todo.count - i - 1) item(s) left are not started")
        }
      }
      busy += Date().timeIntervalSince(started)
      finished += 1
      let left = todo.count - finished
      if entry.status == .done {
        log("  done in \(Format.fixed(Date().timeIntervalSince(started), 1)) s, seed \(entry.seed ?? 0)"
          + (left > 0 ? "; \(left) left, ETA \(ProgressReporter.clock(busy / Double(finished) * Double(left)))" : ""))
      }
      results[item.position] = entry
    }
    return results
  }

  static func isMemoryFailure(_ error: Error) -> Bool {
    if error is MemoryPreflightError { return true }
    if case PipelineError.outOfMemory = error { return true }
    return false
  }

  /// After an out-of-memory failure: how many of the items still to run have the same size (and will most likely
  /// fail the same way), so a long batch tells its user at once.
  private func sameSizeNote(_ rest: [GenerationSession.Item], like item: GenerationSession.Item,
                            session: GenerationSession) -> String
  {
    // Sizes come from settings and presets only: no image is decoded again for this.
    guard let failed = try? session.videoShape(item) else { return "" }
    let same = rest.filter { (try? session.videoShape($0)) == failed }.count
    let size = "\(failed.width)x\(failed.height), \(failed.frames) frames"
    if rest.isEmpty { return "no items are left to run" }
    return same == 0 ? "none of the \(rest.count) items left has this size (\(size))"
      : "\(same) of the \(rest.count) items left have the same size (\(size)) and will likely fail too: give them a "
        + "smaller --width/--height or --frames, or --offload model"
  }

  /// The summary entry for an item that has not run (yet).
  private func entry(_ item: BatchItem, outputDir: String) -> BatchSummary.Entry {
    BatchSummary.Entry(position: item.position, image: Self.absolute(item.image), origin: item.origin, status: .pending,
                       output: relative(item.output, to: outputDir), prompt: item.prompt, seed: item.options.seed)
  }

  private func relative(_ path: String, to folder: String) -> String {
    let p = BatchOutputs.trimmed(path)
    return p.hasPrefix(folder + "/") ? String(p.dropFirst(folder.count + 1)) : p
  }

  static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

  private func createOutputFolder() throws {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: output, isDirectory: &isDir) {
      guard isDir.boolValue else { throw BatchPlanError("-o \(output): a file with that name exists; give a folder") }
      return
    }
    do {
      try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    } catch {
      throw BatchPlanError("-o \(output): cannot create the output folder (\(error.localizedDescription))")
    }
  }

  /// Item lines go to stderr whatever it is (a terminal or a cluster log); `--quiet` silences them.
  private func log(_ text: String) {
    if !quiet { FileHandle.standardError.write(Data((text + "\n").utf8)) }
  }

  private func logFailure(_ item: BatchItem, _ reason: String) {
    FileHandle.standardError.write(Data("failed: \(item.origin): \(reason)\n".utf8))
  }
}

extension BatchPlan.OutputFormat: ExpressibleByArgument {}
