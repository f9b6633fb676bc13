import Foundation
import I2VCheckpoint
import I2VTensor
import Testing

@Suite struct SafeTensorsReaderTests {
  @Test func readsEveryDtype() throws {
    let t = try TestFiles()
    // F32 [2], F16 [2] (1.0, -2.0), BF16 [1] (1.0), I64 [2], U8 [3]
    var data: [UInt8] = []
    data += [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]  // 1.0, -2.0 (f32)
    data += [0x00, 0x3c, 0x00, 0xc0]  // 1.0, -2.0 (f16)
    data += [0x80, 0x3f]  // 1.0 (bf16)
    data += [7, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]  // 7, -1
    data += [1, 2, 250]
    let header = """
      {"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
      "b":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},"c":{"dtype":"BF16","shape":[1],"data_offsets":[12,14]},\
      "d":{"dtype":"I64","shape":[2],"data_offsets":[14,30]},"e":{"dtype":"U8","shape":[3],"data_offsets":[30,33]},\
      "empty":{"dtype":"F32","shape":[0,4],"data_offsets":[33,33]}}
      """
    let file = try SafeTensorsFile(path: try t.raw("all.safetensors", header: header, data: data))
    #expect(file.metadata == ["format": "pt"])
    #expect(file.entries.map(\.name) == ["a", "b", "c", "d", "e", "empty"])
    #expect(try file.tensor("a").floats() == [1, -2])
    let b = try file.tensor("b")
    #expect(b.dtype == .float16)
    #expect(try b.floats() == [1, -2])
    #expect(try file.tensor("b", dtype: .float32).dtype == .float32)
    #expect(try file.tensor("c").dtype == .bfloat16)
    #expect(try file.tensor("c").floats() == [1])
    #expect(try file.tensor("d").toArray(Int64.self) == [7, -1])
    // Integer tensors keep their type even when the run asks for float16 weights.
    #expect(try file.tensor("d", dtype: .float16).dtype == .int64)
    #expect(try file.tensor("e").toArray(UInt8.self) == [1, 2, 250])
    #expect(try file.tensor("empty").shape == [0, 4])
    #expect(throws: CheckpointError.self) { try file.tensor("missing") }
  }

  /// Each malformed file must give a CheckpointError whose message names the problem — never a crash.
  @Test(arguments: [
    ("empty file", "", [UInt8](), UInt64?.none, "empty"),
    ("header larger than file", "{}", [], UInt64(5000), "larger than the file"),
    ("absurd header length", "{}", [], UInt64(1) << 40, "absurd"),
    ("not JSON", "{\"a\": [1,", [], nil, "not valid JSON"),
    ("not an object", "[1, 2, 3]", [], nil, "not a JSON object"),
    ("missing dtype", #"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], nil, "no dtype"),
    ("unknown dtype", #"{"a":{"dtype":"F12","shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], nil, "unknown dtype"),
    ("negative dimension", #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], nil, "invalid dimension"),
    ("fractional dimension", #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], nil, "invalid dimension"),
    ("offsets past the end", #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, [0, 0, 0, 0], nil, "past the end"),
    ("offsets backwards", #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#, [0, 0, 0, 0], nil, "backwards"),
    ("byte count mismatch", #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], nil, "needs 8"),
    ("overlapping tensors",
     #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
     [UInt8](repeating: 0, count: 12), nil, "overlap"),
    ("absurd shape", #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], nil, "absurd shape"),
    ("metadata not strings", #"{"__metadata__":{"format":3}}"#, [], nil, "not a string"),
    ("missing offsets", #"{"a":{"dtype":"F32","shape":[1]}}"#, [0, 0, 0, 0], nil, "data_offsets"),
    ("boolean dimension", #"{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, [0, 0, 0, 0], nil, "invalid dimension"),
  ])
  func rejectsMalformedFile(kind: String, header: String, data: [UInt8], declared: UInt64?, expected: String) throws {
    let t = try TestFiles()
    let p = try t.raw("bad.safetensors", header: header, data: data, declaredLength: declared)
    if kind == "empty file" { try Data().write(to: URL(fileURLWithPath: p)) }
    do {
      _ = try SafeTensorsFile(path: p)
      Issue.record("\(kind): no error")
    } catch let e as CheckpointError {
      #expect(e.path == p)
      #expect(e.message.contains(expected), "\(kind): message was '\(e.message)'")
    }
  }

  @Test func rejectsInvalidUTF8AndShortFiles() throws {
    let t = try TestFiles()
    let p = t.path("utf8.safetensors")
    try Data([2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe]).write(to: URL(fileURLWithPath: p))
    #expect(throws: CheckpointError.self) { try SafeTensorsFile(path: p) }
    let short = t.path("short.safetensors")
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: short))
    do {
      _ = try SafeTensorsFile(path: short)
      Issue.record("short file accepted")
    } catch let e as CheckpointError { #expect(e.message.contains("too short")) }
    #expect(throws: CheckpointError.self) { try SafeTensorsFile(path: t.path("nope.safetensors")) }
    #expect(throws: CheckpointError.self) { try SafeTensorsFile(path: t.dir.path) }
  }
}
