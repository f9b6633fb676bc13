import Foundation
import I2VCheckpoint
import I2VTensor
import Testing

@testable import I2VModels

/// The diffusers dumps (Scripts/make_fixtures.py) and tiny model folders, located from this file.
enum CLIPFixtures {
  static let root: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
      url.deleteLastPathComponent()
    }
    return url.appendingPathComponent("Tests/Fixtures")
  }()

  /// Configs that have both a model folder and reference dumps.
  static let configs: [String] = {
    let fm = FileManager.default
    let names = (try? fm.contentsOfDirectory(atPath: root.appendingPathComponent("reference").path)) ?? []
    return names.filter { fm.fileExists(atPath: model($0).appendingPathComponent("model_index.json").path) }.sorted()
  }()

  static func model(_ config: String) -> URL { root.appendingPathComponent("models/\(config)") }

  static func cases(_ config: String) throws -> [SafeTensorsFile] {
    let dir = root.appendingPathComponent("reference/\(config)")
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".safetensors") }
    return try names.sorted().map { try SafeTensorsFile(path: dir.appendingPathComponent($0).path) }
  }

  static func component(_ config: String, _ name: String) throws -> ComponentFolder {
    try ModelFolder(path: model(config).path).component(name)
  }

  static let setUp: Void = { try? Runtime.setThreads(Runtime.defaultThreads) }()
}

/// Max |a − b| after checking shape (both compared in float32).
private func maxError(_ actual: Tensor, _ expected: Tensor, _ what: String) throws -> Double {
  guard actual.shape == expected.shape else { throw TorchError("\(what): shape \(actual.shape) != \(expected.shape)") }
  return try actual.to(.float32).maxAbsDifference(expected.to(.float32))
}

private func caseName(_ file: SafeTensorsFile) -> String {
  "\(URL(fileURLWithPath: file.path).deletingLastPathComponent().lastPathComponent)/"
    + URL(fileURLWithPath: file.path).deletingPathExtension().lastPathComponent
}

@Suite("CLIP encoders vs diffusers dumps")
struct CLIPEncoderParityTests {
  init() { _ = CLIPFixtures.setUp }

  @Test("fixtures are present")
  func fixturesPresent() throws {
    #expect(CLIPFixtures.configs.count >= 2, "found configs \(CLIPFixtures.configs)")
  }

  @Test("prompt / negative prompt embeddings (float32, clip_skip 1)", arguments: CLIPFixtures.configs)
  func textParity(config: String) throws {
    let model = try CLIPTextModel(component: CLIPFixtures.component(config, "text_encoder"), dtype: .float32,
                                  device: .cpu)
    var worst = 0.0
    var checked = 0
    for file in try CLIPFixtures.cases(config) {
      for (ids, embeds) in [("prompt_ids", "prompt_embeds"), ("negative_ids", "negative_prompt_embeds")] {
        guard file.entry(ids) != nil else { continue }  // no negative branch without CFG
        let out = try model.encode(ids: file.tensor(ids))
        #expect(out.dtype == .float32)
        let err = try maxError(out, file.tensor(embeds), "\(caseName(file)) \(embeds)")
        #expect(err <= 1e-4, "\(caseName(file)) \(embeds): max error \(err)")
        worst = max(worst, err)
        checked += 1
      }
    }
    #expect(checked >= 6)
    print("CLIP text parity \(config): \(checked) tensors, max abs error \(worst)")
  }

