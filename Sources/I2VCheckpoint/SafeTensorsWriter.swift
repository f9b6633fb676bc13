import Foundation
import I2VTensor

/// Writes tensors as a `.safetensors` file (for tensor dumps and test files): header padded to 8 bytes, tensors
/// sorted by name, little-endian data. Written to a temporary file and renamed, so a failure leaves nothing.
public enum SafeTensorsWriter {
  public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
    var header: [String: Any] = [:]
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var blobs: [[UInt8]] = []
    var offset = 0
    for name in tensors.keys.sorted() {
      let t = tensors[name]!
      let bytes = try t.bytes()
      header[name] = ["dtype": storageName(t.dtype), "shape": t.shape, "data_offsets": [offset, offset + bytes.count]]
      offset += bytes.count
      blobs.append(bytes)
    }
    var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
    while json.count % 8 != 0 { json.append(0x20) }
    var out = Data()
    var length = UInt64(json.count).littleEndian
    out.append(Data(bytes: &length, count: 8))
    out.append(json)
    for b in blobs { out.append(contentsOf: b) }
    let tmp = path + ".tmp-\(getpid())"
    do {
      try out.write(to: URL(fileURLWithPath: tmp))
      if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
      try FileManager.default.moveItem(atPath: tmp, toPath: path)
    } catch {
      try? FileManager.default.removeItem(atPath: tmp)
      throw CheckpointError(path, "cannot write: \(error.localizedDescription)")
    }
  }

  static func storageName(_ d: DType) -> String {
    switch d {
    case .float32: return "F32"
    case .float16: return "F16"
    case .bfloat16: return "BF16"
    case .int64: return "I64"
    case .uint8: return "U8"
    case .float64: return "F64"
    case .int32: return "I32"
    case .bool: return "BOOL"
    }
  }
}
