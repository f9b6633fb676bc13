import Foundation
import I2VCheckpoint
import I2VModels
import I2VTensor
import Testing

/// Strict binding: a config that does not describe the weights must fail at load time with the offending key,
/// never build a different network. Each case pairs tiny-b's real weights with one edited config field.
@Suite struct VAEBindingTests {
  /// A throwaway component folder: tiny-b's VAE weights (linked) next to an edited copy of its config.
  static func editedComponent(_ edit: (inout [String: Any]) -> Void) throws -> (ComponentFolder, URL) {
    let source = VAEFixtureCase.component("tiny-b")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-vae-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let data = try Data(contentsOf: URL(fileURLWithPath: source.file("config.json")))
    var json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
    edit(&json)
    try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent("config.json"))
    let weights = "diffusion_pytorch_model.safetensors"
    try FileManager.default.createSymbolicLink(
      atPath: dir.appendingPathComponent(weights).path, withDestinationPath: source.file(weights))
    return (ComponentFolder(name: "vae", path: dir.path), dir)
  }

  /// Loads with one edited field and returns the error message (recording an issue if loading succeeds).
  static func loadError(_ edit: (inout [String: Any]) -> Void) throws -> String {
    let (component, dir) = try editedComponent(edit)
    defer { try? FileManager.default.removeItem(at: dir) }
    do {
      _ = try AutoencoderKL(component: component, dtype: .float32, device: .cpu)
    } catch let e as CheckpointError {
      return e.message
    }
    Issue.record("loading a VAE whose config does not match its weights succeeded")
    return ""
  }

  @Test func unmodifiedConfigLoads() throws {
    let (component, dir) = try Self.editedComponent { _ in }
    defer { try? FileManager.default.removeItem(at: dir) }
    let vae = try AutoencoderKL(component: component, dtype: .float32, device: .cpu)
    #expect(vae.latentChannels == 4)
  }

  /// tiny-b's own config values, so the expectations follow a regenerated fixture.
  static func original() throws -> VAEConfig { try VAEConfig(VAEFixtureCase.component("tiny-b").config()) }

  @Test func fewerLayersLeaveUnexpectedTensors() throws {
    let layers = try Self.original().layersPerBlock
    #expect(layers >= 2)
    let m = try Self.loadError { $0["layers_per_block"] = layers - 1 }
    // The decoder has layers_per_block + 1 resnets per block: its last one is now unclaimed.
    #expect(m.contains("unexpected") && m.contains("decoder.up_blocks.0.resnets.\(layers).conv1.bias"), "\(m)")
  }

  @Test func moreLayersMissATensor() throws {
    let layers = try Self.original().layersPerBlock
    let m = try Self.loadError { $0["layers_per_block"] = layers + 1 }
    #expect(m.contains("missing tensor 'encoder.down_blocks.0.resnets.\(layers).norm1.weight'"), "\(m)")
  }

  @Test func wrongLatentChannelsIsAShapeMismatch() throws {
    let c = try Self.original()
    let width = c.blockOutChannels.last!
    let m = try Self.loadError { $0["latent_channels"] = 2 * c.latentChannels }
    #expect(m.contains("'encoder.conv_out.weight' has shape [\(2 * c.latentChannels), \(width), 3, 3]")
      && m.contains("expects [\(4 * c.latentChannels), \(width), 3, 3]"), "\(m)")
  }

  @Test func wrongWidthsAreAShapeMismatch() throws {
    let widths = try Self.original().blockOutChannels
    let m = try Self.loadError { $0["block_out_channels"] = Array(widths.dropLast()) + [2 * widths.last!] }
    #expect(m.contains("has shape") && m.contains("expects"), "\(m)")
  }

  @Test func droppingMidAttentionLeavesItsTensors() throws {
    let m = try Self.loadError { $0["mid_block_add_attention"] = false }
    #expect(m.contains("unexpected") && m.contains("mid_block.attentions.0."), "\(m)")
  }

  @Test func droppingQuantConvLeavesItsTensors() throws {
    let m = try Self.loadError { $0["use_quant_conv"] = false }
    #expect(m.contains("'quant_conv.weight'"), "\(m)")
  }

  @Test func unsupportedBlockTypeIsRejected() throws {
    let m = try Self.loadError {
      var types = $0["down_block_types"] as! [String]
      types[types.count - 1] = "AttnDownEncoderBlock2D"
      $0["down_block_types"] = types
    }
    #expect(m.contains("AttnDownEncoderBlock2D"), "\(m)")
  }
}
