import Foundation

/// The git blob id of a file: SHA-1 of `blob SIZE\0` followed by the content. The hub lists it (`oid`) for every
/// file, and it is the only hash it gives for files kept in git rather than LFS (configs, tokenizer files).
/// A small portable SHA-1: those files are at most a few MB.
enum GitBlobHash {
  static func of(file path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HubError(.local, "cannot read \(path)")
    }
    return of(data)
  }

  static func of(_ data: Data) -> String {
    var sha = SHA1()
    sha.update(Array("blob \(data.count)\0".utf8))
    sha.update(Array(data))
    return sha.finalizeHex()
  }
}

/// SHA-1 (FIPS 180-4), for git blob ids only (not for security).
struct SHA1 {
  private var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
  private var pending: [UInt8] = []
  private var length: UInt64 = 0

  mutating func update(_ bytes: [UInt8]) {
    length &+= UInt64(bytes.count)
    pending += bytes
    let whole = pending.count / 64 * 64
    var offset = 0
    while offset < whole {
      compress(pending[offset..<(offset + 64)])
      offset += 64
    }
    pending.removeFirst(whole)
  }

  mutating func finalizeHex() -> String {
    let bits = length &* 8
    var tail: [UInt8] = [0x80]
    while (pending.count + tail.count) % 64 != 56 { tail.append(0) }
    for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }
    let saved = length
    update(tail)
    length = saved
    return h.map { word in (0..<4).map { i in
      let b = UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32(i)))
      return (b < 16 ? "0" : "") + String(b, radix: 16)
    }.joined() }.joined()
  }

  private mutating func compress(_ block: ArraySlice<UInt8>) {
    var w = [UInt32](repeating: 0, count: 80)
    let base = block.startIndex
    for i in 0..<16 {
      w[i] = (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(block[base + 4 * i + $1]) }
    }
    for i in 16..<80 {
      let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
      w[i] = x << 1 | x >> 31
    }
    var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
    for i in 0..<80 {
      let (f, k): (UInt32, UInt32)
      switch i {
      case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
      case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
      case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
      default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
      }
      let t = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
      (e, d, c, b, a) = (d, c, b << 30 | b >> 2, a, t)
    }
    h[0] &+= a
    h[1] &+= b
    h[2] &+= c
    h[3] &+= d
    h[4] &+= e
  }
}
