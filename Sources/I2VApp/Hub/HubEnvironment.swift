import Foundation
import I2VCheckpoint

/// The Hugging Face Hub settings huggingface_hub reads from the environment (its `constants.py`): the endpoint,
/// the token, offline mode and the cache folder, so `i2v download` writes where diffusers and `huggingface-cli`
/// look, and the model locator reads from there.
public struct HubEnvironment: Sendable {
  /// `HF_ENDPOINT` without a trailing slash; default https://huggingface.co.
  public var endpoint: String
  public var token: String?
  /// Where the token came from ("HF_TOKEN" or the token file), for error messages.
  public var tokenSource: String?
  /// `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`) set to 1/ON/YES/TRUE.
  public var offline: Bool
  /// The hub cache huggingface_hub would use: `HF_HUB_CACHE`, else `HUGGINGFACE_HUB_CACHE`, else `HF_HOME/hub`
  /// (`HF_HOME` defaulting to `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`).
  public var cache: String
  /// Proxy variables libcurl honours, for messages about unreachable hosts.
  public var proxies: [String: String]

  public init(_ env: [String: String] = ProcessInfo.processInfo.environment) {
    func value(_ k: String) -> String? { env[k].flatMap { $0.isEmpty ? nil : $0 } }
    endpoint = (value("HF_ENDPOINT") ?? "https://huggingface.co")
    while endpoint.hasSuffix("/") { endpoint.removeLast() }
    offline = [value("HF_HUB_OFFLINE"), value("TRANSFORMERS_OFFLINE")].contains {
      $0.map { ["1", "ON", "YES", "TRUE"].contains($0.uppercased()) } ?? false
    }
    let home = Self.home(env)
    cache = Self.expand(value("HF_HUB_CACHE") ?? value("HUGGINGFACE_HUB_CACHE") ?? home + "/hub")
    if let t = value("HF_TOKEN") ?? value("HUGGING_FACE_HUB_TOKEN") {
      token = t
      tokenSource = value("HF_TOKEN") != nil ? "HF_TOKEN" : "HUGGING_FACE_HUB_TOKEN"
    } else {
      let file = Self.expand(value("HF_TOKEN_PATH") ?? home + "/token")
      let text = (try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
      token = text.flatMap { $0.isEmpty ? nil : $0 }
      tokenSource = token == nil ? nil : file
    }
    proxies = env.filter { ["http_proxy", "https_proxy", "all_proxy", "no_proxy"].contains($0.key.lowercased()) }
  }

  /// `HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`.
  static func home(_ env: [String: String]) -> String {
    if let h = env["HF_HOME"], !h.isEmpty { return expand(h) }
    if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return expand(x) + "/huggingface" }
    return HomeFolder.path + "/.cache/huggingface"
  }

  static func expand(_ path: String) -> String {
    path == "~" ? HomeFolder.path : path.hasPrefix("~/") ? HomeFolder.path + path.dropFirst() : path
  }

  /// Hub caches to look in for a model, the one huggingface_hub uses first, then the usual places.
  public static func cacheCandidates(_ env: [String: String]) -> [String] {
    var list = [HubEnvironment(env).cache]
    if let c = env["HF_HUB_CACHE"], !c.isEmpty { list.append(expand(c)) }
    if let h = env["HF_HOME"], !h.isEmpty { list.append(expand(h) + "/hub") }
    list.append(HomeFolder.path + "/.cache/huggingface/hub")
    var seen = Set<String>()
    return list.filter { seen.insert($0).inserted }
  }

  /// `models--ORG--NAME` (huggingface_hub's `repo_folder_name`).
  public static func repoFolderName(_ repo: String) -> String {
    "models--" + repo.split(separator: "/", omittingEmptySubsequences: false).joined(separator: "--")
  }
}