  /// The pipeline's ids for every case's prompts are the ones diffusers fed its text encoder (ftfy cleanup);
  /// tiny-b/e_nonsquare's prompt is one the no-ftfy cleanup would tokenize differently.
  @Test("case prompts tokenize to diffusers' ids", arguments: CLIPFixtures.configs)
  func caseTokens(config: String) throws {
    let tokenizer = try CLIPTokenizer(directory: CLIPFixtures.model(config).appendingPathComponent("tokenizer"))
    var cleanupMatters = 0
    for file in try CLIPFixtures.cases(config) {
      let json = URL(fileURLWithPath: file.path).deletingPathExtension().appendingPathExtension("json")
      let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
      let prompts = [("prompt_ids", meta["prompt"] as! String),
                     ("negative_ids", meta["negative_prompt_effective"] as? String ?? "")]
      for (key, text) in prompts where file.entry(key) != nil {
        let expected = try file.tensor(key).to(.int64).toArray(Int64.self).map { Int($0) }
        #expect(tokenizer.encode(text).ids == expected, "\(caseName(file)) \(key)")
        if tokenizer.encode(text, cleanup: .basic).ids != expected { cleanupMatters += 1 }
      }
    }
    #expect(cleanupMatters == (config == "tiny-b" ? 1 : 0))
  }

  @Test("image_embeds (float32)", arguments: CLIPFixtures.configs)
  func visionParity(config: String) throws {
    let model = try CLIPVisionModelWithProjection(
      component: CLIPFixtures.component(config, "image_encoder"), dtype: .float32, device: .cpu)
    var worst = 0.0
    let files = try CLIPFixtures.cases(config)
    for file in files {
      let out = try model.imageEmbeds(pixelValues: file.tensor("clip_pixel_values"))
      let err = try maxError(out, file.tensor("image_embeds"), "\(caseName(file)) image_embeds")
      #expect(err <= 1e-4, "\(caseName(file)) image_embeds: max error \(err)")
      worst = max(worst, err)
    }
    #expect(!files.isEmpty)
    print("CLIP vision parity \(config): \(files.count) cases, max abs error \(worst)")
  }

  @Test("bfloat16 runs both towers", arguments: CLIPFixtures.configs)
  func bfloat16(config: String) throws {
    let file = try #require(try CLIPFixtures.cases(config).first)
    let text = try CLIPTextModel(component: CLIPFixtures.component(config, "text_encoder"), dtype: .bfloat16,
                                 device: .cpu)
    let embeds = try text.encode(ids: file.tensor("prompt_ids"))
    let expected = try file.tensor("prompt_embeds")
    #expect(embeds.dtype == .bfloat16 && embeds.shape == expected.shape)
    let textValues = try embeds.floats()
    #expect(textValues.allSatisfy { $0.isFinite })
    // bf16 keeps 8 mantissa bits; the embeddings are LayerNorm outputs of order 1.
    let textErr = try maxError(embeds, expected, "bf16 prompt_embeds")
    #expect(textErr < 0.15, "bf16 prompt_embeds error \(textErr)")

    let vision = try CLIPVisionModelWithProjection(
      component: CLIPFixtures.component(config, "image_encoder"), dtype: .bfloat16, device: .cpu)
    let image = try vision.imageEmbeds(pixelValues: file.tensor("clip_pixel_values"))
    let expectedImage = try file.tensor("image_embeds")
    #expect(image.dtype == .bfloat16 && image.shape == expectedImage.shape)
    #expect(try image.floats().allSatisfy { $0.isFinite })
    let imageErr = try maxError(image, expectedImage, "bf16 image_embeds")
    #expect(imageErr < 0.15, "bf16 image_embeds error \(imageErr)")
    print("CLIP bf16 \(config): prompt_embeds error \(textErr), image_embeds error \(imageErr)")
  }

  @Test("clip_skip selects the hidden state and skips later layers")
  func clipSkip() throws {
    let config = try #require(CLIPFixtures.configs.first)
    let file = try #require(try CLIPFixtures.cases(config).first)
    let model = try CLIPTextModel(component: CLIPFixtures.component(config, "text_encoder"), dtype: .float32,
                                  device: .cpu)
    let ids = try file.tensor("prompt_ids")
    let last = try model.encode(ids: ids, clipSkip: nil)
    #expect(try last.maxAbsDifference(model.encode(ids: ids, clipSkip: 0)) == 0)
    // The pipeline's penultimate layer is not last_hidden_state.
    #expect(try last.maxAbsDifference(model.encode(ids: ids, clipSkip: 1)) > 1e-3)
    // clip_skip = layers → hidden_states[0], the embedding output, through final_layer_norm.
    let embeddingsOnly = try model.finalLayerNorm(model.embed(ids))
    #expect(try embeddingsOnly.maxAbsDifference(model.encode(ids: ids, clipSkip: model.layers.count)) == 0)
    #expect(throws: CLIPInputError.self) { try model.encode(ids: ids, clipSkip: model.layers.count + 1) }
    #expect(throws: CLIPInputError.self) { try model.encode(ids: ids, clipSkip: -1) }
  }

