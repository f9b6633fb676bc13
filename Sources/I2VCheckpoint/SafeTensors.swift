import Foundation
import I2VTensor

#if canImport(Glibc)
  import Glibc
#endif

/// A memory-mapped `.safetensors` file: 8-byte little-endian header length, a JSON header, then raw data.
///
/// Every file is treated as untrusted: the header is validated completely (sizes, offsets inside the file, no
/// overlaps, byte counts equal to dtype × shape) before any tensor is read, so a malformed file gives a clear
/// `CheckpointError` instead of a crash or an out-of-bounds read.
public final class SafeTensorsFile: @unchecked Sendable {
  /// Storage types that can appear in a file. Only some of them can be loaded as tensors.
  public enum StorageType: String, Sendable, CaseIterable {
    case F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL, U16, U32, U64, F8_E4M3, F8_E5M2

    public var byteSize: Int {
      switch self {
      case .F64, .I64, .U64: return 8
      case .F32, .I32, .U32: return 4
      case .F16, .BF16, .I16, .U16: return 2
      case .I8, .U8, .BOOL, .F8_E4M3, .F8_E5M2: return 1
      }
    }

    /// The tensor dtype this storage loads as, if i2v supports it.
    public var dtype: DType? {
      switch self {
      case .F32: return .float32
      case .F16: return .float16
      case .BF16: return .bfloat16
      case .I64: return .int64
      case .I32: return .int32
      case .U8: return .uint8
      case .BOOL: return .bool
      case .F64: return .float64
      default: return nil
      }
    }
  }

  public struct Entry: Sendable {
    public let name: String
    public let storage: StorageType
    public let shape: [Int]
    /// Byte range within the data section.
    public let begin: Int
    public let end: Int
    public var byteCount: Int { end - begin }
    public var elementCount: Int { shape.reduce(1, *) }
  }

  /// Headers beyond this are refused: real files have headers of a few hundred KB.
  public static let maxHeaderBytes = 100 * 1024 * 1024

  public let path: String
  public let entries: [Entry]  // in data order
  public let metadata: [String: String]
  public let fileSize: Int
  private let byName: [String: Int]
  private let mapping: UnsafeMutableRawPointer?
  private let dataStart: Int

