// Finding the frames of a clip in a folder, in the order a person would number them.
import Foundation

public enum FrameFiles {
  /// Extensions taken as input images (the content still decides how each is decoded). Not .gif: in a batch's
  /// input folder a GIF is far more likely a previous output than an input.
  public static let frameExtensions: Set<String> = ["png", "jpg", "jpeg", "jpe", "jfif", "webp", "bmp", "tif", "tiff"]
  /// What frames-to-video takes: the same and .gif (its first frame, as for any input), the output itself excepted.
  public static let clipFrameExtensions: Set<String> = frameExtensions.union(["gif"])

  /// Paths of the frame files in `folder` (by extension, `frameExtensions` unless given; hidden files and the
  /// paths in `excluding` skipped), sorted naturally: frame2 before frame10.
  public static func list(folder: String, extensions: Set<String> = frameExtensions, excluding: [String] = [])
    throws -> [String]
  {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) else {
      throw MediaError.fileNotFound(path: folder)
    }
    guard isDir.boolValue else {
      throw MediaError.unreadable(path: folder, reason: "not a folder; give the folder that holds the frames")
    }
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: folder)
    } catch {
      throw MediaError.unreadable(path: folder, reason: "cannot list the folder (\(error.localizedDescription))")
    }
    let base = AtomicOutput.normalize(folder)
    let skipped = Set(excluding.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
    return names
      .filter { !$0.hasPrefix(".") && extensions.contains(($0 as NSString).pathExtension.lowercased()) }
      .sorted(by: naturalLess)
      .map { base + "/" + $0 }
      .filter { !skipped.contains(URL(fileURLWithPath: $0).standardizedFileURL.path) }
  }

  /// Natural order: runs of digits compare as numbers ("img9" < "img10"), the rest byte-wise; ties (e.g.
  /// "a01" vs "a1") fall back to plain comparison so the order is total.
  public static func naturalLess(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var i = 0, j = 0
    while i < x.count && j < y.count {
      let dx = isDigit(x[i]), dy = isDigit(y[j])
      if dx && dy {
        let si = i, sj = j
        while i < x.count && isDigit(x[i]) { i += 1 }
        while j < y.count && isDigit(y[j]) { j += 1 }
        let nx = stripZeros(x[si..<i]), ny = stripZeros(y[sj..<j])
        if nx.count != ny.count { return nx.count < ny.count }
        if nx != ny { return nx.lexicographicallyPrecedes(ny) }
      } else {
        if x[i] != y[j] { return x[i] < y[j] }
        i += 1
        j += 1
      }
    }
    if (x.count - i) != (y.count - j) { return (x.count - i) < (y.count - j) }
    return a.utf8.lexicographicallyPrecedes(b.utf8)
  }

  private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

  private static func stripZeros(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var t = s
    while t.count > 1 && t.first == 48 { t = t.dropFirst() }
    return t
  }
}
