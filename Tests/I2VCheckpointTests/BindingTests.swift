import Foundation
import I2VCheckpoint
import I2VTensor
import Testing

@Suite struct WeightBindingTests {
  func binder(_ t: TestFiles) throws -> WeightBinder {
    let p = try t.floats("w.safetensors", [("layer.weight", [2, 3], [1, 2, 3, 4, 5, 6]), ("layer.bias", [2], [7, 8])])
    return WeightBinder(weights: WeightFiles(file: try SafeTensorsFile(path: p)), dtype: .float32, device: .cpu)
  }

  @Test func bindsAllKeys() throws {
    let b = try binder(TestFiles())
    let w = try b.scope("layer").take("weight", shape: [2, 3])
    #expect(try w.floats() == [1, 2, 3, 4, 5, 6])
    _ = try b.root.scope("layer").take("bias", shape: [2])
    try b.finish()
  }

  @Test func missingKeyNamesFileKeyAndShape() throws {
    let b = try binder(TestFiles())
    do {
      _ = try b.scope("layer").take("gamma", shape: [2])
      Issue.record("missing key accepted")
    } catch let e as CheckpointError {
      #expect(e.path.hasSuffix("w.safetensors"))
      #expect(e.message.contains("'layer.gamma'") && e.message.contains("[2]"), "\(e.message)")
    }
  }

  @Test func shapeMismatchNamesBothShapes() throws {
    let b = try binder(TestFiles())
    do {
      _ = try b.scope("layer").take("weight", shape: [3, 2])
      Issue.record("wrong shape accepted")
    } catch let e as CheckpointError {
      #expect(e.message.contains("'layer.weight'"))
      #expect(e.message.contains("[2, 3]") && e.message.contains("[3, 2]"), "\(e.message)")
    }
  }

  @Test func unexpectedKeysFailAtFinish() throws {
    let b = try binder(TestFiles())
    _ = try b.scope("layer").take("weight", shape: [2, 3])
    do {
      try b.finish()
      Issue.record("unused tensor accepted")
    } catch let e as CheckpointError {
      #expect(e.message.contains("'layer.bias'") && e.message.contains("unexpected"), "\(e.message)")
    }
  }

  @Test func ignoredSuffixesAndDtypeConversion() throws {
    let t = try TestFiles()
    let p = try t.floats("w.safetensors", [("x", [2], [0.5, 1.5]), ("text_model.embeddings.position_ids", [1], [0])])
    let b = WeightBinder(weights: WeightFiles(file: try SafeTensorsFile(path: p)), dtype: .bfloat16, device: .cpu,
                         ignoredSuffixes: ["position_ids"])
    let x = try b.root.take("x", shape: [2])
    #expect(x.dtype == .bfloat16)
    #expect(try x.floats() == [0.5, 1.5])
    try b.finish()
  }
}

@Suite struct ModelFolderTests {
  func makeModel(_ t: TestFiles, files: [String]) throws -> String {
    let root = t.dir.appendingPathComponent("model")
    let unet = root.appendingPathComponent("unet")
    try FileManager.default.createDirectory(at: unet, withIntermediateDirectories: true)
    try Data(#"{"_class_name":"I2VGenXLPipeline","unet":["diffusers","I2VGenXLUNet"],"vae":[null,null]}"#.utf8)
      .write(to: root.appendingPathComponent("model_index.json"))
    try Data(#"{"in_channels": 4}"#.utf8).write(to: unet.appendingPathComponent("config.json"))
    for f in files {
      _ = try t.floats("src.safetensors", [("w", [1], [f.contains("fp16") ? 16 : 32])])
      try FileManager.default.moveItem(atPath: t.path("src.safetensors"), toPath: unet.appendingPathComponent(f).path)
    }
    return root.path
  }

  @Test func prefersTheVariantMatchingTheDtype() throws {
    let t = try TestFiles()
    let m = try ModelFolder(path: makeModel(t, files: [
      "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors",
    ]))
    #expect(m.components.map(\.name) == ["unet"])
    #expect(m.pipelineClass == "I2VGenXLPipeline")
    let unet = try m.component("unet")
    #expect(try unet.config().int("in_channels") == 4)
    #expect(try unet.weights(preferring: .float16).variant == "fp16")
    #expect(try unet.weights(preferring: .float32).variant == nil)
    #expect(try unet.weights(preferring: .bfloat16).variant == nil)
  }

  @Test func fallsBackToTheOtherVariant() throws {
    let t = try TestFiles()
    let m = try ModelFolder(path: makeModel(t, files: ["diffusion_pytorch_model.fp16.safetensors"]))
    #expect(try m.component("unet").weights(preferring: .float32).variant == "fp16")
  }

  @Test func readsShardedWeights() throws {
    let t = try TestFiles()
    let root = try makeModel(t, files: [])
    let unet = (root as NSString).appendingPathComponent("unet")
    _ = try t.floats("a.safetensors", [("a", [1], [1])])
    _ = try t.floats("b.safetensors", [("b", [2], [2, 3])])
    try FileManager.default.moveItem(atPath: t.path("a.safetensors"), toPath: unet + "/diffusion_pytorch_model-00001-of-00002.safetensors")
    try FileManager.default.moveItem(atPath: t.path("b.safetensors"), toPath: unet + "/diffusion_pytorch_model-00002-of-00002.safetensors")
    let index = #"{"metadata":{},"weight_map":{"a":"diffusion_pytorch_model-00001-of-00002.safetensors","b":"diffusion_pytorch_model-00002-of-00002.safetensors"}}"#
    try Data(index.utf8).write(to: URL(fileURLWithPath: unet + "/diffusion_pytorch_model.safetensors.index.json"))
    let w = try ModelFolder(path: root).component("unet").weights(preferring: .float32)
    #expect(w.files.count == 2)
    #expect(w.names == ["a", "b"])
    let b = WeightBinder(weights: w, dtype: .float32, device: .cpu)
    #expect(try b.root.take("b", shape: [2]).floats() == [2, 3])
    _ = try b.root.take("a", shape: [1])
    try b.finish()
    // A shard listed in the index but missing is an error naming it.
    try FileManager.default.removeItem(atPath: unet + "/diffusion_pytorch_model-00002-of-00002.safetensors")
    do {
      _ = try ModelFolder(path: root).component("unet").weights(preferring: .float32)
      Issue.record("missing shard accepted")
    } catch let e as CheckpointError { #expect(e.message.contains("00002-of-00002")) }
  }

  @Test func explainsMissingWeightsAndComponents() throws {
    let t = try TestFiles()
    let root = try makeModel(t, files: [])
    try Data([1]).write(to: URL(fileURLWithPath: root + "/unet/diffusion_pytorch_model.bin"))
    do {
      _ = try ModelFolder(path: root).component("unet").weights(preferring: .float32)
      Issue.record("no weights accepted")
    } catch let e as CheckpointError {
      #expect(e.message.contains("safetensors") && e.message.contains(".bin"), "\(e.message)")
    }
    #expect(throws: CheckpointError.self) { try ModelFolder(path: root).component("vae") }
    #expect(throws: CheckpointError.self) { try ModelFolder(path: t.dir.path) }
  }
}
