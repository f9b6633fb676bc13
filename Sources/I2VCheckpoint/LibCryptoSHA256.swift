import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// OpenSSL's SHA-256, loaded at run time when `libcrypto.so.3` is installed (it is on practically every Linux
/// system): its SHA-NI / AVX2 code hashes ~1.5 GB/s against ~0.2 GB/s for the portable Swift `SHA256`, which
/// matters for the first hash of a 10 GB checkpoint. Loaded with dlopen, not linked, so the build needs no
/// OpenSSL headers and a machine without it falls back to `SHA256`. `I2V_SHA256=swift` forces the fallback.
final class LibCryptoSHA256 {
  private typealias NewCtx = @convention(c) () -> OpaquePointer?
  private typealias FreeCtx = @convention(c) (OpaquePointer?) -> Void
  private typealias GetMD = @convention(c) () -> OpaquePointer?
  private typealias Init = @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Int32
  private typealias Update = @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int) -> Int32
  private typealias Final = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>?)
    -> Int32

  private struct Functions: @unchecked Sendable {
    let new: NewCtx, free: FreeCtx, sha256: GetMD, initialize: Init, update: Update, final: Final
  }

  private static let functions: Functions? = {
    if ProcessInfo.processInfo.environment["I2V_SHA256"] == "swift" { return nil }
    guard let lib = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL) else { return nil }
    func symbol<T>(_ name: String, _: T.Type) -> T? { dlsym(lib, name).map { unsafeBitCast($0, to: T.self) } }
    guard let new = symbol("EVP_MD_CTX_new", NewCtx.self), let free = symbol("EVP_MD_CTX_free", FreeCtx.self),
          let sha = symbol("EVP_sha256", GetMD.self), let initialize = symbol("EVP_DigestInit_ex", Init.self),
          let update = symbol("EVP_DigestUpdate", Update.self), let final = symbol("EVP_DigestFinal_ex", Final.self)
    else { return nil }
    return Functions(new: new, free: free, sha256: sha, initialize: initialize, update: update, final: final)
  }()

  private let f: Functions
  private let ctx: OpaquePointer

  /// nil when libcrypto is not available (or fails to start a digest).
  init?() {
    guard let f = Self.functions, let ctx = f.new() else { return nil }
    guard f.initialize(ctx, f.sha256(), nil) == 1 else {
      f.free(ctx)
      return nil
    }
    self.f = f
    self.ctx = ctx
  }

  deinit { f.free(ctx) }

  func update(_ buffer: UnsafeRawBufferPointer) {
    _ = f.update(ctx, buffer.baseAddress, buffer.count)
  }

  func finalizeHex() -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 0
    _ = f.final(ctx, &digest, &length)
    return digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
  }
}
