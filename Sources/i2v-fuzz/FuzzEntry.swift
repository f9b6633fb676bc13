import CFuzz
import Foundation
import I2VFuzz

/// Built by Scripts/fuzz.sh (-sanitize=fuzzer, -DI2V_LIBFUZZER), this hands the process to libFuzzer with the
/// target named by $I2V_FUZZ_TARGET. Otherwise it replays files: `i2v-fuzz TARGET FILE...` runs each through the
/// target (how a crash input is reproduced and debugged).
@main
struct FuzzEntry {
  static func main() {
    #if I2V_LIBFUZZER
    let name = ProcessInfo.processInfo.environment["I2V_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else { usage("set I2V_FUZZ_TARGET to") }
    current = target
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(i2v_fuzz_run(&argc, &argv) { bytes, size in
      FuzzEntry.current.run(bytes.map { Data(bytes: $0, count: size) } ?? Data(), exhaustive: false)
      return 0
    })
    #else
    let args = CommandLine.arguments.dropFirst()
    guard let name = args.first, let target = FuzzTarget(rawValue: name), args.count >= 2 else {
      usage("usage: i2v-fuzz TARGET FILE..., TARGET")
    }
    for path in args.dropFirst() {
      guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("i2v-fuzz: cannot read \(path)\n".utf8))
        exit(1)
      }
      target.run(data)
      print("ok \(path)")
    }
    #endif
  }

  nonisolated(unsafe) static var current = FuzzTarget.tokenizer

  static func usage(_ lead: String) -> Never {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    FileHandle.standardError.write(Data("\(lead) one of: \(names)\n".utf8))
    exit(64)
  }
}
