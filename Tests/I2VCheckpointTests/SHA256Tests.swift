import Foundation
import Testing

@testable import I2VCheckpoint

/// The portable SHA-256 against FIPS 180-4 / NIST vectors, streaming in odd pieces, and the libcrypto fast
/// path agreeing with it.
@Suite struct SHA256Tests {
  @Test func nistVectors() {
    #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
      == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    let long = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
    #expect(SHA256.hex(Array(long.utf8)) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
      == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  /// Every padding boundary (55, 56, 63, 64, 65 bytes ...) and every way of splitting the input.
  @Test func streamingEqualsOneShot() {
    let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
    for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 300] {
      let whole = SHA256.hex(data[0..<length])
      for piece in [1, 3, 17, 64, 100] {
        var h = SHA256()
        var i = 0
        while i < length {
          h.update(Array(data[i..<min(length, i + piece)]))
          i += piece
        }
        #expect(h.finalizeHex() == whole, "length \(length) in pieces of \(piece)")
      }
    }
  }

  @Test func libcryptoAgreesWhenPresent() throws {
    guard let fast = LibCryptoSHA256() else { return }  // not installed: the Swift path is the one in use
    let data = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
    data.withUnsafeBytes { fast.update($0) }
    #expect(fast.finalizeHex() == SHA256.hex(data))
  }

  /// Whole files (more than one 4 MiB read) against coreutils' sha256sum.
  @Test func hashFileMatchesSha256sum() throws {
    let files = try TestFiles()
    let data = (0..<(4 << 20) + 12345).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let path = files.path("blob.bin")
    try Data(data).write(to: URL(fileURLWithPath: path))
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    p.arguments = [path]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let expected = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
    p.waitUntilExit()
    var progress: [Int64] = []
    #expect(try FileHashCache.hashFile(path) { progress.append($0) } == String(expected))
    #expect(progress == [4 << 20, Int64(data.count)])
  }

  /// Hashing stops between pieces when asked to (a session that ends must not leave a reader behind).
  @Test func hashingStopsWhenCancelled() throws {
    let files = try TestFiles()
    let path = files.path("big.bin")
    try Data(count: 9 << 20).write(to: URL(fileURLWithPath: path))
    var pieces = 0
    #expect(throws: CheckpointError.self) {
      _ = try FileHashCache.hashFile(path, progress: { _ in pieces += 1 }, isCancelled: { pieces >= 1 })
    }
    #expect(pieces == 1)
    #expect(try FileHashCache.hashFile(path, isCancelled: { false }).count == 64)
  }

  /// A file rewritten with its size and modification time put back (`touch -r`) is hashed again: the cache also
  /// keys on the status-change time, which cannot be set back.
  @Test func cacheIsNotFooledByARestoredMtime() throws {
    let files = try TestFiles()
    let path = files.path("weights.bin")
    try Data(repeating: 1, count: 1000).write(to: URL(fileURLWithPath: path))
    let cache = FileHashCache(path: files.path("hashes.json"))
    let first = try cache.sha256(of: path)
    let mtime = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
    usleep(20_000)
    try Data(repeating: 2, count: 1000).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: path)
    let second = try cache.sha256(of: path)
    #expect(first != second)
    #expect(second == (try FileHashCache.hashFile(path)))
    #expect(try cache.sha256(of: path) == second)  // and unchanged files still come from the cache
  }
}
