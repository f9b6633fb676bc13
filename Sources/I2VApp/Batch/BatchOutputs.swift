import Foundation

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
  /// outputs. Only this batch's own names are touched, so other shards' work in progress is never removed.
  /// Returns how many were removed.
  public static func removeStaleTemporaries(in folder: String, for outputs: [String]) -> Int {
    var names = Set<String>()
    for output in outputs {
      names.insert((trimmed(output) as NSString).lastPathComponent)
      names.insert((sidecarPath(for: output) as NSString).lastPathComponent)
    }
    // `.NAME.i2v-tmp-PID-N` (video writers) and `.NAME.tmp-PID-N` (sidecars, summaries).
    let markers = [".i2v-tmp-", ".tmp-"]
    var removed = 0
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where entry.hasPrefix(".") {
      let isOurs = markers.contains { marker in
        guard let range = entry.range(of: marker) else { return false }
        return names.contains(String(entry[entry.index(after: entry.startIndex)..<range.lowerBound]))
      }
      guard isOurs else { continue }
      if (try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(entry))) != nil {
        removed += 1
      }
    }
    return removed
  }
}
