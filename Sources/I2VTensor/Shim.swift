import CTorch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Loads the libtorch shim (libi2vtorch.so) at run time and exposes its function table.
///
/// The binary never links libtorch itself, so one i2v build runs on any libtorch the shim was built against
/// (Debian's CPU 1.13, or a CUDA libtorch 2.x): put that shim next to the binary or point `I2V_TORCH_SHIM` at it.
public enum Shim {
  public static let libraryName = "libi2vtorch.so"

  private static let loaded: Result<UnsafePointer<i2v_torch_api>, TorchError> = load()

  /// The function table, or the reason it could not be loaded.
  @inline(__always)
  public static func api() throws -> UnsafePointer<i2v_torch_api> {
    switch loaded {
    case .success(let api): return api
    case .failure(let error): throw error
    }
  }

  /// Where the shim was found (for `i2v info`).
  public private(set) static var loadedFrom: String = ""

  /// Candidate paths, most specific first.
  static func candidates() -> [String] {
    var paths: [String] = []
    if let explicit = ProcessInfo.processInfo.environment["I2V_TORCH_SHIM"], !explicit.isEmpty {
      paths.append(explicit)
    }
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    paths.append(exe.appendingPathComponent(libraryName).path)
    paths.append(exe.deletingLastPathComponent().appendingPathComponent("lib/\(libraryName)").path)
    paths.append(libraryName)  // LD_LIBRARY_PATH and the system search path
    return paths
  }

  private static func load() -> Result<UnsafePointer<i2v_torch_api>, TorchError> {
    var tried: [String] = []
    let explicit = ProcessInfo.processInfo.environment["I2V_TORCH_SHIM"].flatMap { $0.isEmpty ? nil : $0 }
    for path in candidates() {
      guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
        let reason = dlerror().map { String(cString: $0) } ?? "not found"
        // A shim the user named must load; silently running another libtorch would be worse than failing.
        if path == explicit {
          return .failure(TorchError("cannot load I2V_TORCH_SHIM=\(path): \(reason)\n  fix: make the libraries "
            + "it needs findable (LD_LIBRARY_PATH, e.g. the CUDA runtime next to libtorch), or unset I2V_TORCH_SHIM"))
        }
        // A missing file is expected for most candidates; any other failure (e.g. libtorch missing) matters.
        tried.append(path.hasPrefix("/") && !FileManager.default.fileExists(atPath: path) ? "\(path): not found" : reason)
        continue
      }
      guard let symbol = dlsym(handle, "i2v_torch_get_api") else {
        tried.append("\(path): not an i2v shim (no i2v_torch_get_api)")
        continue
      }
      let getAPI = unsafeBitCast(symbol, to: i2v_torch_get_api_fn.self)
      guard let api = getAPI(I2V_TORCH_API_VERSION) else {
        tried.append("\(path): shim is older than API version \(I2V_TORCH_API_VERSION)")
        continue
      }
      loadedFrom = path
      return .success(api)
    }
    return .failure(
      TorchError(
        "cannot load the libtorch shim \(libraryName).\n  tried:\n    "
          + tried.joined(separator: "\n    ")
          + "\n  fix: build it with `swift build` (it is written next to the i2v binary), install libtorch "
          + "(`apt-get install libtorch-dev`), or set I2V_TORCH_SHIM=/path/to/\(libraryName)"))
  }

  /// Turns a non-zero status into a thrown error carrying libtorch's message.
  @inline(__always)
  static func check(_ status: i2v_status, _ api: UnsafePointer<i2v_torch_api>) throws {
    if status != 0 {
      let message = api.pointee.last_error().map { String(cString: $0) } ?? "unknown error"
      throw TorchError(message, outOfMemory: status == I2V_STATUS_OUT_OF_MEMORY)
    }
  }
}

/// An error raised by libtorch (through the shim) or by the tensor layer's own checks.
public struct TorchError: Error, CustomStringConvertible, Equatable {
  public let message: String
  /// libtorch could not allocate (GPU or host memory): the caller can say which setting to change.
  public let isOutOfMemory: Bool
  public init(_ message: String, outOfMemory: Bool = false) {
    self.message = message
    isOutOfMemory = outOfMemory
  }
  public var description: String { message }
}
