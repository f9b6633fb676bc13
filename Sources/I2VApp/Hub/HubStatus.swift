import Foundation

/// HTTP statuses of the hub turned into errors that say what to do (the hub's `X-Error-Code` header tells a
/// missing repository from a missing revision or file, as huggingface_hub's `utils/_http.py` reads it).
enum HubStatus {
  static func check(_ reply: HubHTTP.Reply, url: URL, repo: String, revision: String, file: String? = nil,
                    environment: HubEnvironment) throws
  {
    guard !(200..<300).contains(reply.status) else { return }
    let code = reply.headers["x-error-code"] ?? reply.firstHeaders["x-error-code"]
    let serverMessage = (reply.headers["x-error-message"] ?? reply.firstHeaders["x-error-message"])
      ?? (try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any])?["error"] as? String
    let said = serverMessage.map { " (the hub said: \($0))" } ?? ""
    let tokenLine = environment.token == nil
      ? "no token was sent: set HF_TOKEN to a token with read access (https://huggingface.co/settings/tokens), "
        + "or log in with `huggingface-cli login`"
      : "the token from \(environment.tokenSource ?? "the environment") was sent; it may be invalid, expired, or "
        + "lack access to this repository: check it at https://huggingface.co/settings/tokens"
    switch reply.status {
    case 401:
      throw HubError(.access, "the hub refused access to \(repo) (401 Unauthorized)\(said): the repository is "
        + "private, gated or does not exist; \(tokenLine)")
    case 403:
      let gated = code == "GatedRepo" ? "it is gated: accept its conditions on \(environment.endpoint)/\(repo) "
        + "with your account; " : ""
      throw HubError(.access, "the hub refused access to \(repo) (403 Forbidden)\(said): \(gated)\(tokenLine)")
    case 404:
      if code == "RevisionNotFound" {
        throw HubError(.notFound, "revision '\(revision)' not found in \(repo)\(said): --revision takes a branch, "
          + "a tag or a commit hash of the repository (see \(environment.endpoint)/\(repo)/tree/main)")
      }
      if code == "EntryNotFound", let file {
        throw HubError(.notFound, "\(file) is listed in \(repo)@\(revision) but the hub cannot serve it "
          + "(404)\(said); run the command again later")
      }
      throw HubError(.notFound, "repository '\(repo)' not found on \(environment.endpoint) (404)\(said): check "
        + "the name (ORGANISATION/NAME, e.g. ali-vilab/i2vgen-xl) and HF_ENDPOINT; a private repository also "
        + "needs a token (HF_TOKEN)")
    case 416:
      throw HubError(.server, "\(url.absoluteString): the hub refused the byte range asked for (416)")
    default:
      throw HubError(.server, "\(url.absoluteString) answered \(reply.status)\(said); try again later")
    }
  }
}
