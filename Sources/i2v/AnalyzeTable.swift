import I2VApp

/// `i2v analyze` for people: the clip, a table of the frame pairs, the clip's measures and the verdict.
enum AnalyzeTable {
  static func text(_ a: MotionAnalysis, clip: MotionClip) -> String {
    let c = a.clip
    let rate = Format.fixed(c.fps, c.fps == c.fps.rounded() ? 0 : 3)
    let rateSource = c.fpsSource == "file" ? "" : c.fpsSource == "option" ? " (--fps)" : " (assumed; --fps sets it)"
    var lines = [
      "\(clip.path): \(c.frames) frames, \(c.width)x\(c.height), \(rate) fps\(rateSource)\(clip.isFolder ? "" : ", \(clip.codec)")",
      "flow: \(a.method)",
      "",
    ]
    let header = ["pair", "motion px", "% diag", "jitter px", "warp err", "bright", "diff", "tracked", "sharp", ""]
    var rows = [header]
    for p in a.pairs {
      var flags: [String] = []
      if p.cut { flags.append("scene cut") }
      if p.frozen { flags.append("frozen") }
      rows.append([
        "\(p.pair)→\(p.pair + 1)", Format.fixed(p.motionPixels, 2), Format.fixed(p.motionPercent, 3),
        p.jitterPixels.map { Format.fixed($0, 2) } ?? "-", Format.fixed(p.warpError, 2), signed(p.brightnessShift),
        Format.fixed(p.frameDifference, 2), "\(Int((p.tracked * 100).rounded()))%",
        Format.fixed(a.sharpness[p.pair + 1], 0), flags.joined(separator: ", "),
      ])
    }
    lines += table(rows)
    lines.append("(frame 0 sharpness \(Format.fixed(a.sharpness[0], 0)); px per frame pair; warp err, bright and diff in "
      + "luma levels of 255)")
    lines.append("")
    lines.append("motion     \(Format.fixed(c.motionPixels, 2)) px per frame = \(Format.fixed(c.motionPercent, 3))% of the "
      + "diagonal = \(Format.fixed(c.motionPercentPerSecond, 2))% per second")
    lines.append("jitter     \(Format.fixed(c.jitterPixels, 2)) px per frame = \(Format.fixed(c.jitterPercent, 3))% of the "
      + "diagonal, \(Int((c.jitterRatio * 100).rounded()))% of the motion")
    lines.append("flicker    warp error \(Format.fixed(c.warpError, 2)) levels (largest \(Format.fixed(c.warpErrorMax, 2)))")
    lines.append("frozen     \(c.frozenPairs) of \(a.pairs.count) pairs")
    lines.append("cuts       " + (c.cuts.isEmpty ? "none" : c.cuts.map { "\($0)→\($0 + 1)" }.joined(separator: ", ")))
    lines.append("sharpness  \(Format.fixed(c.sharpnessFirst, 0)) first frame, \(Format.fixed(c.sharpnessMedian, 0)) median, "
      + "\(Format.fixed(c.sharpnessEnd, 0)) last quarter (\(Int((c.sharpnessDrop * 100).rounded()))% lost)")
    lines.append("")
    if a.verdict.isGood {
      lines.append("verdict: \(a.verdict.summary)")
    } else {
      lines.append("verdict: \(a.verdict.rating)")
      for f in a.verdict.findings {
        lines.append("  - \(f.problem.rawValue.replacingOccurrences(of: "_", with: " ")): \(f.evidence)")
      }
      for category in a.verdict.categories { lines.append("  → \(category.rawValue): \(category.advice)") }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func signed(_ v: Double) -> String { (v > 0 ? "+" : "") + Format.fixed(v, 2) }

  /// Columns padded to their widest cell: the first left-aligned, numbers right-aligned, the last as is.
  static func table(_ rows: [[String]]) -> [String] {
    let columns = rows[0].count
    let widths = (0..<columns).map { i in rows.map { $0[i].count }.max() ?? 0 }
    return rows.map { row in
      var cells: [String] = []
      for (i, cell) in row.enumerated() {
        let pad = String(repeating: " ", count: widths[i] - cell.count)
        cells.append(i == 0 ? cell + pad : i == columns - 1 ? cell : pad + cell)
      }
      return cells.joined(separator: "  ").trimmingTrailingSpaces()
    }
  }
}

extension String {
  fileprivate func trimmingTrailingSpaces() -> String {
    var s = self
    while s.hasSuffix(" ") { s.removeLast() }
    return s
  }
}
