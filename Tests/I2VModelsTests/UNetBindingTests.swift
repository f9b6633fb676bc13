import Foundation
import I2VCheckpoint
import I2VModels
import I2VTensor
import Testing

/// The UNet binds exactly the checkpoint's tensors: the fixtures, the real 1.4 B-parameter architecture and the
/// diffusers tiny-test UNet from the committed key list (Tests/Fixtures/real), and fails loudly on a config/weights mismatch.
@Suite struct UNetBindingTests {
  /// The real checkpoint's key list and configs (Tests/Fixtures/real).
  static let keyList = FixturePaths.fixture("real/i2vgen-xl-state-dict-keys.txt")

  static func specKeys(_ section: String) throws -> [(String, [Int])] {
    try SparseSafeTensors.keys(section: section, in: String(contentsOf: keyList, encoding: .utf8))
  }

  /// Binds `config` in dry-run mode against a sparse file listing `keys`; throws what the binder throws.
  static func dryBind(_ config: UNetConfig, _ keys: [(String, [Int])], dtype: DType = .float32) throws -> I2VGenXLUNet {
    let dir = try SparseSafeTensors.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("diffusion_pytorch_model.safetensors").path
    try SparseSafeTensors.write(path, keys)
    let binder = WeightBinder(weights: WeightFiles(file: try SafeTensorsFile(path: path)), dtype: dtype,
                              device: .cpu, dryRun: true)
    let unet = try I2VGenXLUNet(config: config, binder: binder)
    try binder.finish()
    return unet
  }

  /// Every one of the real UNet's 1511 tensors, names and shapes, from `real-configs/unet/config.json`.
  @Test func realArchitectureBindsTheRealKeys() throws {
    let keys = try Self.specKeys("unet ")
    #expect(keys.count == 1511)
    #expect(keys.reduce(0) { $0 + $1.1.reduce(1, *) } == 1_420_469_224)
    let configPath = FixturePaths.fixture("real/configs/unet/config.json").path
    let config = try UNetConfig(JSONConfig(path: configPath))
    let unet = try Self.dryBind(config, keys, dtype: .float16)
    #expect(unet.downBlocks.count == 4 && unet.upBlocks.map(\.layers.count) == [3, 3, 3, 3])
    #expect(unet.transformerIn.block.attn1.heads == 8 && unet.transformerIn.projIn.weight.shape == [512, 320])
    #expect(unet.midBlock.attention.block.attn1.heads == 20 && unet.midBlock.attention.block.attn1.headDim == 64)
    #expect(unet.imageLatentsTemporalEncoder.attn1.heads == 2 && unet.imageLatentsTemporalEncoder.attn1.headDim == 4)
    #expect(unet.convIn.weight.dtype == .float16)
  }

  /// diffusers' own tiny-test UNet (its test suite's config): block_out_channels (4, 8), 1 layer, 2 groups, head size 4.
  @Test func diffusersTinyTestArchitectureBinds() throws {
    let keys = try Self.specKeys("tiny-test unet")
    #expect(keys.count == 497)
    let config = UNetConfig(blockOutChannels: [4, 8], layersPerBlock: 1, normNumGroups: 2, crossAttentionDim: 4,
                            headDim: 4, downBlockTypes: [.crossAttnDownBlock3D, .downBlock3D],
                            upBlockTypes: [.upBlock3D, .crossAttnUpBlock3D])
    _ = try Self.dryBind(config, keys)
  }

  @Test func missingTensorIsNamed() throws {
    var keys = try Self.specKeys("tiny-test unet")
    keys.removeAll { $0.0 == "up_blocks.1.temp_attentions.1.transformer_blocks.0.attn2.to_k.weight" }
    let config = UNetConfig(blockOutChannels: [4, 8], layersPerBlock: 1, normNumGroups: 2, crossAttentionDim: 4,
                            headDim: 4, downBlockTypes: [.crossAttnDownBlock3D, .downBlock3D],
                            upBlockTypes: [.upBlock3D, .crossAttnUpBlock3D])
    #expect {
      _ = try Self.dryBind(config, keys)
    } throws: { e in
      "\(e)".contains("missing tensor 'up_blocks.1.temp_attentions.1.transformer_blocks.0.attn2.to_k.weight'")
    }
  }

  @Test func unexpectedTensorFailsAtFinish() throws {
    let keys = try Self.specKeys("tiny-test unet") + [("down_blocks.0.attentions.0.pos_embed.weight", [4])]
    let config = UNetConfig(blockOutChannels: [4, 8], layersPerBlock: 1, normNumGroups: 2, crossAttentionDim: 4,
                            headDim: 4, downBlockTypes: [.crossAttnDownBlock3D, .downBlock3D],
                            upBlockTypes: [.upBlock3D, .crossAttnUpBlock3D])
    #expect {
      _ = try Self.dryBind(config, keys)
    } throws: { e in
      "\(e)".contains("unexpected") && "\(e)".contains("pos_embed")
    }
  }

  /// The fixture weights with a config that disagrees (another cross-attention width) fail naming both shapes.
  @Test func configWeightMismatchNamesShapes() throws {
    let component = UNetFixtureCase.component("tiny-b")
    var config = try UNetConfig(component.config())
    let (stored, wanted) = (config.crossAttentionDim, config.crossAttentionDim + 2)
    config.crossAttentionDim = wanted
    let binder = WeightBinder(weights: try component.weights(preferring: .float32), dtype: .float32, device: .cpu)
    let k = config.inChannels * 16
    #expect {
      _ = try I2VGenXLUNet(config: config, binder: binder)
    } throws: { e in
      let text = "\(e)"
      return text.contains("image_latents_context_embedding.5.weight") && text.contains("[\(stored), \(k), 3, 3]")
        && text.contains("[\(wanted), \(k), 3, 3]")
    }
  }

  /// Both fixture UNets bind strictly from their folders (fp16-variant-only tiny-a loaded into float32, and
  /// float32 tiny-b into bfloat16), with the sizes of their config.json.
  @Test func fixtureFoldersBindStrictly() throws {
    for (name, dtype) in [("tiny-a", DType.float32), ("tiny-b", .bfloat16)] {
      let json = try UNetFixtureCase.component(name).config()
      let unet = try UNetFixtureCase.unet(name, dtype: dtype)
      let widths = try json.ints("block_out_channels")
      #expect(unet.config.blockOutChannels == widths && unet.convIn.weight.dtype == dtype)
      #expect(unet.upBlocks.map(\.layers.count) == Array(repeating: try json.int("layers_per_block") + 1,
                                                          count: widths.count))
      let headDim = try json.int("attention_head_dim")
      #expect(unet.downBlocks[0].layers[0].attention?.block.attn1.heads == widths[0] / headDim)
    }
  }

  @Test func unsupportedBlockTypeIsRejected() throws {
    let c = JSONConfig(values: ["down_block_types": ["DownBlock2D"], "up_block_types": ["UpBlock3D"],
                                "block_out_channels": [32]], path: "unet/config.json")
    #expect(throws: CheckpointError.self) { _ = try UNetConfig(c) }
  }
}
