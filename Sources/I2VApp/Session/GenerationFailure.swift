import I2VModels

/// Why a generation did not finish, said the same way by every front end: the CLI prints `message` and exits
/// with the status of its `kind`; the server records it on the job and answers with the matching HTTP status.
public struct GenerationFailure: Error, CustomStringConvertible, Sendable {
  public enum Kind: Sendable, Equatable {
    /// Stopped on request (Ctrl-C, a cancelled job); nothing was written.
    case cancelled
    /// A setting that cannot work (CLI exit 64).
    case usage
    /// The job does not fit the device's memory (CLI exit 3), with the settings that would fit.
    case memory
    /// Anything else (CLI exit 1).
    case failed
  }

  public let kind: Kind
  public let message: String
  public var description: String { message }

  public init(kind: Kind, message: String) {
    self.kind = kind
    self.message = message
  }

  /// `session`: the one that ran the job, for out-of-memory advice about its request, device and dtype.
  public init(_ error: Error, session: GenerationSession?) {
    switch error {
    case let e as GenerationFailure:
      self = e
    case let e as PipelineError where e == .cancelled:
      self.init(kind: .cancelled, message: "cancelled; no output written")
    case let e as MemoryPreflightError:
      self.init(kind: .memory, message: e.message)
    case let e as SettingsError:
      self.init(kind: .usage, message: e.message)
    case PipelineError.invalidRequest(let message):
      self.init(kind: .usage, message: message)
    case PipelineError.outOfMemory(let stage, let detail):
      let advice = MemoryAdvice.message(stage: stage, detail: detail, request: session?.lastRequest,
                                        device: session?.device ?? .cpu, dtype: session?.dtype ?? .float32)
      self.init(kind: .memory, message: advice + "\n  no output written")
    default:
      self.init(kind: .failed, message: "\(error)")
    }
  }
}
