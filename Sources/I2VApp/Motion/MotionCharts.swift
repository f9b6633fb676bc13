import Foundation

/// Per-frame charts of the measures as inline SVG (no script, no external file): one line per measure, its limit
/// dashed, scene cuts marked in red and frozen pairs shaded.
enum MotionCharts {
  struct Series {
    var title: String
    var unit: String
    /// One value per point; nil leaves a gap (jitter of the first pair, next to a cut).
    var values: [Double?]
    /// The first point's label (0 for frames, and for pairs: pair i is labelled i→i+1).
    var pairs: Bool
    var limit: Double?
    var limitLabel: String?
    var colour: String
  }

  static let width = 640.0, height = 170.0
  static let left = 52.0, right = 14.0, top = 14.0, bottom = 26.0

  static func svg(_ s: Series, cuts: [Int] = [], frozen: [Int] = []) -> String {
    let n = s.values.count
    let present = s.values.compactMap { $0 }.filter(\.isFinite)
    let highest = max(present.max() ?? 0, s.limit ?? 0, 1e-9) * 1.08
    let step = niceCeiling(highest / 4)
    let ticks = max(1, Int((highest / step).rounded(.up)))
    let top = step * Double(ticks)
    let plotW = width - left - right, plotH = height - Self.top - bottom
    let x = { (i: Double) in left + (n > 1 ? i / Double(n - 1) : 0.5) * plotW }
    let y = { (v: Double) in Self.top + plotH * (1 - min(v, top) / top) }
    let f = { (v: Double) in Format.fixed(v, 1) }
    var out = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" "
      + "aria-label=\"\(escape(s.title)) per \(s.pairs ? "frame pair" : "frame")\">"
    // Frozen pairs and cuts under the line.
    let half = n > 1 ? plotW / Double(n - 1) / 2 : plotW / 2
    for i in frozen where i < n {
      out += "<rect x=\"\(f(x(Double(i)) - half))\" y=\"\(f(Self.top))\" width=\"\(f(2 * half))\" height=\"\(f(plotH))\" "
        + "fill=\"#e8e8ef\"><title>frozen</title></rect>"
    }
    // Grid and y labels at whole steps.
    for k in 0...ticks {
      let v = step * Double(k)
      out += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" "
        + "stroke=\"\(k == 0 ? "#999" : "#e3e3e3")\" stroke-width=\"1\"/>"
      out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\" class=\"tick\">\(label(v, step: step))</text>"
    }
    // x labels: at most about 10.
    let every = max(1, Int((Double(n) / 10).rounded(.up)))
    for i in stride(from: 0, to: n, by: every) {
      let anchor = i == 0 ? "start" : i + every >= n ? "end" : "middle"  // the ends stay inside the picture
      out += "<text x=\"\(f(x(Double(i))))\" y=\"\(f(height - 8))\" text-anchor=\"\(anchor)\" class=\"tick\">"
        + (s.pairs ? "\(i)→\(i + 1)" : "\(i)") + "</text>"
    }
    for i in cuts where i < n {
      out += "<line x1=\"\(f(x(Double(i))))\" x2=\"\(f(x(Double(i))))\" y1=\"\(f(Self.top))\" y2=\"\(f(Self.top + plotH))\" "
        + "stroke=\"#d33\" stroke-width=\"1.5\" stroke-dasharray=\"3 3\"><title>scene cut</title></line>"
    }
    if let limit = s.limit {
      out += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(limit)))\" y2=\"\(f(y(limit)))\" "
        + "stroke=\"#c60\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"/>"
      out += "<text x=\"\(f(width - right - 4))\" y=\"\(f(y(limit) - 5))\" text-anchor=\"end\" class=\"limit\">"
        + escape(s.limitLabel ?? "limit") + "</text>"
    }
    // The line, broken where a value is missing.
    var segment: [String] = []
    var paths: [String] = []
    for (i, v) in s.values.enumerated() {
      if let v, v.isFinite {
        segment.append("\(f(x(Double(i)))),\(f(y(v)))")
      } else if !segment.isEmpty {
        paths.append(segment.joined(separator: " "))
        segment = []
      }
    }
    if !segment.isEmpty { paths.append(segment.joined(separator: " ")) }
    for p in paths {
      out += "<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"2\" stroke-linejoin=\"round\"/>"
    }
    if n <= 64 {
      for (i, v) in s.values.enumerated() {
        guard let v, v.isFinite else { continue }
        out += "<circle cx=\"\(f(x(Double(i))))\" cy=\"\(f(y(v)))\" r=\"2.6\" fill=\"\(s.colour)\">"
          + "<title>\(s.pairs ? "\(i)→\(i + 1)" : "frame \(i)"): \(Format.fixed(v, 3)) \(escape(s.unit))</title></circle>"
      }
    }
    return out + "</svg>"
  }

  /// The smallest 1, 2, 2.5 or 5 times a power of ten at or above `v`.
  static func niceCeiling(_ v: Double) -> Double {
    let p = pow(10, (log10(v)).rounded(.down))
    for m in [1.0, 2, 2.5, 5, 10] where m * p >= v * (1 - 1e-12) { return m * p }
    return 10 * p
  }

  /// A tick value with as many decimals as the step needs (0.25 steps: two).
  static func label(_ v: Double, step: Double) -> String {
    var digits = 0
    while digits < 6 && abs(step * pow(10, Double(digits)) - (step * pow(10, Double(digits))).rounded()) > 1e-9 {
      digits += 1
    }
    return Format.fixed(v, digits)
  }

  /// Text for HTML and SVG.
  static func escape(_ s: String) -> String {
    var out = ""
    for c in s {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(c)
      }
    }
    return out
  }
}
