import Foundation
import I2VCheckpoint
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `i2v download` against a hub on loopback (`FakeHub`): the cache layout, what is fetched, resuming, hash
/// refusals, access errors, offline mode; then the downloaded model generates and verifies as the release.
@Suite struct DownloadCommandTests {
  let dir: URL
  let hub: FakeHub

  init() throws {
    dir = try CLI.tempDir()
    hub = try FakeHub(repo: "ali-vilab/i2vgen-xl", model: "tiny-a")
  }

  var cache: String { dir.appendingPathComponent("hub").path }
  var repoFolder: String { cache + "/models--ali-vilab--i2vgen-xl" }
  var snapshot: String { repoFolder + "/snapshots/" + hub.commit }

  /// The environment of every run: this hub, a private cache, nothing inherited that would change the outcome.
  func environment(_ extra: [String: String] = [:]) -> [String: String] {
    var env = ["HF_ENDPOINT": hub.endpoint, "HF_HUB_CACHE": cache, "HF_HOME": dir.appendingPathComponent("hf").path,
               "HF_TOKEN": "", "HF_HUB_OFFLINE": "", "TRANSFORMERS_OFFLINE": "", "I2V_MODEL": "",
               "XDG_CACHE_HOME": dir.appendingPathComponent("xdg").path,
               "no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"]
    for (k, v) in extra { env[k] = v }
    return env
  }

  func download(_ args: [String] = [], _ extra: [String: String] = [:]) throws -> CLI.Result {
    try CLI.run(["download"] + args, environment: environment(extra))
  }

  func blob(_ path: String) -> String { repoFolder + "/blobs/" + (hub.file(path).lfs ? hub.file(path).sha256 : hub.file(path).gitOID) }

