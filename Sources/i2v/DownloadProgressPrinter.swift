import Foundation
import I2VApp

/// Download progress on stderr: bytes, rate and ETA on one redrawn line on a terminal; elsewhere (logs, CI) a
/// line per file and one every 5 seconds.
final class DownloadProgressPrinter: DownloadProgress {
  let quiet: Bool
  let terminal = isatty(2) != 0
  private var total: Int64 = 0
  private var done: Int64 = 0
  /// Bytes on disk when the transfer started (finished files, kept partial files): not part of the rate.
  private var present: Int64 = 0
  private var started = Date()
  private var lastDraw = Date.distantPast
  private var current = ""

  init(quiet: Bool) { self.quiet = quiet }

  func notice(_ text: String) { write((terminal ? "\r\u{1B}[K" : "") + text + "\n") }

  func start(total: Int64, present: Int64, files: Int) {
    self.total = total
    self.present = present
    done = present
    started = Date()
    guard !quiet else { return }
    let have = present > 0 ? ", \(Format.bytes(Int(present))) already here" : ""
    note("\(files) files, \(Format.bytes(Int(total)))\(have)")
  }

  func file(_ path: String, size: Int64, resumedAt: Int64) {
    current = path
    guard !quiet, !terminal else { return }
    let resume = resumedAt > 0 ? ", resuming at \(Format.bytes(Int(resumedAt)))" : ""
    note("fetching \(path) (\(Format.bytes(Int(size)))\(resume))")
  }

  func advance(_ bytes: Int64) {
    done += bytes
    let now = Date()
    guard !quiet, total > 0, now.timeIntervalSince(lastDraw) >= (terminal ? 0.1 : 5) else { return }
    lastDraw = now
    draw(now)
  }

  func finish() {
    guard !quiet, total > 0 else { return }
    let elapsed = Date().timeIntervalSince(started)
    let moved = done - present
    let rate = elapsed > 0 ? Double(moved) / elapsed : 0
    note("fetched \(Format.bytes(Int(moved))) in \(Format.clock(elapsed))"
      + (moved > 0 ? " (\(Format.bytes(Int(rate)))/s)" : ""))
  }

  private func draw(_ now: Date) {
    let elapsed = now.timeIntervalSince(started)
    let rate = elapsed > 0 ? Double(done - present) / elapsed : 0
    let eta = rate > 0 ? Format.clock(Double(total - done) / rate) : "--:--"
    let line = "\(Format.bytes(Int(done))) / \(Format.bytes(Int(total)))  \(Format.bytes(Int(rate)))/s  ETA \(eta)"
      + "  \(current)"
    write(terminal ? "\r\u{1B}[K" + line : line + "\n")
  }

  private func note(_ text: String) { write((terminal ? "\r\u{1B}[K" : "") + text + "\n") }

  private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
