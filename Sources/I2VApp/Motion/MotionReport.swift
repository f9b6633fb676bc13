import Foundation
import I2VCheckpoint
import I2VMedia

/// `i2v analyze --report FILE.html`: one self-contained page (no script, nothing fetched) with the clip and its
/// flow as videos side by side, the verdict and its advice, the clip's measures, a chart per measure and the
/// per-pair table. The videos are embedded as data URLs, so the page can be moved or mailed on its own.
public enum MotionReport {
  /// Everything `write` checks before the (slow) analysis: an .html name, a folder that takes files, and an
  /// existing report only replaced with `overwrite`.
  public static func check(path: String, overwrite: Bool) throws {
    let ext = (path as NSString).pathExtension.lowercased()
    guard ext == "html" || ext == "htm" else {
      throw MotionAnalysisError("--report \(path): the report is an HTML page; give a name ending in .html")
    }
    try OutputCheck.file(path, overwrite: overwrite)
  }

  /// Renders the flow pictures, encodes the videos and writes the page atomically (a temporary file renamed
  /// into place; removed on Ctrl-C).
  public static func write(_ analysis: MotionAnalysis, clip: MotionClip, flows: MotionAnalyzer.FlowFields,
                           to path: String, overwrite: Bool) throws
  {
    try check(path: path, overwrite: overwrite)
    let scale = FlowPictures.scale(flows, diagonal: analysis.clip.diagonal)
    let flowVideo = try ReportMedia.encode(try FlowPictures.frames(flows, scale: scale), fps: clip.fps)
    let page = html(analysis, clip: clip, clipMedia: try ReportMedia.clip(clip), flowVideo: flowVideo,
                    flowSize: (flows.width, flows.height), legend: try FlowPictures.legendSVG(scale: scale), scale: scale)
    try AtomicFile.write(Data(page.utf8), to: path) { temp in
      let token = InterruptCleanup.register(temp)
      return { InterruptCleanup.unregister(token) }
    }
  }

  static func html(_ a: MotionAnalysis, clip: MotionClip, clipMedia: ReportMedia.Embedded, flowVideo: Data,
                   flowSize: (Int, Int), legend: String, scale: Double) -> String
  {
    let c = a.clip, t = a.thresholds
    let e = MotionCharts.escape
    let name = (clip.path as NSString).lastPathComponent
    let rate = Format.fixed(c.fps, c.fps == c.fps.rounded() ? 0 : 3)
    var body = "<header><h1>Motion analysis: \(e(name))</h1><p class=\"meta\">\(e(clip.path)) · \(c.frames) frames · "
      + "\(c.width)×\(c.height) · \(rate) fps\(c.fpsSource == "file" ? "" : " (\(e(c.fpsSource)))") · \(e(a.method))</p>"
      + "</header>"
    body += verdictCard(a.verdict)
    let clipTag = clipMedia.mime.hasPrefix("image/")
      ? "<img src=\"\(dataURL(clipMedia))\" alt=\"the clip\">"
      : "<video src=\"\(dataURL(clipMedia))\" autoplay loop muted playsinline></video>"
    body += "<section class=\"videos\"><figure>\(clipTag)<figcaption>The clip (\(e(clipMedia.note)))</figcaption></figure>"
      + "<figure><video src=\"data:video/mp4;base64,\(flowVideo.base64EncodedString())\" autoplay loop muted "
      + "playsinline></video><figcaption>Optical flow of each frame pair (\(flowSize.0)×\(flowSize.1)): "
      + "direction as colour, length as strength; white is still</figcaption></figure>"
      + "<figure class=\"legend\">\(legend)<figcaption>full colour at \(Format.fixed(scale, 2)) px per frame</figcaption>"
      + "</figure></section>"
    body += measuresTable(a)
    body += charts(a)
    body += pairTable(a)
    body += "<footer>Measured by i2v \(e(I2VVersion.string)). Limits: weak motion below "
      + "\(Format.fixed(t.weakMotionPerSecond, 2))% of the diagonal per second; jittery from \(Format.fixed(t.jitterPercent, 2))% "
      + "and \(Int(t.jitterRatio * 100))% of the motion; flicker from a warp error of \(Format.fixed(t.warpError, 1)) levels; "
      + "blurry below a sharpness of \(Format.fixed(t.sharpness, 0)) or a loss of \(Int(t.sharpnessDrop * 100))%. "
      + "Definitions: README, “Analysing motion”.</footer>"
    return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      + "<title>Motion analysis: \(e(name))</title><style>\(style)</style></head><body><main>\(body)</main></body></html>\n"
  }