  func leftovers(_ folder: String) -> [String] {
    (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter {
      $0.hasSuffix(".incomplete") || $0.contains(".tmp-")
    }
  }

  static let unet = "unet/diffusion_pytorch_model.fp16.safetensors"
  static let textEncoder = "text_encoder/model.fp16.safetensors"
  static let vae = "vae/diffusion_pytorch_model.fp16.safetensors"

  @Test func downloadsIntoTheHubCacheThenGeneratesAndVerifies() throws {
    let r = try download()
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("model: \(snapshot)") && r.stdout.contains("every file matches the hub's hash"), "\(r.stdout)")
    #expect(r.stderr.contains("fetched") && r.stderr.contains("/s"), "progress with a rate: \(r.stderr)")

    // The layout huggingface_hub writes: refs, blobs named by etag, relative links.
    #expect((try? String(contentsOfFile: repoFolder + "/refs/main", encoding: .utf8)) == hub.commit)
    let link = try FileManager.default.destinationOfSymbolicLink(atPath: snapshot + "/" + Self.unet)
    #expect(link == "../../../blobs/" + hub.file(Self.unet).sha256)
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: snapshot + "/model_index.json")
      == "../../blobs/" + hub.file("model_index.json").gitOID)
    #expect(FileManager.default.contents(atPath: blob(Self.unet)) == hub.file(Self.unet).content)
    #expect(leftovers(repoFolder).isEmpty)
    #expect(hub.tokensSentToStorage == 0)

    // Only what the fp16 pipeline reads: no pickles, README or original checkpoint.
    let fetched = Set(hub.contentRequests.filter { $0.path.contains("/resolve/") }.map {
      String($0.path.split(separator: "/").dropFirst(4).joined(separator: "/"))
    })
    let expected = Set(hub.files.map(\.path).filter { !$0.hasSuffix(".bin") && !$0.hasSuffix(".pth") && $0 != "README.md" })
    #expect(fetched == expected)

    // verify compares with the hub's hashes; the locator finds the snapshot without --model.
    let v = try CLI.run(["verify"], environment: environment())
    #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
    #expect(v.stdout.contains("model \(snapshot)") && v.stdout.contains("matches the release ali-vilab/i2vgen-xl@main"),
            "\(v.stdout)\(v.stderr)")
    let out = dir.appendingPathComponent("out.mp4").path
    let g = try CLI.run(["generate", "--image", CLI.fixture("images/square_48x48.png"), "--prompt", "a cat",
                         "--preset", "smoke", "--seed", "3", "-o", out], environment: environment())
    #expect(g.status == 0, "\(g.stderr)")
    let sidecar = try ModelCopies.json(file: out + ".json")
    #expect((sidecar["model"] as? [String: Any])?["path"] as? String == snapshot)

    // A rerun fetches nothing (it only asks for the revision and the file list); offline mode asks nothing.
    let before = hub.server.log.count
    let again = try download()
    #expect(again.status == 0 && again.stdout.contains("fetched 0 B"), "\(again.stdout)\(again.stderr)")
    #expect(hub.server.log.dropFirst(before).allSatisfy { $0.path.hasPrefix("/api/") }, "\(hub.server.log.map(\.path))")
    let afterRerun = hub.server.log.count
    let offline = try download([], ["HF_HUB_OFFLINE": "1"])
    #expect(offline.status == 0 && offline.stdout.contains("offline"), "\(offline.stdout)\(offline.stderr)")
    #expect(hub.server.log.count == afterRerun)
  }

  @Test func aChangedFileIsNamedByVerifyAndFetchedAgain() throws {
    #expect(try download().status == 0)
    // Damage a blob in place (as a disk error or an editor would).
    let path = blob(Self.vae)
    var data = try Data(contentsOf: URL(fileURLWithPath: path))
    data[100] ^= 1
    try data.write(to: URL(fileURLWithPath: path))
    let v = try CLI.run(["verify", "--model", snapshot], environment: environment())
    #expect(v.status != 0)
    #expect(v.stdout.contains("FAIL  release: \(Self.vae) differs"), "\(v.stdout)")
    let r = try download()
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("\(Self.vae): the stored copy") && r.stderr.contains("fetching it again"), "\(r.stderr)")
    #expect(FileManager.default.contents(atPath: path) == hub.file(Self.vae).content)
    #expect(try CLI.run(["verify", "--model", snapshot], environment: environment()).status == 0)
  }

  @Test func aDroppedConnectionIsResumedWithARangeRequest() throws {
    hub.cutOnce[Self.unet] = 200_000
    let plain = dir.appendingPathComponent("plain").path
    let r = try download(["--dir", plain])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    let unetRequests = hub.contentRequests.filter { $0.path == "/storage/" + hub.file(Self.unet).sha256 }
    #expect(unetRequests.count == 2 && unetRequests[1].headers["range"] == "bytes=200000-",
            "\(unetRequests.map(\.headers))\n\(r.stderr)")
    #expect(FileManager.default.contents(atPath: plain + "/" + Self.unet) == hub.file(Self.unet).content)
    #expect(leftovers(plain).isEmpty)
    let v = try CLI.run(["verify", "--model", plain], environment: environment())
    #expect(v.status == 0 && v.stdout.contains("matches the release ali-vilab/i2vgen-xl@main"), "\(v.stdout)")

    // A file the release does not have, and one it has that is gone, are named.
    try Data("{}".utf8).write(to: URL(fileURLWithPath: plain + "/unet/extra_config.json"))
    try FileManager.default.removeItem(atPath: plain + "/tokenizer/merges.txt")
    let changed = try CLI.run(["verify", "--model", plain], environment: environment())
    #expect(changed.status != 0)
    #expect(changed.stdout.contains("FAIL  release: unet/extra_config.json is not part of the release"), "\(changed.stdout)")
    #expect(changed.stdout.contains("FAIL  release: tokenizer/merges.txt is missing"), "\(changed.stdout)")
  }

  @Test func aServerErrorIsRetriedAndAMissingVariantFallsBack() throws {
    hub.unavailableOnce = [Self.vae]
    let r = try download(["--variant", "fp32"])
    #expect(r.status == 0, "\(r.stderr)")
    // tiny-a has only .fp16 weights: each weighted component says it takes them instead.
    for c in ["image_encoder", "text_encoder", "unet", "vae"] {
      #expect(r.stderr.contains("\(c) has no fp32 weights in the repository: its fp16 weights are downloaded instead"),
              "\(r.stderr)")
    }
    let vae = hub.contentRequests.filter { $0.path == "/storage/" + hub.file(Self.vae).sha256 }
    #expect(vae.count == 2, "the 503 is retried")
    #expect(FileManager.default.contents(atPath: blob(Self.vae)) == hub.file(Self.vae).content)
  }

  /// Starts `i2v download` without waiting; its stderr goes to `stderr` when given.
  func startDownload(stderr: Pipe? = nil) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: CLI.executable)
    p.arguments = ["download"]
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment() { env[k] = v }
    p.environment = env
    p.standardOutput = FileHandle.nullDevice
    p.standardError = stderr ?? FileHandle.nullDevice
    try p.run()
    return p
  }

  /// Starts a download that stalls in the middle of the text encoder's weights, and waits until 300 KB of them
  /// are in its partial file.
  func startStalledDownload() throws -> Process {
    hub.stallOnce[Self.textEncoder] = 300_000
    let p = try startDownload()
    let partial = blob(Self.textEncoder) + ".incomplete"
    let deadline = Date().addingTimeInterval(60)
    while (BlobSize.of(partial) ?? 0) < 300_000 && Date() < deadline && p.isRunning { usleep(20_000) }
    return p
  }

  /// Killed (SIGKILL) or interrupted (Ctrl-C: the partial file is kept, not cleaned up like temporaries).
  @Test(arguments: [SIGKILL, SIGINT])
  func aKilledDownloadLeavesOnlyAPartialFileAndTheRerunResumesIt(signal: Int32) throws {
    let p = try startStalledDownload()
    let partial = blob(Self.textEncoder) + ".incomplete"
    kill(p.processIdentifier, signal)
    p.waitUntilExit()
    #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == signal)
    hub.server.release()
    #expect(BlobSize.of(partial) == 300_000, "the partial file holds what arrived")
    #expect(!FileManager.default.fileExists(atPath: blob(Self.textEncoder)))
    #expect(!FileManager.default.fileExists(atPath: snapshot + "/model_index.json"), "not usable until complete")

    let r = try download()
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("resuming at"), "\(r.stderr)")
    let requests = hub.contentRequests.filter { $0.path == "/storage/" + hub.file(Self.textEncoder).sha256 }
    #expect(requests.last?.headers["range"] == "bytes=300000-", "\(requests.map(\.headers))")
    #expect(FileManager.default.contents(atPath: blob(Self.textEncoder)) == hub.file(Self.textEncoder).content)
    #expect(leftovers(repoFolder).isEmpty)
  }

  @Test func aSecondDownloadWaitsForTheFirstsLockThenResumesItsPartialFile() throws {
    let first = try startStalledDownload()
    let err = Pipe()
    let second = try startDownload(stderr: err)
    // The second run lists the files (its revision request, then the tree), then waits for the lock.
    let deadline = Date().addingTimeInterval(60)
    while hub.server.log.filter({ $0.path.contains("/revision/") }).count < 2 && Date() < deadline { usleep(20_000) }
    usleep(1_500_000)
    let storage = "/storage/" + hub.file(Self.textEncoder).sha256
    #expect(hub.contentRequests.filter { $0.path == storage }.count == 1, "the second run must not fetch it meanwhile")
    kill(first.processIdentifier, SIGKILL)
    first.waitUntilExit()
    hub.server.release()
    second.waitUntilExit()
    let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(second.terminationStatus == 0, "\(text)")
    #expect(text.contains("waiting for another download of \(Self.textEncoder)"), "\(text)")
    #expect(hub.contentRequests.filter { $0.path == storage }.last?.headers["range"] == "bytes=300000-")
    #expect(FileManager.default.contents(atPath: blob(Self.textEncoder)) == hub.file(Self.textEncoder).content)
  }

  @Test func bytesThatDoNotMatchTheHashAreRefusedAndFetchedAgainOnRerun() throws {
    hub.corrupt = [Self.vae]
    let r = try download()
    #expect(r.status != 0)
    #expect(r.stderr.contains("\(Self.vae): the downloaded bytes do not match the hub's SHA-256"), "\(r.stderr)")
    #expect(r.stderr.contains("run the same command again"), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: blob(Self.vae)))
    #expect(leftovers(repoFolder).isEmpty, "the bad bytes are deleted")
    #expect(FileManager.default.fileExists(atPath: blob(Self.unet)), "the good files are kept")
    #expect(!FileManager.default.fileExists(atPath: snapshot + "/model_index.json"))

    hub.corrupt = []
    let before = hub.contentRequests.count
    let again = try download()
    #expect(again.status == 0, "\(again.stderr)")
    let refetched = hub.contentRequests.dropFirst(before).map(\.path)
    #expect(refetched.count == 2 && refetched.allSatisfy { $0.contains("diffusion_pytorch_model.fp16") || $0.contains(hub.file(Self.vae).sha256) },
            "only the refused file again: \(refetched)")
  }

  @Test func accessErrorsSayWhatToDo() throws {
    hub.requiredToken = "hf_secret"
    let none = try download()
    #expect(none.status != 0)
    #expect(none.stderr.contains("401") && none.stderr.contains("HF_TOKEN") && none.stderr.contains("huggingface-cli login"),
            "\(none.stderr)")
    let wrong = try download([], ["HF_TOKEN": "hf_wrong"])
    #expect(wrong.status != 0 && wrong.stderr.contains("the token from HF_TOKEN was sent"), "\(wrong.stderr)")
    // The token file `huggingface-cli login` writes.
    let hf = dir.appendingPathComponent("hf")
    try FileManager.default.createDirectory(at: hf, withIntermediateDirectories: true)
    try Data("hf_secret\n".utf8).write(to: hf.appendingPathComponent("token"))
    let good = try download()
    #expect(good.status == 0, "\(good.stderr)")
    #expect(hub.tokensSentToStorage == 0, "the token never goes to the storage host")
  }

  @Test func unknownRepositoriesAndRevisionsAreNamed() throws {
    let repo = try download(["someone/no-such-model"], ["HF_TOKEN": "hf_any"])
    #expect(repo.status != 0 && repo.stderr.contains("repository 'someone/no-such-model' not found"), "\(repo.stderr)")
    let rev = try download(["--revision", "v9.9"])
    #expect(rev.status != 0 && rev.stderr.contains("revision 'v9.9' not found in ali-vilab/i2vgen-xl"), "\(rev.stderr)")
    let bad = try download(["not a repo"])
    #expect(bad.status != 0 && bad.stderr.contains("is not a repository name"), "\(bad.stderr)")
    #expect(!FileManager.default.fileExists(atPath: repoFolder + "/snapshots"))
  }

  @Test func offlineModeWithoutADownloadAsksNothing() throws {
    let r = try download([], ["HF_HUB_OFFLINE": "1"])
    #expect(r.status != 0 && r.stderr.contains("HF_HUB_OFFLINE is set"), "\(r.stderr)")
    #expect(hub.server.log.isEmpty)
  }

  @Test func aDownloadThatCannotFitIsRefusedBeforeItStarts() throws {
    hub.listedSize[Self.unet] = 1 << 50
    let r = try download()
    #expect(r.status != 0 && r.stderr.contains("not enough disk space"), "\(r.stderr)")
    #expect(hub.contentRequests.filter { $0.path.hasPrefix("/storage/") }.isEmpty, "no weights fetched")
  }

  @Test func unreachableHubSaysSo() throws {
    let r = try CLI.run(["download"], environment: environment(["HF_ENDPOINT": "http://127.0.0.1:1"]))
    #expect(r.status != 0 && r.stderr.contains("cannot connect to 127.0.0.1") && r.stderr.contains("HF_HUB_OFFLINE"),
            "\(r.stderr)")
  }
}

enum BlobSize {
  static func of(_ path: String) -> Int64? {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
  }
}
