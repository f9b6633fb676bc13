import Foundation
import I2VCheckpoint
import I2VImage
import I2VMedia

/// A finished clip of a chain, kept beside the output until the whole video is written, so that a run that was
/// interrupted resumes from its last finished clip.
///
/// `cat.mp4`'s clip 2 is `.cat.mp4.i2v-clip-2`: hidden, named after its output like the writers' temporaries
/// (`.cat.mp4.i2v-tmp-HOST-PID-N`), and written through one of those, so the name only ever holds a whole clip.
/// It holds a JSON header line (the clip's key and frame size) and the frames' RGB bytes exactly as generated.
/// A clip whose key differs from the one asked for (other settings, seed, prompt or input) is stale: it is never
/// read, and is replaced.
public struct ClipFile {
  public var key: String
  public var seed: UInt64
  public var frames: [RGBImage]

  struct Header: Codable {
    var format = "i2v-clip/1"
    var key: String
    /// The clip's seed: a chain with a random seed resumes with the one its first clip had.
    var seed: UInt64
    var width: Int
    var height: Int
    var frames: Int
  }

  public init(key: String, seed: UInt64, frames: [RGBImage]) {
    self.key = key
    self.seed = seed
    self.frames = frames
  }

  /// `.NAME.i2v-clip-K` beside `output` (K from 1).
  public static func path(for output: String, clip: Int) -> String {
    let trimmed = BatchOutputs.trimmed(output)
    let folder = (trimmed as NSString).deletingLastPathComponent
    let name = ".\((trimmed as NSString).lastPathComponent).i2v-clip-\(clip)"
    return folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name)
  }

  /// The seed recorded in the clip at `path`, if there is a readable one.
  public static func seed(at path: String) -> UInt64? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    // The header line is short; the frames after it are not read.
    let head = (try? handle.read(upToCount: 4096)) ?? Data()
    guard let newline = head.firstIndex(of: 0x0A) else { return nil }
    return (try? JSONDecoder().decode(Header.self, from: head[head.startIndex..<newline]))?.seed
  }

  /// The clip at `path` when it is whole and its key is `key`; nil otherwise (missing, stale or damaged).
  public static func load(_ path: String, key: String) -> ClipFile? {
    guard let data = FileManager.default.contents(atPath: path), let newline = data.firstIndex(of: 0x0A),
      let header = try? JSONDecoder().decode(Header.self, from: data[data.startIndex..<newline]),
      header.format == "i2v-clip/1", header.key == key, header.width > 0, header.height > 0, header.frames > 0
    else { return nil }
    let per = header.width * header.height * 3
    let body = data[(newline + 1)...]
    guard body.count == per * header.frames else { return nil }
    let bytes = [UInt8](body)
    let frames = (0..<header.frames).map {
      RGBImage(unchecked: header.width, header.height, Array(bytes[($0 * per)..<(($0 + 1) * per)]))
    }
    return ClipFile(key: key, seed: header.seed, frames: frames)
  }

  /// Writes the clip atomically (a temporary, removed on Ctrl-C, then renamed).
  public func write(to path: String) throws {
    guard let first = frames.first else { return }
    let header = Header(key: key, seed: seed, width: first.width, height: first.height, frames: frames.count)
    var data = try JSONEncoder().encode(header)
    data.append(0x0A)
    for f in frames { data.append(contentsOf: f.pixels) }
    try AtomicFile.write(data, to: path) { temp in
      let token = InterruptCleanup.register(temp)
      return { InterruptCleanup.unregister(token) }
    }
  }

  /// Removes clips 1…`upTo` of `output` and any later ones left by a longer chain; returns how many went.
  @discardableResult
  public static func removeAll(for output: String, upTo count: Int) -> Int {
    var removed = 0
    var k = 1
    while k <= count || FileManager.default.fileExists(atPath: path(for: output, clip: k)) {
      if (try? FileManager.default.removeItem(atPath: path(for: output, clip: k))) != nil { removed += 1 }
      k += 1
    }
    return removed
  }
}
