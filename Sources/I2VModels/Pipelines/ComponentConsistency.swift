import Foundation
import I2VCheckpoint

/// Cheap checks that a model's components belong together, from their configs alone (no weights read).
///
/// - Conflicts: sizes that cannot work together (the text encoder's width is not the UNet's
///   cross-attention width, ...). A run would fail deep inside a matrix multiply; these are always errors.
/// - Mixing signs: the configs disagree on the library version or the checkpoint they were saved from
///   (`_diffusers_version`, `transformers_version`, `_name_or_path`), so a component was probably copied in
///   from another release. Such a model may still run; `generate` refuses it unless `--allow-mixed`.
/// What these cannot see (a VAE from a release with identical configs) a lock file catches (`ModelLock`).
public enum ComponentConsistency {
  public struct Report: Equatable, Sendable {
    public var conflicts: [String] = []
    public var mixingSigns: [String] = []
    public var isClean: Bool { conflicts.isEmpty && mixingSigns.isEmpty }
  }

  public static func check(_ model: ModelFolder) -> Report {
    var r = Report()
    func config(_ name: String) -> JSONConfig? { try? model.component(name).config() }
    let unet = config("unet"), vae = config("vae"), text = config("text_encoder")
    let image = config("image_encoder"), features = config("feature_extractor")
    func int(_ c: JSONConfig?, _ key: String) -> Int? { c.flatMap { try? $0.int(key) } }

    func same(_ a: (String, Int?), _ b: (String, Int?), why: String) {
      guard let x = a.1, let y = b.1, x != y else { return }
      r.conflicts.append("\(a.0) is \(x) but \(b.0) is \(y): \(why)")
    }
    let crossAttention = ("unet cross_attention_dim", int(unet, "cross_attention_dim"))
    same(("text_encoder hidden_size", int(text, "hidden_size")), crossAttention,
         why: "the text encoder and the UNet come from different models")
    same(("image_encoder projection_dim", int(image, "projection_dim")), crossAttention,
         why: "the image encoder and the UNet come from different models")
    same(("vae latent_channels", int(vae, "latent_channels")), ("unet in_channels", int(unet, "in_channels")),
         why: "the VAE and the UNet come from different models")
    same(("vae latent_channels", int(vae, "latent_channels")), ("unet out_channels", int(unet, "out_channels")),
         why: "the VAE and the UNet come from different models")
    same(("feature_extractor crop size", cropSize(features)), ("image_encoder image_size", int(image, "image_size")),
         why: "the image preprocessor and the image encoder come from different models")
    if let maxID = maxTokenID(model), let vocab = int(text, "vocab_size"), maxID >= vocab {
      r.conflicts.append("the tokenizer has token id \(maxID) but text_encoder vocab_size is \(vocab): "
        + "the tokenizer and the text encoder come from different models")
    }

    // Library versions: every diffusers file of one release was saved by one diffusers, likewise transformers.
    let diffusersFiles: [(String, JSONConfig?)] = [("model_index.json", model.index)]
      + ["unet", "vae", "scheduler"].map { ($0, config($0)) }
    disagreement("_diffusers_version", diffusersFiles, into: &r)
    disagreement("transformers_version", ["text_encoder", "image_encoder"].map { ($0, config($0)) }, into: &r)

    // Where each component was saved from ("i2vgen-xl/unet" → "i2vgen-xl").
    var origins: [(String, String)] = []
    if let n = try? model.index.string("_name_or_path") { origins.append(("model_index.json", n)) }
    for c in model.components.map(\.name) {
      guard let n = config(c).flatMap({ try? $0.string("_name_or_path") }) else { continue }
      let parent = n.hasSuffix("/" + c) ? String(n.dropLast(c.count + 1)) : n
      origins.append((c, parent))
    }
    if Set(origins.map(\.1)).count > 1 {
      r.mixingSigns.append("_name_or_path differs: " + origins.map { "\($0.0) '\($0.1)'" }.joined(separator: ", "))
    }
    return r
  }

  static func disagreement(_ key: String, _ files: [(String, JSONConfig?)], into r: inout Report) {
    let values = files.compactMap { f in f.1.flatMap { try? $0.string(key) }.map { (f.0, $0) } }
    guard Set(values.map(\.1)).count > 1 else { return }
    r.mixingSigns.append("\(key) differs: " + values.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
  }

  /// The CLIP preprocessor's crop (an int or {"height", "width"}; square for CLIP).
  static func cropSize(_ c: JSONConfig?) -> Int? {
    guard let c else { return nil }
    if let n = try? c.int("crop_size") { return n }
    return (try? c.object("crop_size")).flatMap { try? $0.int("height") }
  }

  /// The largest id in the tokenizer's vocab.json (added tokens included), or nil if it cannot be read.
  static func maxTokenID(_ model: ModelFolder) -> Int? {
    guard let tok = try? model.component("tokenizer"),
          let data = FileManager.default.contents(atPath: tok.file("vocab.json")),
          let vocab = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    else { return nil }
    var maxID = vocab.values.compactMap { ($0 as? NSNumber)?.intValue }.max()
    if let cfg = try? JSONConfig(path: tok.file("tokenizer_config.json")),
       let added = cfg.values["added_tokens_decoder"] as? [String: Any]
    {
      let ids = added.keys.compactMap(Int.init)
      if let m = ids.max() { maxID = max(maxID ?? m, m) }
    }
    return maxID
  }
}
