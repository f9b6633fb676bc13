import CTorch
import Foundation

/// Process-wide libtorch settings and facts (threads, versions, devices).
public enum Runtime {
  /// The libtorch version the loaded shim was built against, e.g. "1.13.1".
  public static func torchVersion() throws -> String {
    let api = try Shim.api()
    var buf = [CChar](repeating: 0, count: 128)
    try Shim.check(api.pointee.torch_version(&buf, buf.count), api)
    return String(cString: buf)
  }

  /// How attention is computed by this libtorch.
  public static func attentionBackend() throws -> String {
    let api = try Shim.api()
    var buf = [CChar](repeating: 0, count: 256)
    try Shim.check(api.pointee.sdpa_backend(&buf, buf.count), api)
    return String(cString: buf)
  }

  /// Intra-op threads. libtorch picks 1 on some machines, so i2v always sets this deliberately.
  public static func setThreads(_ n: Int) throws {
    let api = try Shim.api()
    try Shim.check(api.pointee.set_num_threads(Int32(n)), api)
  }

  public static func threads() throws -> Int {
    Int(try Shim.api().pointee.get_num_threads())
  }

  /// The thread count to use when the user says nothing: `I2V_THREADS`, else every core.
  public static var defaultThreads: Int {
    if let s = ProcessInfo.processInfo.environment["I2V_THREADS"], let n = Int(s), n > 0 { return n }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
  }

  public static func cudaDeviceCount() throws -> Int {
    Int(try Shim.api().pointee.cuda_device_count())
  }

  public struct GPU: Sendable {
    public let index: Int
    public let name: String
    public let memoryBytes: UInt64
  }

  public static func gpus() throws -> [GPU] {
    let api = try Shim.api()
    return try (0..<cudaDeviceCount()).map { i in
      var buf = [CChar](repeating: 0, count: 256)
      var mem: UInt64 = 0
      try Shim.check(api.pointee.cuda_device_name(Int32(i), &buf, buf.count, &mem), api)
      return GPU(index: i, name: String(cString: buf), memoryBytes: mem)
    }
  }

  /// Waits for queued device work (for honest timings on CUDA; a no-op on CPU).
  public static func synchronize(_ device: Device) throws {
    let api = try Shim.api()
    try Shim.check(api.pointee.synchronize(device.c), api)
  }

  public enum CUDAState: Equatable, Sendable {
    /// This libtorch was built without CUDA.
    case unavailable
    case ready(devices: Int)
    /// A CUDA libtorch whose CUDA did not come up (driver missing or too old, no device visible, ...).
    case failed(reason: String)
  }

  public static func cudaState() throws -> CUDAState {
    let api = try Shim.api()
    var state: Int32 = 0
    var buf = [CChar](repeating: 0, count: 1024)
    try Shim.check(api.pointee.cuda_status(&state, &buf, buf.count), api)
    switch state {
    case 1: return .ready(devices: try cudaDeviceCount())
    case 2: return .failed(reason: String(cString: buf))
    default: return .unavailable
    }
  }

  /// Free and total bytes of a CUDA device (the driver's view, all processes).
  public static func cudaMemoryInfo(_ index: Int) throws -> (free: UInt64, total: UInt64) {
    let api = try Shim.api()
    var free: UInt64 = 0, total: UInt64 = 0
    try Shim.check(api.pointee.cuda_memory_info(Int32(index), &free, &total), api)
    return (free, total)
  }

  /// The CUDA caching allocator's figures for one device, nil where this libtorch cannot report them.
  public struct MemoryStats: Sendable, Equatable {
    public var allocated: UInt64, peakAllocated: UInt64, reserved: UInt64, peakReserved: UInt64
  }

  public static func cudaMemoryStats(_ index: Int) throws -> MemoryStats? {
    let api = try Shim.api()
    var s = i2v_memory_stats()
    try Shim.check(api.pointee.cuda_memory_stats(Int32(index), &s), api)
    guard s.available != 0 else { return nil }
    return MemoryStats(allocated: s.allocated, peakAllocated: s.peak_allocated, reserved: s.reserved,
                       peakReserved: s.peak_reserved)
  }

  public static func cudaResetPeakMemory(_ index: Int) throws {
    let api = try Shim.api()
    try Shim.check(api.pointee.cuda_reset_peak_memory(Int32(index)), api)
  }

  /// Hands the allocator's cached, unused blocks back to the driver.
  public static func cudaEmptyCache() throws {
    let api = try Shim.api()
    try Shim.check(api.pointee.cuda_empty_cache(), api)
  }

  /// Host round trips so far (uploads, reads, cross-device copies, waits): see `host_sync_count` in the C API.
  public static func hostSyncCount() throws -> UInt64 { try Shim.api().pointee.host_sync_count() }

  /// Shim calls this thread has made (see `call_count` in the C API).
  public static func callCount() throws -> UInt64 { try Shim.api().pointee.call_count() }

  /// Convolutions in channels-last layout (`--channels-last`); set before loading a model (weights convert then).
  public private(set) static var channelsLast = false

  public static func setChannelsLast(_ on: Bool) throws {
    let api = try Shim.api()
    try Shim.check(api.pointee.set_channels_last(on ? 1 : 0), api)
    channelsLast = on
  }

  /// Attention kernels libtorch may use.
  public enum AttentionKernels: String, CaseIterable, Sendable {
    case auto, flash, efficient, cudnn, math
    var mask: Int32 {
      switch self {
      case .auto: return 0
      case .flash: return I2V_SDPA_FLASH
      case .efficient: return I2V_SDPA_EFFICIENT
      case .cudnn: return I2V_SDPA_CUDNN
      case .math: return I2V_SDPA_MATH
      }
    }
  }

  public static func setAttentionKernels(_ k: AttentionKernels) throws {
    let api = try Shim.api()
    try Shim.check(api.pointee.set_sdpa_backends(k.mask), api)
  }
}
