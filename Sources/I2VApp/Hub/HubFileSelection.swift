/// Which files of a diffusers repository a pipeline needs for one weight variant: `model_index.json`, and in each
/// component folder it names the configs and tokenizer files (`.json`, `.txt`) and the safetensors weights of that
/// variant (single files, or shards `NAME.fp16-00001-of-00002.safetensors` with their index, diffusers'
/// `_add_variant` naming). Never PyTorch pickles (`.bin`), other variants' weights, or files outside the
/// components (READMEs, original checkpoints, images).
public enum HubFileSelection {
  public enum Variant: String, CaseIterable, Sendable {
    case fp16, fp32

    /// The file-name tag diffusers gives the variant (nil: the files without one).
    var tag: String? { self == .fp16 ? "fp16" : nil }
  }

  public struct Selection: Sendable {
    public var files: [HubRepoFile]
    /// Choices made for the user, e.g. a component without weights of the asked-for variant.
    public var notes: [String]
    public var bytes: Int64 { files.reduce(0) { $0 + $1.size } }
  }

  public static func select(_ all: [HubRepoFile], components: [String], variant: Variant) -> Selection {
    var chosen = all.filter { $0.path == "model_index.json" }
    var notes: [String] = []
    for component in components.sorted() {
      let inside = all.filter { file in
        let parts = file.path.split(separator: "/")
        return parts.count == 2 && parts[0] == component
      }
      var byTag: [String: [HubRepoFile]] = [:]
      for file in inside {
        let name = String(file.path.split(separator: "/")[1])
        if let weight = weightName(name) {
          byTag[weight.tag ?? "", default: []].append(file)
        } else if name.hasSuffix(".json") || name.hasSuffix(".txt") {
          chosen.append(file)
        }
      }
      let wanted = variant.tag ?? ""
      let fallback = variant == .fp16 ? "" : "fp16"
      if let files = byTag[wanted] {
        chosen += files
      } else if let files = byTag[fallback] {
        chosen += files
        notes.append("\(component) has no \(variant.rawValue) weights in the repository: its "
          + "\(fallback.isEmpty ? "full-precision" : fallback) weights are downloaded instead")
      }
    }
    return Selection(files: chosen.sorted { $0.path < $1.path }, notes: notes)
  }

  /// The variant tag of a weight file or weight index of diffusers' naming (`tag` nil: no variant); nil for
  /// files that are not safetensors weights of a component.
  static func weightName(_ name: String) -> (tag: String?, index: Bool)? {
    for base in ["diffusion_pytorch_model", "model"] where name.hasPrefix(base) {
      let rest = String(name.dropFirst(base.count))
      if rest == ".safetensors.index.json" { return (nil, true) }
      if rest.hasPrefix(".safetensors.index."), rest.hasSuffix(".json") {
        let tag = String(rest.dropFirst(".safetensors.index.".count).dropLast(".json".count))
        return isTag(tag) ? (tag, true) : nil
      }
      if rest.hasPrefix("."), rest.hasSuffix(".safetensors.index.json") {
        let tag = String(rest.dropFirst().dropLast(".safetensors.index.json".count))
        return isTag(tag) ? (tag, true) : nil
      }
      guard rest.hasSuffix(".safetensors") else { continue }
      var stem = Substring(rest.dropLast(".safetensors".count))
      if let dash = stem.firstIndex(of: "-") {
        guard isShardSuffix(stem[dash...]) else { continue }
        stem = stem[..<dash]
      }
      if stem.isEmpty { return (nil, false) }
      if stem.hasPrefix("."), isTag(String(stem.dropFirst())) { return (String(stem.dropFirst()), false) }
    }
    return nil
  }

  static func isTag(_ s: String) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }

  /// `-00001-of-00002`.
  static func isShardSuffix(_ s: Substring) -> Bool {
    let parts = s.dropFirst().split(separator: "-", omittingEmptySubsequences: false)
    return s.hasPrefix("-") && parts.count == 3 && parts[1] == "of"
      && [parts[0], parts[2]].allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
  }
}
