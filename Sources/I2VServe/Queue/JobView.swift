import Foundation

/// A job as the API shows it (`GET /api/jobs/{id}`; docs/openapi.yaml, schema Job): its settings, state, and
/// the addresses of its files. Paths on the server's disk are never shown, only names and URLs.
public struct JobView: Codable, Sendable, Equatable {
  public struct Image: Codable, Sendable, Equatable {
    public var name: String
    public var sha256: String
    public var url: String
  }

  public struct Output: Codable, Sendable, Equatable {
    public var name: String
    public var sha256: String?
    public var url: String
    public var sidecarURL: String

    enum CodingKeys: String, CodingKey { case name, sha256, url, sidecarURL = "sidecar_url" }
  }

  public var id: Int64
  public var state: JobState
  public var createdAt: String
  public var startedAt: String?
  public var finishedAt: String?
  public var prompt: String
  public var settings: [String: String]
  public var resolved: ResolvedSettings
  public var image: Image
  /// Present once the video exists (state done).
  public var output: Output?
  public var error: String?
  public var warnings: [String]
  public var timings: [String: Double]?
  /// Queued jobs: how many run before this one.
  public var queuePosition: Int?
  /// The running job's latest progress.
  public var progress: JobProgress?

  enum CodingKeys: String, CodingKey {
    case id, state, prompt, settings, resolved, image, output, error, warnings, timings, progress
    case createdAt = "created_at", startedAt = "started_at", finishedAt = "finished_at"
    case queuePosition = "queue_position"
  }

  public init(_ job: Job, queuePosition: Int? = nil, progress: JobProgress? = nil) {
    let id = job.id ?? 0
    self.id = id
    state = job.state
    createdAt = Self.timestamp(job.createdAt)
    startedAt = job.startedAt.map(Self.timestamp)
    finishedAt = job.finishedAt.map(Self.timestamp)
    prompt = job.prompt
    settings = job.settings
    resolved = job.resolved
    image = Image(name: job.imageName, sha256: job.imageSHA256, url: "/api/jobs/\(id)/image")
    output = job.state == .done
      ? Output(name: job.outputFile, sha256: job.outputSHA256, url: "/api/jobs/\(id)/video",
               sidecarURL: "/api/jobs/\(id)/sidecar")
      : nil
    error = job.error
    warnings = job.warnings
    timings = job.timings
    self.queuePosition = job.state == .queued ? queuePosition : nil
    self.progress = job.state == .running ? progress : nil
  }

  /// ISO 8601 in UTC with milliseconds, as browsers' `Date` parses it.
  static func timestamp(_ date: Date) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: date)
  }
}