  @Test("the causal mask is transformers' additive finfo.min mask")
  func causalMask() throws {
    let config = try #require(CLIPFixtures.configs.first)
    let model = try CLIPTextModel(component: CLIPFixtures.component(config, "text_encoder"), dtype: .float32,
                                  device: .cpu)
    let mask = try model.causalMask(batch: 2, length: 3)
    #expect(mask.shape == [2, 1, 3, 3])
    let m = -Float.greatestFiniteMagnitude
    #expect(try mask.floats() == [0, m, m, 0, 0, m, 0, 0, 0, 0, m, m, 0, 0, m, 0, 0, 0])
    #expect(CLIPTextModel.maskFill(.bfloat16) == -3.3895313892515355e38)
    let bf = try Tensor.full([1], CLIPTextModel.maskFill(.bfloat16), dtype: .bfloat16).floats()[0]
    #expect(bf.isFinite)
  }

  @Test("inputs transformers rejects are rejected")
  func badInputs() throws {
    let config = try #require(CLIPFixtures.configs.first)
    let text = try CLIPTextModel(component: CLIPFixtures.component(config, "text_encoder"), dtype: .float32,
                                 device: .cpu)
    let tooLong = try Tensor.zeros([1, text.config.maxPositionEmbeddings + 1], dtype: .int64)
    #expect(throws: CLIPInputError.self) { try text.encode(ids: tooLong) }
    #expect(throws: CLIPInputError.self) { try text.encode(ids: Tensor.zeros([1, 5], dtype: .float32)) }
    // Shorter sequences are fine (position embeddings 0..<L).
    #expect(try text.encode(ids: Tensor.zeros([2, 5], dtype: .int64)).shape == [2, 5, text.config.tower.hiddenSize])

    let vision = try CLIPVisionModelWithProjection(
      component: CLIPFixtures.component(config, "image_encoder"), dtype: .float32, device: .cpu)
    let s = vision.config.imageSize
    #expect(throws: CLIPInputError.self) { try vision.imageEmbeds(pixelValues: Tensor.zeros([1, 3, s, s + 1])) }
    #expect(throws: CLIPInputError.self) { try vision.imageEmbeds(pixelValues: Tensor.zeros([3, s, s])) }
  }
}

/// Strict binding: the loaders refuse weight files that do not match config.json, naming the key.
@Suite("CLIP encoders bind strictly")
struct CLIPEncoderBindingTests {
  init() { _ = CLIPFixtures.setUp }

  /// A copy of `component` of the first fixture model in a temp dir whose weight file went through `edit`
  /// (entries: name → (storage, shape, bytes)).
  func editedComponent(
    _ component: String, _ edit: (inout [String: (String, [Int], [UInt8])]) -> Void
  ) throws -> ComponentFolder {
    let config = try #require(CLIPFixtures.configs.first)
    let source = try CLIPFixtures.component(config, component)
    let weights = try source.weights(preferring: .float32)
    let file = try #require(weights.files.first)
    var entries: [String: (String, [Int], [UInt8])] = [:]
    for e in file.entries {
      entries[e.name] = (e.storage.rawValue, e.shape, file.withBytes(of: e) { [UInt8]($0) })
    }
    edit(&entries)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("clip-binding-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: source.file("config.json"),
                                     toPath: dir.appendingPathComponent("config.json").path)
    try writeSafeTensors(entries, to: dir.appendingPathComponent("model.safetensors"))
    return ComponentFolder(name: component, path: dir.path)
  }

