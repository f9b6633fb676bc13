import Foundation
import I2VTensor

/// The weight files of one component: a single `.safetensors` file or the shards named by an index JSON.
public final class WeightFiles: @unchecked Sendable {
  public let files: [SafeTensorsFile]
  /// The file a tensor name lives in.
  private let location: [String: Int]
  /// Human-readable description for messages (the file, or the index file for shards).
  public let displayPath: String
  public let variant: String?

  public init(file: SafeTensorsFile, variant: String? = nil) {
    files = [file]
    var loc: [String: Int] = [:]
    for e in file.entries { loc[e.name] = 0 }
    location = loc
    displayPath = file.path
    self.variant = variant
  }

  /// Opens the shards listed in a `*.safetensors.index.json` (`weight_map`: tensor name → shard file).
  public init(index path: String, variant: String? = nil) throws {
    let config = try JSONConfig(path: path)
    guard let map = config.values["weight_map"] as? [String: Any] else {
      throw CheckpointError(path, "index has no 'weight_map' object")
    }
    let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
    var shardIndex: [String: Int] = [:]
    var opened: [SafeTensorsFile] = []
    var loc: [String: Int] = [:]
    for (name, value) in map.sorted(by: { $0.key < $1.key }) {
      guard let shard = value as? String, !shard.contains("/"), !shard.isEmpty else {
        throw CheckpointError(path, "weight_map entry for '\(name)' is not a plain file name")
      }
      let i: Int
      if let known = shardIndex[shard] {
        i = known
      } else {
        let shardPath = dir.appendingPathComponent(shard).path
        guard FileManager.default.fileExists(atPath: shardPath) else {
          throw CheckpointError(path, "shard '\(shard)' (listed for '\(name)') is missing")
        }
        opened.append(try SafeTensorsFile(path: shardPath))
        i = opened.count - 1
        shardIndex[shard] = i
      }
      guard opened[i].entry(name) != nil else {
        throw CheckpointError(opened[i].path, "the index says this shard holds '\(name)', but it does not")
      }
      loc[name] = i
    }
    // Tensors in shards that the index does not list would silently be ignored; refuse them.
    for f in opened {
      for e in f.entries where loc[e.name] == nil {
        throw CheckpointError(f.path, "tensor '\(e.name)' is not listed in \(URL(fileURLWithPath: path).lastPathComponent)")
      }
    }
    files = opened
    location = loc
    displayPath = path
    self.variant = variant
  }

  public var names: [String] { location.keys.sorted() }

  public func entry(_ name: String) -> (file: SafeTensorsFile, entry: SafeTensorsFile.Entry)? {
    guard let i = location[name], let e = files[i].entry(name) else { return nil }
    return (files[i], e)
  }

  /// Total bytes of tensor data.
  public var dataBytes: Int { files.reduce(0) { $0 + $1.entries.reduce(0) { $0 + $1.byteCount } } }
}
