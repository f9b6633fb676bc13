/// Number formatting without `String(format:)` (which drags ICU into static binaries).
public enum Format {
  /// `value` with exactly `digits` decimals.
  public static func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let negative = value < 0
    let n = (Swift.abs(value) * scale).rounded()
    let whole = Int(n / scale)
    var text = String(whole)
    if digits > 0 {
      let frac = Int(n - Double(whole) * scale)
      let f = String(frac)
      text += "." + String(repeating: "0", count: max(0, digits - f.count)) + f
    }
    return negative && n != 0 ? "-" + text : text
  }

  /// Bytes as B / KB / MB / GB (decimal units, as the hub lists file sizes).
  public static func bytes(_ n: Int) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var v = Double(n)
    var u = 0
    while v >= 1000 && u < units.count - 1 {
      v /= 1000
      u += 1
    }
    return u == 0 ? "\(n) B" : "\(fixed(v, v < 10 ? 2 : 1)) \(units[u])"
  }

  /// 1234567 -> "1,234,567".
  public static func grouped(_ n: Int) -> String {
    let s = String(Swift.abs(n))
    var out = ""
    for (i, c) in s.enumerated() {
      if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return n < 0 ? "-" + out : out
  }

  /// `m:ss`, or `h:mm:ss` from an hour on.
  public static func clock(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
    return s >= 3600 ? "\(s / 3600):\(two(s / 60 % 60)):\(two(s % 60))" : "\(s / 60):\(two(s % 60))"
  }
}
