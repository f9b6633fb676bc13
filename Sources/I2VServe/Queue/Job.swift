import Foundation
import GRDB

/// Where a job is in its life. `running` is never seen after a restart: jobs the server was running when it
/// stopped become `interrupted` (and can be re-queued).
public enum JobState: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
  case queued, running, done, failed, cancelled, interrupted

  /// No more work will happen on it (it may be deleted, or re-queued unless done).
  public var isFinished: Bool { self != .queued && self != .running }
}

/// One job of the queue, as the database keeps it (table `job`; nested values are JSON text).
public struct Job: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
  public static let databaseTableName = "job"

  public var id: Int64?
  public var state: JobState
  public var createdAt: Date
  /// When it last entered the queue (creation, or a re-queue): the queue runs oldest first.
  public var queuedAt: Date
  public var startedAt: Date?
  public var finishedAt: Date?
  public var prompt: String
  /// The settings as the client gave them (manifest field names, text values), the seed filled in: what "use
  /// these settings again" sends back.
  public var settings: [String: String]
  /// What they resolved to against the preset and the model when the job was accepted.
  public var resolved: ResolvedSettings
  /// The uploaded image: the client's file name (shown only), the server's file in the inputs folder, its hash.
  public var imageName: String
  public var imageFile: String
  public var imageSHA256: String
  /// The video's file name in the output folder (chosen by the server); its sidecar is `<name>.json`.
  public var outputFile: String
  public var outputSHA256: String?
  public var error: String?
  /// Warnings found when the job was checked, and more from the run (in its sidecar too).
  public var warnings: [String]
  /// Seconds per stage (load, encode, denoise, decode, write, total) of a finished run.
  public var timings: [String: Double]?

  enum CodingKeys: String, CodingKey {
    case id, state, prompt, settings, resolved, error, warnings, timings
    case createdAt = "created_at", queuedAt = "queued_at", startedAt = "started_at", finishedAt = "finished_at"
    case imageName = "image_name", imageFile = "image_file", imageSHA256 = "image_sha256"
    case outputFile = "output_file", outputSHA256 = "output_sha256"
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The values a job runs with, after its preset, `guidance auto` and a random seed were resolved.
public struct ResolvedSettings: Codable, Sendable, Equatable {
  public var preset: String
  public var width: Int
  public var height: Int
  public var frames: Int
  public var fps: Int
  public var steps: Int
  public var guidance: Double
  /// `flag`, `preset` or `auto`, and why that scale (the advisor's reason for `auto`).
  public var guidanceSource: String
  public var guidanceReason: String
  public var scheduler: String
  /// Decimal text: seeds go up to 2^64 - 1, beyond what JSON numbers keep exactly in a browser.
  public var seed: String
  public var negativePrompt: String?
  public var format: String

  enum CodingKeys: String, CodingKey {
    case preset, width, height, frames, fps, steps, guidance, scheduler, seed, format
    case guidanceSource = "guidance_source", guidanceReason = "guidance_reason", negativePrompt = "negative_prompt"
  }
}
