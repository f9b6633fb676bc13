import Foundation
import Testing

/// `i2v verify` on a good folder, missing and corrupted files, swapped components and re-saved configs, and
/// `generate` refusing mixed models unless --allow-mixed.
@Suite struct VerifyCommandTests {
  let dir: URL
  let model: URL

  init() throws {
    dir = try CLI.tempDir()
    model = try ModelCopies.copy("tiny-b", into: dir)
  }

  /// Runs i2v with a private cache folder (hashes, read-only-model locks).
  func run(_ args: [String]) throws -> CLI.Result {
    try CLI.run(args, environment: ["XDG_CACHE_HOME": dir.appendingPathComponent("cache").path])
  }

  func verify(_ extra: [String] = []) throws -> CLI.Result { try run(["verify", "--model", model.path] + extra) }

  func generate(_ extra: [String] = [], output: String = "out.mp4") throws -> CLI.Result {
    try run(["generate", "--model", model.path, "--image", CLI.fixture("images/square_48x48.png"), "--prompt", "a cat",
             "--preset", "smoke", "--seed", "1", "-o", dir.appendingPathComponent(output).path] + extra)
  }

  func file(_ relative: String) -> String { model.appendingPathComponent(relative).path }

  /// The lines of the report that failed.
  func failures(_ r: CLI.Result) -> [String] { r.stdout.split(separator: "\n").map(String.init).filter { $0.contains("FAIL") } }

