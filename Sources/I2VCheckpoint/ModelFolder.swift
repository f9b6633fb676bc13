import Foundation
import I2VTensor

/// A diffusers-layout model folder: `model_index.json` plus one sub-folder per component, each with its config
/// and weights (`diffusion_pytorch_model*.safetensors` or `model*.safetensors`, optional `.fp16` variant, optional
/// shards with an index JSON) — exactly what `save_pretrained` writes and what users download from the hub.
public struct ModelFolder: Sendable {
  public struct ComponentEntry: Sendable {
    public let name: String
    public let library: String
    public let className: String
  }

  public let path: String
  public let index: JSONConfig
  /// Components named in `model_index.json`, sorted by name.
  public let components: [ComponentEntry]

  public init(path: String) throws {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw CheckpointError(path, "model folder not found")
    }
    guard isDir.boolValue else { throw CheckpointError(path, "not a folder (a diffusers model is a folder with model_index.json)") }
    self.path = path
    let indexPath = (path as NSString).appendingPathComponent("model_index.json")
    guard FileManager.default.fileExists(atPath: indexPath) else {
      throw CheckpointError(path, "no model_index.json: not a diffusers pipeline folder")
    }
    index = try JSONConfig(path: indexPath)
    var list: [ComponentEntry] = []
    for (key, value) in index.values where !key.hasPrefix("_") {
      // Components are ["library", "ClassName"]; null entries mean "not used".
      guard let pair = value as? [Any], pair.count == 2 else { continue }
      guard let lib = pair[0] as? String, let cls = pair[1] as? String else { continue }
      list.append(ComponentEntry(name: key, library: lib, className: cls))
    }
    components = list.sorted { $0.name < $1.name }
  }

  public var pipelineClass: String? { index.values["_class_name"] as? String }

  public func component(_ name: String) throws -> ComponentFolder {
    let dir = (path as NSString).appendingPathComponent(name)
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
      throw CheckpointError(dir, "component folder '\(name)' is missing from the model")
    }
    return ComponentFolder(name: name, path: dir)
  }
}

/// One component folder of a model.
public struct ComponentFolder: Sendable {
  public let name: String
  public let path: String

  public init(name: String, path: String) {
    self.name = name
    self.path = path
  }

  public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

  /// `config.json` (models), `scheduler_config.json` or `preprocessor_config.json`, whichever exists.
  public func config() throws -> JSONConfig {
    for candidate in ["config.json", "scheduler_config.json", "preprocessor_config.json"] {
      let p = file(candidate)
      if FileManager.default.fileExists(atPath: p) { return try JSONConfig.cached(path: p) }
    }
    throw CheckpointError(path, "no config.json in component '\(name)'")
  }

  static let baseNames = ["diffusion_pytorch_model", "model"]

  /// Variant order for a run in `dtype`: fp16 runs read the `.fp16` files first (half the bytes, no conversion);
  /// other runs prefer full-precision files and fall back to `.fp16`.
  static func variants(for dtype: DType) -> [String?] {
    switch dtype {
    case .float16: return ["fp16", nil]
    case .bfloat16: return ["bf16", nil, "fp16"]
    default: return [nil, "fp16"]
    }
  }

  /// Candidate file names for one base name and variant, in lookup order.
  static func candidates(base: String, variant: String?) -> (single: String, indexes: [String]) {
    guard let v = variant else {
      return ("\(base).safetensors", ["\(base).safetensors.index.json"])
    }
    return ("\(base).\(v).safetensors", ["\(base).safetensors.index.\(v).json", "\(base).\(v).safetensors.index.json"])
  }

  /// Opens the weights best suited to a run in `dtype`.
  public func weights(preferring dtype: DType) throws -> WeightFiles {
    let fm = FileManager.default
    var looked: [String] = []
    for variant in Self.variants(for: dtype) {
      for base in Self.baseNames {
        let c = Self.candidates(base: base, variant: variant)
        looked.append(c.single)
        if fm.fileExists(atPath: file(c.single)) {
          return WeightFiles(file: try SafeTensorsFile(path: file(c.single)), variant: variant)
        }
        for idx in c.indexes where fm.fileExists(atPath: file(idx)) {
          return try WeightFiles(index: file(idx), variant: variant)
        }
      }
    }
    let present = (try? fm.contentsOfDirectory(atPath: path))?.sorted() ?? []
    var hint = ""
    if present.contains(where: { $0.hasSuffix(".bin") || $0.hasSuffix(".ckpt") || $0.hasSuffix(".pt") }) {
      hint = "; only PyTorch pickle weights are here — i2v reads safetensors only (re-save with safe_serialization=True)"
    }
    throw CheckpointError(
      path,
      "no safetensors weights for component '\(name)' (looked for \(looked.joined(separator: ", "))); "
        + "folder holds: \(present.isEmpty ? "nothing" : present.joined(separator: ", "))\(hint)")
  }
}