  public init(path: String) throws {
    self.path = path
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw CheckpointError(path, "cannot open: \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw CheckpointError(path, "cannot stat: \(String(cString: strerror(errno)))") }
    guard (st.st_mode & S_IFMT) == S_IFREG else { throw CheckpointError(path, "not a regular file") }
    let size = Int(st.st_size)
    fileSize = size
    guard size >= 8 else {
      throw CheckpointError(path, size == 0 ? "file is empty" : "file is \(size) bytes, too short for a safetensors header")
    }
    var mapped: UnsafeMutableRawPointer? = nil
    let m = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
    guard let m, m != MAP_FAILED else { throw CheckpointError(path, "cannot map file: \(String(cString: strerror(errno)))") }
    mapped = m
    do {
      let base = UnsafeRawPointer(m)
      var headerLength: UInt64 = 0
      withUnsafeMutableBytes(of: &headerLength) { $0.copyMemory(from: UnsafeRawBufferPointer(start: base, count: 8)) }
      headerLength = UInt64(littleEndian: headerLength)
      guard headerLength <= UInt64(Self.maxHeaderBytes) else {
        throw CheckpointError(path, "header length \(headerLength) bytes is absurd (limit \(Self.maxHeaderBytes)); not a safetensors file?")
      }
      guard Int(headerLength) <= size - 8 else {
        throw CheckpointError(path, "header length \(headerLength) bytes is larger than the file (\(size) bytes); truncated or not a safetensors file")
      }
      let header = Data(bytes: base + 8, count: Int(headerLength))
      let parsed = try Self.parseHeader(header, dataSize: size - 8 - Int(headerLength), path: path)
      entries = parsed.entries
      metadata = parsed.metadata
      dataStart = 8 + Int(headerLength)
      var index: [String: Int] = [:]
      for (i, e) in entries.enumerated() { index[e.name] = i }
      byName = index
      mapping = mapped
    } catch {
      munmap(m, size)
      throw error
    }
  }

  deinit {
    if let mapping { munmap(mapping, fileSize) }
  }

  public var names: [String] { entries.map(\.name) }

  public func entry(_ name: String) -> Entry? { byName[name].map { entries[$0] } }

  /// Raw bytes of one tensor, valid while this file object lives.
  public func withBytes<R>(of entry: Entry, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    let start = UnsafeRawPointer(mapping!) + dataStart + entry.begin
    return try body(UnsafeRawBufferPointer(start: start, count: entry.byteCount))
  }

  /// Loads one tensor, converted to `dtype` (default: its stored type) and moved to `device`.
  public func tensor(_ name: String, dtype: DType? = nil, device: Device = .cpu) throws -> Tensor {
    guard let e = entry(name) else { throw CheckpointError(path, "no tensor named '\(name)'") }
    return try tensor(e, dtype: dtype, device: device)
  }

  public func tensor(_ e: Entry, dtype: DType? = nil, device: Device = .cpu) throws -> Tensor {
    guard let stored = e.storage.dtype else {
      throw CheckpointError(path, "tensor '\(e.name)' has storage type \(e.storage.rawValue), which i2v cannot load")
    }
    let host = try withBytes(of: e) { try Tensor(bytes: $0, dtype: stored, shape: e.shape) }
    release(e)
    let target = dtype ?? stored
    // Floating weights convert to the run's dtype; integer tensors keep their type.
    if target != stored || device != .cpu {
      return try host.to(stored.isFloatingPoint ? target : stored, device: device)
    }
    return host
  }

  /// Drops the mapped pages of a tensor that has been copied out, so the file's page cache does not count as a
  /// second copy of the weights in this process while a large checkpoint loads.
  func release(_ e: Entry) {
    guard let mapping else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = dataStart + e.begin, end = dataStart + e.end
    let first = (start + page - 1) / page * page, last = end / page * page
    if last > first { madvise(mapping + first, last - first, Int32(MADV_DONTNEED)) }
  }

  // MARK: - Header validation

  static func parseHeader(_ data: Data, dataSize: Int, path: String) throws -> (entries: [Entry], metadata: [String: String]) {
    guard String(data: data, encoding: .utf8) != nil else { throw CheckpointError(path, "header is not valid UTF-8") }
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data, options: [])
    } catch {
      throw CheckpointError(path, "header is not valid JSON (\(Self.shortJSONError(error)))")
    }
    guard let dict = object as? [String: Any] else { throw CheckpointError(path, "header is not a JSON object") }
    var metadata: [String: String] = [:]
    var entries: [Entry] = []
    for (name, value) in dict {
      if name == "__metadata__" {
        guard let md = value as? [String: Any] else { throw CheckpointError(path, "__metadata__ is not an object") }
        for (k, v) in md {
          guard let s = v as? String else { throw CheckpointError(path, "__metadata__ value for '\(k)' is not a string") }
          metadata[k] = s
        }
        continue
      }
      entries.append(try parseEntry(name, value, dataSize: dataSize, path: path))
    }
    entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
    var previousEnd = 0
    var previousName = ""
    for e in entries where e.byteCount > 0 {
      if e.begin < previousEnd {
        throw CheckpointError(path, "tensors '\(previousName)' and '\(e.name)' overlap in the data section")
      }
      previousEnd = e.end
      previousName = e.name
    }
    return (entries, metadata)
  }

  static func parseEntry(_ name: String, _ value: Any, dataSize: Int, path: String) throws -> Entry {
    guard let info = value as? [String: Any] else { throw CheckpointError(path, "entry '\(name)' is not an object") }
    guard let dtypeName = info["dtype"] as? String else {
      throw CheckpointError(path, "tensor '\(name)' has no dtype string")
    }
    guard let storage = StorageType(rawValue: dtypeName) else {
      throw CheckpointError(path, "tensor '\(name)' has unknown dtype '\(dtypeName)'")
    }
    guard let rawShape = info["shape"] as? [Any] else { throw CheckpointError(path, "tensor '\(name)' has no shape list") }
    guard rawShape.count <= 16 else { throw CheckpointError(path, "tensor '\(name)' has \(rawShape.count) dimensions (at most 16)") }
    var shape: [Int] = []
    var elements = 1
    for d in rawShape {
      guard let n = exactInt(d), n >= 0 else {
        throw CheckpointError(path, "tensor '\(name)' has an invalid dimension \(d) in its shape")
      }
      let (product, overflow) = elements.multipliedReportingOverflow(by: n)
      guard !overflow, product <= Int(Int32.max) * 64 else {
        throw CheckpointError(path, "tensor '\(name)' has an absurd shape \(rawShape)")
      }
      elements = product
      shape.append(n)
    }
    guard let offsets = info["data_offsets"] as? [Any], offsets.count == 2,
      let begin = exactInt(offsets[0]), let end = exactInt(offsets[1])
    else {
      throw CheckpointError(path, "tensor '\(name)' has no valid data_offsets [begin, end]")
    }
    guard begin >= 0, end >= begin else {
      throw CheckpointError(path, "tensor '\(name)' has data_offsets [\(begin), \(end)] that run backwards")
    }
    guard end <= dataSize else {
      throw CheckpointError(path, "tensor '\(name)' ends at byte \(end), past the end of the data (\(dataSize) bytes); the file is truncated or corrupt")
    }
    let (bytes, overflow) = elements.multipliedReportingOverflow(by: storage.byteSize)
    guard !overflow, bytes == end - begin else {
      throw CheckpointError(path, "tensor '\(name)' has \(end - begin) bytes but \(storage.rawValue) \(shape) needs \(bytes)")
    }
    return Entry(name: name, storage: storage, shape: shape, begin: begin, end: end)
  }

  /// JSON numbers arrive as NSNumber; accept only exact non-boolean integers.
  static func exactInt(_ v: Any) -> Int? {
    guard let n = v as? NSNumber else { return nil }
    if String(cString: n.objCType) == "c" { return nil }  // JSON true/false
    let d = n.doubleValue
    guard d.rounded() == d, Swift.abs(d) < 9.0e15 else { return nil }
    return n.intValue
  }

  static func shortJSONError(_ error: Error) -> String {
    let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
    return String(text.prefix(200))
  }
}

/// A problem with a checkpoint file or model folder; always names the file.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
  public let path: String
  public let message: String
  public init(_ path: String, _ message: String) {
    self.path = path
    self.message = message
  }
  public var description: String { "\(path): \(message)" }
}
