import Foundation
import I2VCheckpoint
import I2VModels
import I2VTensor

/// One reference case of Scripts/make_fixtures.py (diffusers 0.33.1, float32, CPU) as the UNet tests use it.
struct UNetFixtureCase: Sendable, CustomStringConvertible {
  let config: String
  let name: String
  var description: String { "\(config)/\(name)" }

  static let configs = ["tiny-a", "tiny-b"]

  /// Every case of every config found on disk, so a regenerated fixture set is picked up without edits.
  static let all: [UNetFixtureCase] = configs.flatMap { config in
    let dir = FixturePaths.fixture("reference/\(config)").path
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return names.filter { $0.hasSuffix(".safetensors") }.sorted()
      .map { UNetFixtureCase(config: config, name: String($0.dropLast(".safetensors".count))) }
  }

  var tensors: SafeTensorsFile {
    get throws { try SafeTensorsFile(path: FixturePaths.fixture("reference/\(config)/\(name).safetensors").path) }
  }

  var usesCFG: Bool {
    get throws { try JSONConfig(path: FixturePaths.fixture("reference/\(config)/\(name).json").path).bool("cfg", default: true) }
  }

  static func component(_ config: String) -> ComponentFolder {
    ComponentFolder(name: "unet", path: FixturePaths.fixture("models/\(config)/unet").path)
  }

  static func unet(_ config: String, dtype: DType = .float32) throws -> I2VGenXLUNet {
    try Runtime.setThreads(Runtime.defaultThreads)
    return try I2VGenXLUNet(component: component(config), dtype: dtype, device: .cpu)
  }

  /// The pipeline's first UNet call of this case: (sample, t, fps, image latents, image embeddings, text).
  struct Inputs {
    let sample: Tensor
    let timestep: Int
    let fps: Tensor
    let imageLatents: Tensor
    let imageEmbeddings: Tensor
    let text: Tensor
  }

  func firstStepInputs() throws -> Inputs {
    let f = try tensors
    let cfg = try usesCFG
    let noise = try f.tensor("initial_noise")
    let prompt = try f.tensor("prompt_embeds")
    return Inputs(
      sample: cfg ? try Tensor.cat([noise, noise], dim: 0) : noise,
      timestep: Int(try f.tensor("timesteps").toArray(Int64.self)[0]),
      fps: try f.tensor("fps"),
      imageLatents: try f.tensor("image_latents"),
      imageEmbeddings: try f.tensor("image_embeddings"),
      text: cfg ? try Tensor.cat([f.tensor("negative_prompt_embeds"), prompt], dim: 0) : prompt)
  }
}

extension I2VGenXLUNet {
  func callAsFunction(_ i: UNetFixtureCase.Inputs) throws -> Tensor {
    try self(sample: i.sample, timestep: i.timestep, fps: i.fps, imageLatents: i.imageLatents,
             imageEmbeddings: i.imageEmbeddings, encoderHiddenStates: i.text)
  }
}

/// Writes safetensors files whose data section is a hole: an 8-byte header length, the JSON header, then
/// `ftruncate` to the full size. Any size costs no disk and, read by a dry-run binder, no memory.
enum SparseSafeTensors {
  /// `entries`: (name, shape) in any order; `dtype` "F32" / "F16".
  static func write(_ path: String, _ entries: [(String, [Int])], dtype: String = "F32") throws {
    let itemSize = dtype == "F32" ? 4 : 2
    var header: [String: Any] = [:]
    var offset = 0
    for (name, shape) in entries {
      let bytes = shape.reduce(1, *) * itemSize
      header[name] = ["dtype": dtype, "shape": shape, "data_offsets": [offset, offset + bytes]]
      offset += bytes
    }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
    var file = Data()
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
    file.append(json)
    try file.write(to: URL(fileURLWithPath: path))
    let fd = open(path, O_WRONLY)
    guard fd >= 0 else { throw CheckpointError(path, "cannot reopen for truncation") }
    defer { close(fd) }
    guard ftruncate(fd, off_t(file.count + offset)) == 0 else { throw CheckpointError(path, "ftruncate failed") }
  }

  /// The `name [d0, d1, …]` lines of one `## section` of the committed state-dict key list.
  static func keys(section: String, in listing: String) -> [(String, [Int])] {
    var result: [(String, [Int])] = []
    var inside = false
    for line in listing.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("## ") {
        inside = line.dropFirst(3).hasPrefix(section)
        continue
      }
      guard inside, !line.hasPrefix("#"), let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]")
      else { continue }
      let name = line[..<open].trimmingCharacters(in: .whitespaces)
      let dims = line[line.index(after: open)..<close].split(separator: ",").compactMap {
        Int($0.trimmingCharacters(in: .whitespaces))
      }
      result.append((name, dims))
    }
    return result
  }

  static func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-unet-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }
}
