import Foundation
import I2VApp

/// Progress on stderr: a bar with rate and ETA on a terminal, plain lines when asked for outside one, nothing
/// otherwise (so batch logs and pipes stay clean).
final class ProgressReporter: ProgressSink {
  enum Mode { case bar, lines, quiet }
  let mode: Mode
  /// --quiet: nothing but errors.
  let silent: Bool
  private var label = ""
  private var stepRate = StepRate()
  private var lastDraw = Date.distantPast

  init(forced: Bool?, quiet: Bool) {
    silent = quiet
    if quiet { mode = .quiet } else if isatty(2) != 0 { mode = forced == false ? .quiet : .bar } else {
      mode = forced == true ? .lines : .quiet
    }
  }

  /// A one-off status line.
  func note(_ text: String) {
    guard mode != .quiet else { return }
    write(mode == .bar ? "\r\u{1B}[K\(text)\n" : "\(text)\n")
  }

  /// A warning or a choice made for the user (`--guidance auto`): shown in logs too, hidden only by --quiet.
  func notice(_ text: String) {
    guard !silent else { return }
    write(mode == .bar ? "\r\u{1B}[K\(text)\n" : "\(text)\n")
  }

  func begin(_ label: String) {
    self.label = label
    stepRate = StepRate()
    lastDraw = .distantPast
  }

  func update(_ done: Int, of total: Int) {
    guard mode != .quiet, total > 0 else { return }
    let now = Date()
    let finished = done >= total
    if mode == .bar && !finished && now.timeIntervalSince(lastDraw) < 0.1 { return }
    if mode == .lines && !finished && done != 0 && now.timeIntervalSince(lastDraw) < 2 { return }
    lastDraw = now
    let reading = stepRate.reading(done, of: total, now: now)
    let (elapsed, rate, eta) = (reading.elapsed, reading.perSecond, reading.remaining)
    let rateText = rate >= 1 ? "\(Format.fixed(rate, 2)) it/s" : (rate > 0 ? "\(Format.fixed(1 / rate, 1)) s/it" : "-- it/s")
    let timeText = finished ? "in \(Self.clock(elapsed))" : "ETA \(Self.clock(eta))"
    let counts = "\(done)/\(total)"
    switch mode {
    case .bar:
      let width = 30
      let filled = total > 0 ? width * done / total : 0
      let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
      write("\r\u{1B}[K\(label) \(bar) \(counts) \(rateText) \(timeText)" + (finished ? "\n" : ""))
    case .lines:
      write("\(label) \(counts) \(rateText) \(timeText)\n")
    case .quiet:
      break
    }
  }

  static func clock(_ seconds: Double) -> String { Format.clock(seconds) }

  private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
