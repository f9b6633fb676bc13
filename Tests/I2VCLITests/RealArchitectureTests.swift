import Foundation
import I2VCheckpoint
import Testing

/// Removed when the test process exits (sparse files cost no disk, but folders should not pile up in /tmp).
nonisolated(unsafe) private var standInToRemove: String?

/// The real ali-vilab/i2vgen-xl architecture, from its configs and tensor list, as zero-filled sparse files
/// (no disk cost): every component must bind strictly in both variants, and `i2v generate` must run on it.
@Suite(.serialized) struct RealArchitectureTests {
  static let standIn: String = {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-real-standin-\(getpid())").path
    try! StandInCheckpoint.build(keyList: CLI.fixture("real/i2vgen-xl-state-dict-keys.txt"),
                                 configs: CLI.fixture("real/configs"), to: dir)
    standInToRemove = dir
    atexit { if let d = standInToRemove { try? FileManager.default.removeItem(atPath: d) } }
    return dir
  }()

  @Test func standInFilesHaveTheHubSizes() throws {
    // Exact byte sizes of the hub files (as listed on the model's hub page): header layout and tensor list are right.
    let expected = [
      "unet/diffusion_pytorch_model.safetensors": 5_682_063_336,
      "unet/diffusion_pytorch_model.fp16.safetensors": 2_841_124_432,
      "vae/diffusion_pytorch_model.safetensors": 334_643_268,
      "text_encoder/model.fp16.safetensors": 706_014_768,
      "image_encoder/model.fp16.safetensors": 1_264_217_240,
    ]
    for (file, size) in expected {
      let attributes = try FileManager.default.attributesOfItem(atPath: Self.standIn + "/" + file)
      #expect(attributes[.size] as? Int == size, "\(file)")
    }
  }

  @Test(arguments: ["float32", "float16"])
  func everyComponentBindsStrictly(variant: String) throws {
    // `inspect` validates every header; `--check-binding` binds each component strictly without reading data.
    let r = try CLI.run(["inspect", Self.standIn, "--check-binding", "--dtype", variant])
    #expect(r.status == 0, "\(r.stderr)")
    for component in ["unet", "vae", "text_encoder", "image_encoder"] {
      #expect(r.stdout.contains("\(component): binds"), "\(component) in \(r.stdout)")
    }
  }

  @Test func generateRunsOnTheRealArchitecture() throws {
    let dir = try CLI.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("real.mp4").path
    let r = try CLI.run(["generate", "--model", Self.standIn, "--image", CLI.fixture("images/landscape_96x72.png"),
                         "--prompt", "a cat", "--width", "64", "--height", "64", "--frames", "2", "--steps", "1",
                         "--dtype", "float32", "--seed", "1", "-o", out, "--quiet"],
                        environment: ["I2V_THREADS": "2"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(FileManager.default.fileExists(atPath: out))
  }
}
