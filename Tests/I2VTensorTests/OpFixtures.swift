import Foundation
import I2VCheckpoint
import I2VTensor

/// The PyTorch reference values written by Scripts/make_op_fixtures.py.
final class OpFixtures: @unchecked Sendable {
  static let shared = OpFixtures()
  static let path: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
      url.deleteLastPathComponent()
    }
    return url.appendingPathComponent("Tests/Fixtures/ops/ops.safetensors").path
  }()

  let file: SafeTensorsFile

  private init() {
    file = try! SafeTensorsFile(path: OpFixtures.path)
    try! Runtime.setThreads(Runtime.defaultThreads)
  }

  func input(_ name: String, _ i: Int) throws -> Tensor { try file.tensor("\(name).in\(i)") }
  func output(_ name: String) throws -> Tensor { try file.tensor("\(name).out") }
  func output(_ name: String, _ i: Int) throws -> Tensor { try file.tensor("\(name).out\(i)") }
}

/// Fails unless `actual` has the reference's shape and dtype and lies within `tolerance` of it.
func expectClose(_ actual: Tensor, _ expected: Tensor, _ tolerance: Double = 1e-5, _ what: String = "") throws
  -> Double
{
  guard actual.shape == expected.shape else {
    throw TorchError("\(what): shape \(actual.shape) != expected \(expected.shape)")
  }
  guard actual.dtype == expected.dtype else {
    throw TorchError("\(what): dtype \(actual.dtype) != expected \(expected.dtype)")
  }
  let d = try actual.maxAbsDifference(expected)
  guard d <= tolerance else { throw TorchError("\(what): max abs difference \(d) > \(tolerance)") }
  return d
}