  func writeSafeTensors(_ entries: [String: (String, [Int], [UInt8])], to url: URL) throws {
    var header: [String: Any] = [:]
    var data: [UInt8] = []
    for name in entries.keys.sorted() {
      let (storage, shape, bytes) = entries[name]!
      header[name] = ["dtype": storage, "shape": shape, "data_offsets": [data.count, data.count + bytes.count]]
      data += bytes
    }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    while json.count % 8 != 0 { json.append(0x20) }
    var out = Data()
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(json)
    out.append(contentsOf: data)
    try out.write(to: url)
  }

  func message(_ body: () throws -> Void) -> String {
    do { try body() } catch { return "\(error)" }
    return "(no error)"
  }

  @Test("unchanged copy loads (the writer is sound)")
  func unchangedCopy() throws {
    let folder = try editedComponent("text_encoder") { _ in }
    defer { try? FileManager.default.removeItem(atPath: folder.path) }
    _ = try CLIPTextModel(component: folder, dtype: .float32, device: .cpu)
  }

  @Test("missing text tensor is named")
  func missingTensor() throws {
    let key = "text_model.encoder.layers.0.mlp.fc2.bias"
    let folder = try editedComponent("text_encoder") { $0[key] = nil }
    defer { try? FileManager.default.removeItem(atPath: folder.path) }
    let text = message { _ = try CLIPTextModel(component: folder, dtype: .float32, device: .cpu) }
    #expect(text.contains("missing tensor '\(key)'"), "\(text)")
  }

  @Test("wrongly shaped vision tensor is named with both shapes")
  func wrongShape() throws {
    let key = "visual_projection.weight"
    let folder = try editedComponent("image_encoder") { entries in
      let (storage, shape, bytes) = entries[key]!
      // Same bytes, flattened shape: only the shape check can catch it.
      entries[key] = (storage, [shape[0] * shape[1]], bytes)
    }
    defer { try? FileManager.default.removeItem(atPath: folder.path) }
    let text = message { _ = try CLIPVisionModelWithProjection(component: folder, dtype: .float32, device: .cpu) }
    #expect(text.contains("'\(key)'") && text.contains("expects"), "\(text)")
  }

  @Test("unexpected tensors are refused; a legacy position_ids buffer is tolerated")
  func extraTensors() throws {
    let extra = try editedComponent("text_encoder") { $0["text_projection.weight"] = ("F32", [1], [0, 0, 0, 0]) }
    defer { try? FileManager.default.removeItem(atPath: extra.path) }
    let text = message { _ = try CLIPTextModel(component: extra, dtype: .float32, device: .cpu) }
    #expect(text.contains("text_projection.weight"), "\(text)")

    let legacy = try editedComponent("image_encoder") {
      $0["vision_model.embeddings.position_ids"] = ("I64", [1, 1], [UInt8](repeating: 0, count: 8))
    }
    defer { try? FileManager.default.removeItem(atPath: legacy.path) }
    _ = try CLIPVisionModelWithProjection(component: legacy, dtype: .float32, device: .cpu)
  }

  @Test("a layer count that disagrees with config.json is refused")
  func configMismatch() throws {
    let folder = try editedComponent("text_encoder") { _ in }
    defer { try? FileManager.default.removeItem(atPath: folder.path) }
    let configPath = folder.file("config.json")
    var values = try JSONConfig(path: configPath).values
    let layers = try #require(values["num_hidden_layers"] as? Int)
    values["num_hidden_layers"] = layers - 1
    try JSONSerialization.data(withJSONObject: values).write(to: URL(fileURLWithPath: configPath))
    let text = message { _ = try CLIPTextModel(component: folder, dtype: .float32, device: .cpu) }
    #expect(text.contains("unexpected") && text.contains("layers.\(layers - 1)."), "\(text)")
  }
}
