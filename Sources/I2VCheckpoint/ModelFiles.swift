import Foundation
import I2VTensor

/// Which files of a model folder matter, for hashing (provenance, lock files) and for `verify`.
extension ModelFolder {
  /// Every file i2v reads or could read, relative to the folder, sorted: `model_index.json` and, in each
  /// component folder named by it, the `.json`, `.txt` and `.safetensors` files of every variant. (PyTorch
  /// `.bin` files and READMEs are never read, so they are not hashed.)
  public func readableFiles() -> [String] {
    var files = ["model_index.json"]
    for c in components {
      let dir = (path as NSString).appendingPathComponent(c.name)
      let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
      files += names.filter(Self.isReadable).map { c.name + "/" + $0 }
    }
    return files.sorted()
  }

  /// The files a run in `dtype` reads (configs, tokenizer files, the chosen weight variant), sorted.
  public func filesUsed(dtype: DType, weighted: [String]) throws -> [String] {
    var files = ["model_index.json"]
    for c in components {
      // A listed component without a folder is not read by the run (the pipeline's own check names missing ones).
      guard let component = try? component(c.name) else { continue }
      let names = (try? FileManager.default.contentsOfDirectory(atPath: component.path)) ?? []
      files += names.filter { Self.isReadable($0) && !$0.hasSuffix(".safetensors") && !$0.contains(".index") }
        .map { c.name + "/" + $0 }
      guard weighted.contains(c.name) else { continue }
      let weights = try component.weights(preferring: dtype)
      var paths = weights.files.map(\.path)
      if weights.displayPath.hasSuffix(".json") { paths.append(weights.displayPath) }
      files += paths.map { c.name + "/" + ($0 as NSString).lastPathComponent }
    }
    return Array(Set(files)).sorted()
  }

  static func isReadable(_ name: String) -> Bool {
    !name.hasPrefix(".") && (name.hasSuffix(".json") || name.hasSuffix(".txt") || name.hasSuffix(".safetensors"))
  }

  /// Absolute path of a file named relative to the folder.
  public func absolute(_ relative: String) -> String { (path as NSString).appendingPathComponent(relative) }
}

extension ComponentFolder {
  /// The weight variants present (nil = full precision, "fp16", "bf16"), full precision first.
  public var variantsPresent: [String?] {
    let fm = FileManager.default
    return [nil, "fp16", "bf16"].filter { variant in
      Self.baseNames.contains { base in
        let c = Self.candidates(base: base, variant: variant)
        return fm.fileExists(atPath: file(c.single)) || c.indexes.contains { fm.fileExists(atPath: file($0)) }
      }
    }
  }

  /// The run dtype that reads a given variant first (`weights(preferring:)` order).
  public static func dtype(forVariant variant: String?) -> DType {
    switch variant {
    case "fp16": return .float16
    case "bf16": return .bfloat16
    default: return .float32
    }
  }

  /// Display name of a variant ("default": the files without a variant suffix).
  public static func variantName(_ variant: String?) -> String { variant ?? "default" }
}
