/// ftfy's mojibake detectors (`ftfy/badness.py`, `ftfy/chardata.py`), over Unicode scalars.
enum FTFYBadness {
  /// `is_bad`: whether `BADNESS_RE` matches anywhere. Only existence matters, so each alternative (a fixed-length
  /// sequence of classes, see FTFYData.badness) is tried at every position.
  static func isBad<C: RandomAccessCollection>(_ text: C) -> Bool where C.Element == Unicode.Scalar, C.Index == Int {
    let n = text.count
    let base = text.startIndex
    for alternative in FTFYData.badness {
      var start = 0
      while start < n {
        if matches(alternative, text, base: base, count: n, at: start) { return true }
        start += 1
      }
    }
    return false
  }

  private static func matches<C: RandomAccessCollection>(
    _ items: [BadnessItem], _ text: C, base: Int, count n: Int, at start: Int
  ) -> Bool where C.Element == Unicode.Scalar, C.Index == Int {
    var i = start
    for item in items {
      switch item {
      case .start:
        if i != 0 { return false }
      case .any:
        guard i < n, text[base + i] != "\n" else { return false }
        i += 1
      case .oneOf(let set):
        guard i < n, set.contains(text[base + i]) else { return false }
        i += 1
      }
    }
    return true
  }

  /// The end of a `UTF8_DETECTOR_RE` match starting at `i`, or nil:
  /// `(?<![continuation_strict])([first_of_2][cont]|[first_of_3][cont]{2}|[first_of_4][cont]{3})+`.
  /// Nothing follows the `+`, so the regex takes the first alternative that fits, as often as it can.
  static func utf8DetectorMatch(_ text: [TaggedScalar], at i: Int) -> Int? {
    if i > 0 && FTFYData.utf8ContinuationStrict.contains(text[i - 1].scalar) { return nil }
    let n = text.count
    func continues(_ from: Int, _ count: Int) -> Bool {
      guard from + count <= n else { return false }
      return text[from..<(from + count)].allSatisfy { FTFYData.utf8Continuation.contains($0.scalar) }
    }
    var j = i
    while j < n {
      let s = text[j].scalar
      if FTFYData.utf8FirstOf2.contains(s) && continues(j + 1, 1) {
        j += 2
      } else if FTFYData.utf8FirstOf3.contains(s) && continues(j + 1, 2) {
        j += 3
      } else if FTFYData.utf8FirstOf4.contains(s) && continues(j + 1, 3) {
        j += 4
      } else {
        break
      }
    }
    return j > i ? j : nil
  }
}