  static func dataURL(_ m: ReportMedia.Embedded) -> String { "data:\(m.mime);base64,\(m.data.base64EncodedString())" }

  static func verdictCard(_ v: MotionVerdict) -> String {
    let e = MotionCharts.escape
    guard !v.isGood else {
      return "<section class=\"verdict good\"><h2>Good</h2><p>\(e(MotionVerdict.goodText))</p></section>"
    }
    var out = "<section class=\"verdict bad\"><h2>\(e(v.rating.prefix(1).uppercased() + v.rating.dropFirst()))</h2><ul>"
    for f in v.findings {
      out += "<li><b>\(e(f.problem.rawValue.replacingOccurrences(of: "_", with: " ")))</b>: \(e(f.evidence))</li>"
    }
    out += "</ul><p class=\"advice\">"
    out += v.categories.map { "<b>\(e($0.rawValue))</b> → \(e($0.advice))" }.joined(separator: "<br>")
    return out + "</p></section>"
  }

  static func measuresTable(_ a: MotionAnalysis) -> String {
    let c = a.clip
    let rows: [(String, String, String)] = [
      ("Motion", "\(Format.fixed(c.motionPixels, 2)) px per frame · \(Format.fixed(c.motionPercent, 3))% of the diagonal · "
        + "\(Format.fixed(c.motionPercentPerSecond, 2))% per second", "mean flow length over the tracked pixels"),
      ("Jitter", "\(Format.fixed(c.jitterPixels, 2)) px · \(Format.fixed(c.jitterPercent, 3))% of the diagonal · "
        + "\(Int((c.jitterRatio * 100).rounded()))% of the motion", "change of the flow from one pair to the next, along each path"),
      ("Flicker", "warp error \(Format.fixed(c.warpError, 2)) levels (largest \(Format.fixed(c.warpErrorMax, 2)))",
       "brightness change the motion does not explain"),
      ("Frozen", "\(c.frozenPairs) of \(a.pairs.count) pairs", "frames that do not visibly differ"),
      ("Scene cuts", c.cuts.isEmpty ? "none" : c.cuts.map { "\($0)→\($0 + 1)" }.joined(separator: ", "),
       "pairs the motion cannot connect"),
      ("Sharpness", "\(Format.fixed(c.sharpnessFirst, 0)) first · \(Format.fixed(c.sharpnessMedian, 0)) median · "
        + "\(Format.fixed(c.sharpnessEnd, 0)) last quarter (\(Int((c.sharpnessDrop * 100).rounded()))% lost)",
       "variance of the Laplacian of the luma"),
    ]
    let e = MotionCharts.escape
    return "<section><h2>The clip</h2><table class=\"measures\">"
      + rows.map { "<tr><th>\(e($0.0))</th><td>\(e($0.1))</td><td class=\"what\">\(e($0.2))</td></tr>" }.joined()
      + "</table></section>"
  }

  static func charts(_ a: MotionAnalysis) -> String {
    let t = a.thresholds, c = a.clip
    let frozen = a.pairs.filter(\.frozen).map(\.pair)
    let series: [MotionCharts.Series] = [
      .init(title: "Motion", unit: "% of the diagonal", values: a.pairs.map(\.motionPercent), pairs: true,
            limit: t.weakMotionPerSecond / max(c.fps, 1e-9),
            limitLabel: "weak below \(Format.fixed(t.weakMotionPerSecond, 2))%/s", colour: "#2a6fdb"),
      .init(title: "Jitter", unit: "% of the diagonal", values: a.pairs.map(\.jitterPercent), pairs: true,
            limit: t.jitterPercent,
            limitLabel: "jittery from \(Format.fixed(t.jitterPercent, 2))% (and \(Int(t.jitterRatio * 100))% of the motion)",
            colour: "#8a3ffc"),
      .init(title: "Flicker (warp error)", unit: "levels", values: a.pairs.map(\.warpError), pairs: true,
            limit: t.warpError, limitLabel: "flicker from \(Format.fixed(t.warpError, 1))", colour: "#d9480f"),
      .init(title: "Sharpness", unit: "", values: a.sharpness, pairs: false, limit: t.sharpness,
            limitLabel: "blurry below \(Format.fixed(t.sharpness, 0))", colour: "#2b8a3e"),
    ]
    var out = "<section><h2>Frame by frame</h2><div class=\"charts\">"
    for s in series {
      let unit = s.unit.isEmpty ? "" : " (\(MotionCharts.escape(s.unit)))"
      out += "<figure><figcaption>\(MotionCharts.escape(s.title))\(unit)</figcaption>"
        + MotionCharts.svg(s, cuts: s.pairs ? c.cuts : [], frozen: s.pairs ? frozen : []) + "</figure>"
    }
    return out + "</div><p class=\"note\">Pairs: i→i+1. Red dashed lines: scene cuts; grey bands: frozen pairs; "
      + "orange dashed lines: the limits.</p></section>"
  }

