import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Zero-filled stand-ins of a real checkpoint, made from its configs and its tensor list alone: each weight file
/// gets a complete safetensors header while its data is left as a hole (sparse file), so a 10 GB checkpoint costs
/// no disk. Used to check that the real architecture binds strictly and runs, without the real weights.
public enum StandInCheckpoint {
  public typealias TensorList = [(name: String, shape: [Int])]

  /// Parses the state-dict key list (`## component (...)` headings, then `name [d0, d1, ...]` lines).
  public static func parseKeyList(_ text: String) throws -> [String: TensorList] {
    var result: [String: TensorList] = [:]
    var current: String?
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
      if line.hasPrefix("## ") {
        let heading = line.dropFirst(3)
        // Only plain component headings ("## unet  (...)"); others (e.g. test models) are skipped.
        let name = heading.split(separator: " ").first.map(String.init) ?? ""
        current = ["unet", "vae", "text_encoder", "image_encoder"].contains(name) ? name : nil
        continue
      }
      if line.hasPrefix("#") { continue }
      guard let component = current else { continue }
      guard let open = line.firstIndex(of: "["), line.last == "]" else {
        throw CheckpointError("key list", "cannot parse line '\(line)'")
      }
      let name = line[..<open].trimmingCharacters(in: .whitespaces)
      let dims = line[line.index(after: open)..<line.index(before: line.endIndex)]
        .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      let shape = try dims.map { d -> Int in
        guard let n = Int(d) else { throw CheckpointError("key list", "bad dimension '\(d)' in '\(line)'") }
        return n
      }
      result[component, default: []].append((name, shape))
    }
    return result
  }

  /// Writes a safetensors file with every tensor of `tensors` in `storage` (F32 or F16), data left as a hole.
  public static func writeSparse(_ tensors: TensorList, storage: SafeTensorsFile.StorageType, to path: String) throws {
    var header: [String: Any] = ["__metadata__": ["format": "pt"]]
    var offset = 0
    for t in tensors.sorted(by: { $0.name < $1.name }) {
      let bytes = t.shape.reduce(1, *) * storage.byteSize
      header[t.name] = ["dtype": storage.rawValue, "shape": t.shape, "data_offsets": [offset, offset + bytes]]
      offset += bytes
    }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    while json.count % 8 != 0 { json.append(0x20) }
    var data = Data()
    var length = UInt64(json.count).littleEndian
    data.append(Data(bytes: &length, count: 8))
    data.append(json)
    try data.write(to: URL(fileURLWithPath: path))
    guard truncate(path, off_t(8 + json.count + offset)) == 0 else {
      throw CheckpointError(path, "cannot extend the stand-in file: \(String(cString: strerror(errno)))")
    }
  }

  /// A complete model folder: the real configs and tokenizer copied from `configs`, and sparse weights for each
  /// component listed in `keyList`, in every requested variant (nil = float32 files, "fp16" = float16 files).
  public static func build(keyList: String, configs: String, to folder: String, variants: [String?] = [nil, "fp16"])
    throws
  {
    let fm = FileManager.default
    try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for item in try fm.contentsOfDirectory(atPath: configs) where item != "NOTES.md" {
      let dst = (folder as NSString).appendingPathComponent(item)
      if fm.fileExists(atPath: dst) { try fm.removeItem(atPath: dst) }
      try fm.copyItem(atPath: (configs as NSString).appendingPathComponent(item), toPath: dst)
    }
    let lists = try parseKeyList(String(contentsOfFile: keyList, encoding: .utf8))
    let baseNames = ["unet": "diffusion_pytorch_model", "vae": "diffusion_pytorch_model", "text_encoder": "model",
                     "image_encoder": "model"]
    for (component, tensors) in lists {
      let dir = (folder as NSString).appendingPathComponent(component)
      try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
      for variant in variants {
        let file = baseNames[component]! + (variant.map { ".\($0)" } ?? "") + ".safetensors"
        try writeSparse(tensors, storage: variant == "fp16" ? .F16 : .F32,
                        to: (dir as NSString).appendingPathComponent(file))
      }
    }
  }
}