  @Test func goodFolderPasses() throws {
    let r = try verify()
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("verified: no problems"))
    for c in ["tokenizer", "feature_extractor", "scheduler", "text_encoder", "image_encoder", "vae", "unet"] {
      #expect(r.stdout.contains("ok    \(c):"), "\(c) not checked: \(r.stdout)")
    }
    let j = try verify(["--json"])
    let o = try ModelCopies.json(Data(j.stdout.utf8))
    #expect(j.status == 0 && o["ok"] as? Bool == true)
    #expect(((o["tensors"] as? [String: [String: Int]])?["vae"]?["default"] ?? 0) > 0)
    #expect((o["lock"] as? [String: Any])?["status"] as? String == "none")
  }

  @Test func lockIsRecordedThenMatched() throws {
    let first = try verify(["--lock"])
    #expect(first.status == 0, "\(first.stdout)")
    #expect(first.stdout.contains("recorded") && FileManager.default.fileExists(atPath: file("i2v.lock.json")))
    let lock = try ModelCopies.json(file: file("i2v.lock.json"))
    #expect((lock["files"] as? [String: Any])?["vae/diffusion_pytorch_model.safetensors"] != nil)
    let again = try verify()
    #expect(again.status == 0 && again.stdout.contains("files match"), "\(again.stdout)")
  }

  @Test func missingFilesAreNamed() throws {
    try FileManager.default.removeItem(atPath: file("unet/config.json"))
    try FileManager.default.removeItem(atPath: file("vae/diffusion_pytorch_model.safetensors"))
    let r = try verify()
    #expect(r.status != 0)
    let fails = failures(r)
    #expect(fails.contains { $0.contains("unet") && $0.contains("config.json") }, "\(fails)")
    #expect(fails.contains { $0.contains("vae") && $0.contains("no safetensors weights") }, "\(fails)")
  }

  @Test func truncatedWeightFileIsReported() throws {
    let weights = file("vae/diffusion_pytorch_model.safetensors")
    let data = try Data(contentsOf: URL(fileURLWithPath: weights))
    try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: weights))
    let r = try verify()
    #expect(r.status != 0)
    #expect(failures(r).contains { $0.contains("vae") && $0.contains(weights) }, "\(r.stdout)")
  }

  @Test func damagedHeaderIsReported() throws {
    let weights = file("unet/diffusion_pytorch_model.safetensors")
    var data = try Data(contentsOf: URL(fileURLWithPath: weights))
    data[8] = UInt8(ascii: "X")  // the header's opening brace
    try data.write(to: URL(fileURLWithPath: weights))
    let r = try verify()
    #expect(r.status != 0)
    #expect(failures(r).contains { $0.contains("unet") && $0.contains(weights) && $0.contains("JSON") }, "\(r.stdout)")
  }

  /// Flipped data bytes keep the header valid: only the lock's hashes can tell.
  @Test func corruptedDataIsCaughtByTheLock() throws {
    #expect(try verify(["--lock"]).status == 0)
    let weights = file("vae/diffusion_pytorch_model.safetensors")
    var data = try Data(contentsOf: URL(fileURLWithPath: weights))
    data[data.count - 10] ^= 0xFF
    try data.write(to: URL(fileURLWithPath: weights))
    let r = try verify()
    #expect(r.status != 0)
    #expect(failures(r) == ["  FAIL  lock: vae: changed diffusion_pytorch_model.safetensors"], "\(r.stdout)")
  }

  @Test func swappedComponentIsRefusedUnlessAllowed() throws {
    #expect(try verify(["--lock"]).status == 0)
    try ModelCopies.swap("vae", of: model, from: "tiny-a")
    let r = try verify()
    #expect(r.status != 0)
    #expect(failures(r).contains { $0.contains("lock: vae: changed config.json") }, "\(r.stdout)")

    let refused = try generate()
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("differ from its lock") && refused.stderr.contains("vae: changed config.json")
      && refused.stderr.contains("--allow-mixed"), "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.mp4").path))

    let allowed = try generate(["--allow-mixed"])
    #expect(allowed.status == 0, "\(allowed.stderr)")
    #expect(allowed.stderr.contains("warning: mixed model"))
    let sidecar = try ModelCopies.json(file: dir.appendingPathComponent("out.mp4.json").path)
    let m = sidecar["model"] as? [String: Any]
    #expect(m?["lock_status"] as? String == "differs" && (m?["mixing"] as? [String])?.isEmpty == false, "\(m ?? [:])")

    // An intended change is accepted by re-recording the lock.
    #expect(try verify(["--update-lock"]).status == 0)
    #expect(try verify().status == 0)
  }

  @Test func componentsThatCannotFitAreAlwaysRefused() throws {
    try ModelCopies.swap("unet", of: model, from: "tiny-a")
    let r = try verify()
    #expect(r.status != 0)
    #expect(failures(r).contains { $0.contains("text_encoder hidden_size is 6 but unet cross_attention_dim is 12") },
            "\(r.stdout)")
    let g = try generate(["--allow-mixed"])
    #expect(g.status != 0 && g.stderr.contains("do not fit together"), "\(g.stderr)")
  }

  @Test func configsFromAnotherReleaseNeedAllowMixed() throws {
    let config = file("vae/config.json")
    let text = try String(contentsOfFile: config, encoding: .utf8)
      .replacingOccurrences(of: "\"_diffusers_version\": \"0.33.1\"", with: "\"_diffusers_version\": \"0.21.4\"")
    try text.write(toFile: config, atomically: true, encoding: .utf8)
    let r = try verify(["--lock"])
    #expect(r.status != 0 && failures(r).contains { $0.contains("_diffusers_version differs") }, "\(r.stdout)")
    #expect(!FileManager.default.fileExists(atPath: file("i2v.lock.json")), "a mixed-looking model is not locked")
    let g = try generate()
    #expect(g.status != 0 && g.stderr.contains("different releases") && g.stderr.contains("vae 0.21.4"), "\(g.stderr)")
    let allowed = try verify(["--lock", "--allow-mixed"])
    #expect(allowed.status == 0 && allowed.stdout.contains("warn  release"), "\(allowed.stdout)")
  }

  @Test func variantsAreBoundAndCompared() throws {
    let a = try ModelCopies.copy("tiny-a", into: dir.appendingPathComponent("second"))
    // Add a full-precision file beside the .fp16 one (same tensors, as diffusers' variants are).
    try FileManager.default.copyItem(atPath: a.appendingPathComponent("vae/diffusion_pytorch_model.fp16.safetensors").path,
                                     toPath: a.appendingPathComponent("vae/diffusion_pytorch_model.safetensors").path)
    let r = try run(["verify", "--model", a.path])
    #expect(r.status == 0, "\(r.stdout)")
    let vae = r.stdout.split(separator: "\n").first { $0.contains("vae:") }.map(String.init) ?? ""
    #expect(vae.contains("default (") && vae.contains("fp16 (") && vae.contains("the variants hold the same tensors"),
            "\(vae)")
  }

  @Test func notAModelFolder() throws {
    let r = try run(["verify", "--model", "/nonexistent/model", "--json"])
    #expect(r.status != 0 && r.stderr.contains("/nonexistent/model"))
    #expect(try ModelCopies.json(Data(r.stdout.utf8))["status"] as? String == "failed")
  }
}
