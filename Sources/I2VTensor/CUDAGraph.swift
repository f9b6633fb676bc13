import CTorch

/// A recorded sequence of CUDA work, replayed with one launch (CUDA graphs). Every tensor the recorded work
/// touched keeps its address, so a replay reads its inputs from, and writes its outputs to, the same tensors:
/// copy new inputs in before `replay()`, read outputs after. Needs a shim built with the CUDA runtime headers
/// (`isSupported`); elsewhere callers run the same work eagerly.
public final class CUDAGraph: @unchecked Sendable {
  let handle: OpaquePointer

  private init(handle: OpaquePointer) { self.handle = handle }

  deinit {
    if let api = try? Shim.api() { api.pointee.graph_free(handle) }
  }

  /// Whether this shim can record graphs on this machine (a CUDA device and the headers at build time).
  public static var isSupported: Bool { (try? Shim.api().pointee.graphs_supported()) == 1 }

  /// Records the device work `body` queues on `device` (nothing runs while recording), returning the graph
  /// and what `body` returned.
  public static func capture<T>(on device: Device, _ body: () throws -> T) throws -> (CUDAGraph, T) {
    let api = try Shim.api()
    try Shim.check(api.pointee.graph_capture_begin(device.c), api)
    let result: T
    do {
      result = try body()
    } catch {
      var discarded: OpaquePointer?
      if api.pointee.graph_capture_end(&discarded) == 0, let discarded { api.pointee.graph_free(discarded) }
      throw error
    }
    var out: OpaquePointer?
    try Shim.check(api.pointee.graph_capture_end(&out), api)
    guard let out else { throw TorchError("graph capture returned no graph") }
    return (CUDAGraph(handle: out), result)
  }

  public func replay() throws {
    let api = try Shim.api()
    try Shim.check(api.pointee.graph_replay(handle), api)
  }
}
