import Foundation
import Testing

@Suite struct InfoCommandTests {
  @Test func reportsRuntimeAndLibraries() throws {
    let r = try CLI.run(["info", "--threads", "1"])
    #expect(r.status == 0, "\(r.stderr)")
    for field in ["libtorch", "threads", "CUDA", "libavcodec", "libpng", "OpenCV"] {
      #expect(r.stdout.contains(field), "\(field) missing from: \(r.stdout)")
    }
    #expect(r.stdout.contains("threads    1 of") || r.stdout.contains("1 of"), "\(r.stdout)")
  }

  @Test func versionFlag() throws {
    let r = try CLI.run(["--version"])
    #expect(r.status == 0)
    #expect(r.stdout.split(separator: ".").count == 3, "\(r.stdout)")
  }

  /// A shim the user names must load or fail loudly, never fall back to another libtorch.
  @Test func explicitShimThatCannotLoadIsAnError() throws {
    let r = try CLI.run(["info"], environment: ["I2V_TORCH_SHIM": "/nonexistent/libi2vtorch.so"])
    #expect(r.status != 0)
    #expect(r.stderr.contains("I2V_TORCH_SHIM=/nonexistent/libi2vtorch.so"), "\(r.stderr)")
  }
}

/// Thread settings that cannot help are said, not ignored.
@Suite struct ThreadSettingTests {
  @Test func invalidEnvironmentThreadsIsAnError() throws {
    let r = try CLI.run(["info"], environment: ["I2V_THREADS": "abc"])
    #expect(r.status != 0 && r.stderr.contains("I2V_THREADS must be a whole number"), "\(r.stderr)")
  }

  @Test func moreThreadsThanCoresWarns() throws {
    let n = ProcessInfo.processInfo.activeProcessorCount * 2
    let r = try CLI.run(["info", "--threads", "\(n)"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("\(n) threads on") && r.stderr.contains("will run slower"), "\(r.stderr)")
  }

  @Test func absurdThreadCountsAreRefusedAtOnce() throws {
    let r = try CLI.run(["info", "--threads", "100000"])
    #expect(r.status != 0 && r.stderr.contains("is far more than the"), "\(r.stderr)")
  }
}