  static func pairTable(_ a: MotionAnalysis) -> String {
    let head = ["pair", "motion px", "% diag", "jitter px", "warp err", "bright", "diff", "tracked", "sharpness", ""]
    var out = "<section><details><summary>Values of the \(a.pairs.count) frame pairs</summary><table class=\"pairs\"><tr>"
      + head.map { "<th>\($0)</th>" }.joined() + "</tr>"
    for p in a.pairs {
      let flags = [p.cut ? "scene cut" : nil, p.frozen ? "frozen" : nil].compactMap { $0 }.joined(separator: ", ")
      let cells = ["\(p.pair)→\(p.pair + 1)", Format.fixed(p.motionPixels, 2), Format.fixed(p.motionPercent, 3),
                   p.jitterPixels.map { Format.fixed($0, 2) } ?? "–", Format.fixed(p.warpError, 2),
                   Format.fixed(p.brightnessShift, 2), Format.fixed(p.frameDifference, 2),
                   "\(Int((p.tracked * 100).rounded()))%", Format.fixed(a.sharpness[p.pair + 1], 0), flags]
      out += "<tr>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>"
    }
    return out + "</table></details></section>"
  }

  static let style = """
    :root{color-scheme:light;--ink:#1d2330;--muted:#5b6475;--line:#e2e5ea;--card:#f6f7f9}
    *{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
    color:var(--ink);background:#fff}main{max-width:1120px;margin:0 auto;padding:28px 24px 40px}
    h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px}.meta{color:var(--muted);margin:0;
    font-size:13px;word-break:break-all}.verdict{margin:20px 0;padding:14px 18px;border-radius:10px;border:1px solid}
    .verdict h2{margin:0 0 6px}.verdict.good{background:#ebf7ee;border-color:#a6d8b3}.verdict.bad{background:#fff5e6;
    border-color:#f0c987}.verdict ul{margin:4px 0 8px;padding-left:20px}.advice{margin:0}.videos{display:grid;
    grid-template-columns:1fr 1fr 150px;gap:16px;align-items:start}figure{margin:0}video,.videos img{width:100%;
    display:block;border-radius:6px;background:#000}.videos img{image-rendering:auto}figcaption{font-size:13px;
    color:var(--muted);margin-top:6px}.legend{text-align:center}.wheel{display:block;margin:0 auto}
    table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);
    vertical-align:top}.measures th{width:120px}.measures .what{color:var(--muted);font-size:13px}
    .charts{display:grid;grid-template-columns:1fr 1fr;gap:18px}.charts figure{background:var(--card);
    border-radius:8px;padding:10px 12px}.charts figcaption{margin:0 0 4px;color:var(--ink);font-weight:600}
    .chart{width:100%;height:auto;display:block}.chart .tick{font-size:11px;fill:#6b7280}.chart .limit{font-size:11px;
    fill:#b35400}.note{font-size:13px;color:var(--muted)}details summary{cursor:pointer;font-weight:600}
    .pairs td,.pairs th{font-size:13px;padding:4px 8px;text-align:right;font-variant-numeric:tabular-nums}
    .pairs td:first-child,.pairs th:first-child,.pairs td:last-child{text-align:left}
    footer{margin-top:32px;font-size:12px;color:var(--muted)}
    @media (max-width:800px){.videos,.charts{grid-template-columns:1fr}}
    """
}
