import Foundation

/// A failure of `i2v download`: what went wrong, where, and what to do about it.
public struct HubError: Error, CustomStringConvertible, Sendable {
  public enum Kind: Sendable {
    /// No connection, DNS, TLS or proxy trouble, a timeout, a dropped transfer.
    case network
    /// 401/403: a token is missing, wrong, or lacks access.
    case access
    /// 404: the repository, revision or file does not exist.
    case notFound
    /// The hub answered something unusable (5xx, malformed JSON).
    case server
    /// Bytes that do not match the hub's hash.
    case integrity
    /// Disk space, permissions, writing files.
    case local
    /// HF_HUB_OFFLINE with nothing usable downloaded.
    case offline
  }

  public let kind: Kind
  public let description: String

  public init(_ kind: Kind, _ description: String) {
    self.kind = kind
    self.description = description
  }
}
