import Foundation

/// The secret a non-loopback server asks for on every request (`Authorization: Bearer`, the `i2v_token` cookie
/// the page gets, or `?token=` in the URL printed at start-up).
public enum AccessToken {
  public static let minimumLength = 16

  /// 32 random bytes from the system's generator, as 64 hex digits.
  public static func generate() -> String {
    var g = SystemRandomNumberGenerator()
    return (0..<32).map { _ in
      let b = UInt8.random(in: 0...255, using: &g)
      return (b < 16 ? "0" : "") + String(b, radix: 16)
    }.joined()
  }

  /// Compares in time that depends only on the lengths, never on where the bytes first differ, so the answer's
  /// timing does not reveal how much of a guess was right.
  public static func matches(_ given: String, _ expected: String) -> Bool {
    let a = Array(given.utf8), b = Array(expected.utf8)
    var difference = UInt8(truncatingIfNeeded: a.count ^ b.count) | UInt8(a.count == b.count ? 0 : 1)
    for i in 0..<b.count {
      difference |= (i < a.count ? a[i] : 0) ^ b[i]
    }
    return difference == 0
  }
}
