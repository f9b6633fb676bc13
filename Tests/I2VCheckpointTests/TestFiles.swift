import Foundation
import I2VCheckpoint
import I2VTensor

/// Builds safetensors files (well-formed or deliberately broken) in a fresh temporary folder.
struct TestFiles {
  let dir: URL

  init() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("i2v-ckpt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try Runtime.setThreads(1)
  }

  func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

  /// Raw file: 8-byte little-endian header length (or `declaredLength`), header text, data bytes.
  @discardableResult
  func raw(_ name: String, header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) throws -> String {
    let h = Array(header.utf8)
    var bytes = withUnsafeBytes(of: (declaredLength ?? UInt64(h.count)).littleEndian) { Array($0) }
    bytes += h
    bytes += data
    let p = path(name)
    try Data(bytes).write(to: URL(fileURLWithPath: p))
    return p
  }

  /// A valid file holding float32 tensors given as (name, shape, values).
  @discardableResult
  func floats(_ name: String, _ tensors: [(String, [Int], [Float])], metadata: [String: String] = ["format": "pt"])
    throws -> String
  {
    var header: [String: Any] = ["__metadata__": metadata]
    var data: [UInt8] = []
    for (n, shape, values) in tensors {
      let begin = data.count
      for v in values { data += withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
      header[n] = ["dtype": "F32", "shape": shape, "data_offsets": [begin, data.count]]
    }
    let json = String(data: try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]), encoding: .utf8)!
    return try raw(name, header: json, data: data)
  }
}
