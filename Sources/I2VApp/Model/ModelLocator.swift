import Foundation
import I2VCheckpoint

/// Finds the model to run when the user does not name one: `$I2V_MODEL`, then `ali-vilab/i2vgen-xl` in the
/// Hugging Face cache, then the small random-weight model bundled with the project (a smoke-test model).
public enum ModelLocator {
  public enum Source: Equatable, Sendable {
    case argument, environment, huggingFaceCache, bundled
  }

  public struct Found: Equatable, Sendable {
    public let path: String
    public let source: Source
  }

  public static let hubRepository = "ali-vilab/i2vgen-xl"
  /// Relative to the project root.
  public static let bundledModel = "Tests/Fixtures/models/tiny-a"

  public static func locate(argument: String?, environment env: [String: String] = ProcessInfo.processInfo.environment)
    throws -> Found
  {
    if let a = argument { return Found(path: a, source: .argument) }
    if let e = env["I2V_MODEL"], !e.isEmpty { return Found(path: e, source: .environment) }
    if let cached = huggingFaceSnapshot(env: env) { return Found(path: cached, source: .huggingFaceCache) }
    for start in [ProjectFiles.executableDirectory(), FileManager.default.currentDirectoryPath] {
      if let p = ProjectFiles.findUpwards(bundledModel + "/model_index.json", from: start) {
        return Found(path: (p as NSString).deletingLastPathComponent, source: .bundled)
      }
    }
    throw PresetError(
      "no model found: pass --model DIR (a diffusers folder of \(hubRepository)), set I2V_MODEL, or download it "
        + "with `i2v download` (or `huggingface-cli download \(hubRepository)`)")
  }

  /// The hub cache's snapshot of the real model: `refs/main` when present, else the newest complete snapshot.
  public static func huggingFaceSnapshot(env: [String: String]) -> String? {
    let fm = FileManager.default
    // The cache `i2v download` and huggingface_hub write to first, then the other usual places.
    for cache in HubEnvironment.cacheCandidates(env) {
      let repo = cache + "/" + HubEnvironment.repoFolderName(hubRepository)
      let snapshots = repo + "/snapshots"
      if let ref = try? String(contentsOfFile: repo + "/refs/main", encoding: .utf8) {
        let p = snapshots + "/" + ref.trimmingCharacters(in: .whitespacesAndNewlines)
        if fm.fileExists(atPath: p + "/model_index.json") { return p }
      }
      let names = (try? fm.contentsOfDirectory(atPath: snapshots)) ?? []
      let complete = names.map { snapshots + "/" + $0 }.filter { fm.fileExists(atPath: $0 + "/model_index.json") }
      let newest = complete.max { a, b in
        let da = (try? fm.attributesOfItem(atPath: a)[.modificationDate] as? Date) ?? .distantPast
        let db = (try? fm.attributesOfItem(atPath: b)[.modificationDate] as? Date) ?? .distantPast
        return (da ?? .distantPast) < (db ?? .distantPast)
      }
      if let newest { return newest }
    }
    return nil
  }
}

extension ModelLocator {
  /// The tokenizer folder for a `--model` argument: the argument or the model the locator finds, and inside it
  /// `tokenizer/` unless the folder is itself a tokenizer folder.
  public static func tokenizerDirectory(model: String?) throws -> URL {
    let root = URL(fileURLWithPath: try locate(argument: model).path)
    let fm = FileManager.default
    if fm.fileExists(atPath: root.appendingPathComponent("vocab.json").path) { return root }
    let sub = root.appendingPathComponent("tokenizer")
    guard fm.fileExists(atPath: sub.appendingPathComponent("vocab.json").path) else {
      throw SettingsError("\(root.path) has no tokenizer/vocab.json (expected a diffusers I2VGen-XL folder)")
    }
    return sub
  }
}
