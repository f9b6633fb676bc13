import Foundation
import Testing

@testable import I2VCheckpoint

#if canImport(Glibc)
  import Glibc
#endif

/// The hash cache (by path, size and mtime; written atomically) and lock files (record, compare, locate).
@Suite struct ModelLockTests {
  func write(_ text: String, _ path: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }

  /// Sets a file's mtime (so a same-size edit looks untouched to the cache).
  func setMTime(_ path: String, seconds: Int) {
    var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
    _ = utimensat(AT_FDCWD, path, &times, 0)
  }

  @Test func cacheIsKeyedByFileIdentity() throws {
    let files = try TestFiles()
    let file = files.path("w.safetensors"), cachePath = files.path("cache/hashes.json")
    try write("first", file)
    setMTime(file, seconds: 1_000_000)
    let cache = FileHashCache(path: cachePath)
    let first = try cache.sha256(of: file)
    #expect(first == SHA256.hex(Array("first".utf8)))
    cache.save()

    // Unchanged: a fresh process trusts the cache (that is what makes a 10 GB model cheap)...
    let reloaded = FileHashCache(path: cachePath)
    #expect(try reloaded.sha256(of: file) == first)
    // ... but not a file rewritten with its size and mtime put back (the status-change time moved)...
    try write("FIRST", file)
    setMTime(file, seconds: 1_000_000)
    #expect(try FileHashCache(path: cachePath).sha256(of: file) == SHA256.hex(Array("FIRST".utf8)))
    // ... and `verify` never trusts it.
    #expect(try reloaded.sha256(of: file, trustCache: false) == SHA256.hex(Array("FIRST".utf8)))
    // A new mtime or size means a new hash.
    try write("second!", file)
    #expect(try FileHashCache(path: cachePath).sha256(of: file) == SHA256.hex(Array("second!".utf8)))
  }

  @Test func cacheFileIsWrittenAtomicallyAndSurvivesDamage() throws {
    let files = try TestFiles()
    let cachePath = files.path("c/hashes.json")
    try write("x", files.path("a.json"))
    let cache = FileHashCache(path: cachePath)
    _ = try cache.hashes(of: ["a.json"], in: files.dir.path)
    let names = try FileManager.default.contentsOfDirectory(atPath: files.path("c"))
    #expect(names == ["hashes.json"], "temporary files left: \(names)")
    try write("{not json", cachePath)
    #expect(try FileHashCache(path: cachePath).sha256(of: files.path("a.json")) == SHA256.hex([0x78]))
  }

  @Test func hashesReportOnlyRealWork() throws {
    let files = try TestFiles()
    try write("abc", files.path("a.txt"))
    try write("defg", files.path("b.txt"))
    let cache = FileHashCache(path: files.path("cache.json"))
    var toRead: [Int64] = []
    let first = try cache.hashes(of: ["a.txt", "b.txt"], in: files.dir.path, willRead: { toRead.append($0) })
    _ = try cache.hashes(of: ["a.txt", "b.txt"], in: files.dir.path, willRead: { toRead.append($0) })
    #expect(toRead == [7, 0])
    #expect(first["b.txt"] == FileRecord(sha256: SHA256.hex(Array("defg".utf8)), bytes: 4))
  }

  @Test func lockComparisonNamesComponentsAndFiles() throws {
    let r = { (s: String) in FileRecord(sha256: s, bytes: 1) }
    let lock = ModelLock(modelPath: "/m", files: ["model_index.json": r("i"), "vae/config.json": r("a"),
                                                 "vae/w.safetensors": r("b"), "unet/config.json": r("c")], tool: "test")
    let now = ["model_index.json": r("i"), "vae/config.json": r("A"), "vae/w.fp16.safetensors": r("d"),
               "unet/config.json": r("c")]
    let d = lock.compare(now)
    #expect(d.changed == ["vae/config.json"] && d.missing == ["vae/w.safetensors"] && d.added == ["vae/w.fp16.safetensors"])
    #expect(d.components == ["vae"])
    #expect(d.lines == ["vae: changed config.json; missing w.safetensors; not in the lock w.fp16.safetensors"])
    // A run checks only the files it reads.
    #expect(lock.compare(now, onlyThese: ["unet/config.json", "model_index.json"]).isEmpty)
  }

  @Test func lockRoundTripAndLocation() throws {
    let files = try TestFiles()
    let model = files.dir.path
    #expect(ModelLock.existingPath(forModel: model) == nil)
    #expect(ModelLock.newPath(forModel: model) == model + "/i2v.lock.json")
    let lock = ModelLock(modelPath: model, files: ["model_index.json": FileRecord(sha256: "ab", bytes: 2)], tool: "t")
    try lock.write(to: ModelLock.newPath(forModel: model)!)
    #expect(ModelLock.existingPath(forModel: model) == model + "/i2v.lock.json")
    #expect(try ModelLock.load(model + "/i2v.lock.json") == lock)
    try write("[]", model + "/i2v.lock.json")
    #expect(throws: CheckpointError.self) { try ModelLock.load(model + "/i2v.lock.json") }
  }
}
