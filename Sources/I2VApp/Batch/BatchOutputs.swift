import Foundation
import I2VSupport

/// What a batch output looks like on disk, and when it counts as done.
///
/// Outputs and their provenance sidecars are written to a hidden temporary name and renamed into place, so a
/// final name only ever holds a complete file: an item is done when its output and its sidecar exist. The
/// sidecar is written last (it holds the output's hash), so a crash between the two redoes the item.
public enum BatchOutputs {
  /// `out/cat/` → `out/cat` (PNG-frame folders are given with a trailing slash).
  public static func trimmed(_ path: String) -> String {
    var p = path
    while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
    return p
  }

  /// `cat.mp4` → `cat.mp4.json`; a PNG-frame folder `cat/` → `cat.json` beside it.
  public static func sidecarPath(for output: String) -> String { Provenance.sidecarPath(for: output) }

  public static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: trimmed(path)) }

  /// Whether a previous run finished this output.
  public static func isComplete(output: String) -> Bool { exists(output) && exists(sidecarPath(for: output)) }

  /// Removes temporary files that a killed run (SIGKILL, power loss: no chance to clean up) left for these
  /// outputs. Only these outputs' names are touched, and only files no running writer can own: written by a
  /// process of this machine that is gone, or untouched for an hour (a writer on another machine of a shared
  /// folder, whose process number means nothing here, finishes its file in seconds).
  /// Returns how many were removed.
  public static func removeStaleTemporaries(in folder: String, for outputs: [String], now: Date = Date()) -> Int {
    var names = Set<String>()
    for output in outputs {
      names.insert((trimmed(output) as NSString).lastPathComponent)
      names.insert((sidecarPath(for: output) as NSString).lastPathComponent)
    }
    // `.NAME.i2v-tmp-HOST-PID-N` (video writers) and `.NAME.tmp-HOST-PID-N` (sidecars, summaries).
    let markers = [".i2v-tmp-", ".tmp-"]
    var removed = 0
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where entry.hasPrefix(".") {
      let isOurs = markers.contains { marker in
        guard let range = entry.range(of: marker) else { return false }
        return names.contains(String(entry[entry.index(after: entry.startIndex)..<range.lowerBound]))
      }
      guard isOurs else { continue }
      let path = (folder as NSString).appendingPathComponent(entry)
      guard isAbandoned(entry, path: path, markers: markers, now: now) else { continue }
      if (try? FileManager.default.removeItem(atPath: path)) != nil {
        removed += 1
      }
    }
    return removed
  }

  /// `.NAME<marker>PID-N`: whether its writer can no longer be at work (see `removeStaleTemporaries`).
  static func isAbandoned(_ entry: String, path: String, markers: [String], now: Date) -> Bool {
    let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? now
    let age = now.timeIntervalSince(modified)
    if age > 3600 { return true }
    guard let marker = markers.first(where: { entry.contains($0) }),
      let range = entry.range(of: marker, options: .backwards),
      let owner = TemporaryName.parse(entry[range.upperBound...])
    else { return false }
    return TemporaryName.isGone(host: owner.host, pid: owner.pid)
  }
}
