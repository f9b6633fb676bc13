import ArgumentParser
import Foundation
import I2VApp
import I2VCheckpoint
import I2VModels
import I2VTensor

struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "List the components, tensors, dtypes, shapes and sizes of a model folder or .safetensors file.",
    discussion: """
      Every file is validated while it is read; a malformed file is reported (exit status 1).

      Examples:
        i2v inspect ~/models/i2vgen-xl                      # one line per component
        i2v inspect ~/models/i2vgen-xl --tensors            # and every tensor
        i2v inspect ~/models/i2vgen-xl/vae/diffusion_pytorch_model.fp16.safetensors
      """
  )

  @Argument(help: "A diffusers model folder (with model_index.json), a component folder, or a .safetensors file.")
  var path: String

  @Flag(name: .long, help: "List every tensor of every weight file of a model folder.")
  var tensors = false

  @Flag(name: .long, help: "Also bind every component strictly (keys and shapes), without reading the weights.")
  var checkBinding = false

  @Option(name: .long, help: "With --check-binding: the run dtype, which picks the weight variant (float32 or float16).")
  var dtype = "float32"

  func run() throws {
    do {
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw fail("\(path): no such file or folder")
      }
      if !isDir.boolValue {
        try printFile(try SafeTensorsFile(path: path), listTensors: true)
      } else if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("model_index.json")) {
        try printModel(try ModelFolder(path: path))
      } else {
        try printComponent(ComponentFolder(name: (path as NSString).lastPathComponent, path: path))
      }
    } catch let e as CheckpointError {
      throw fail(e.description)
    }
  }

  func printModel(_ model: ModelFolder) throws {
    print("model \(model.path)")
    if let cls = model.pipelineClass { print("pipeline \(cls)") }
    var failures = 0
    for c in model.components {
      print("")
      print("[\(c.name)] \(c.library).\(c.className)")
      do {
        try printComponent(try model.component(c.name))
      } catch let e as CheckpointError {
        // Report every broken component, then fail.
        FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
        failures += 1
      }
    }
    if checkBinding {
      print("")
      guard let runDType = DType(name: dtype) else { throw fail("--dtype must be float32, float16 or bfloat16") }
      for name in ComponentCheck.weightedComponents where model.components.contains(where: { $0.name == name }) {
        do {
          let count = try ComponentCheck.bind(name, in: model, dtype: runDType)
          print("\(name): binds (\(count) tensors, \(runDType) run)")
        } catch {
          FileHandle.standardError.write(Data("error: \(name): \(error)\n".utf8))
          failures += 1
        }
      }
    }
    if failures > 0 { throw ExitCode.failure }
  }

  /// Weight files of a component folder: every variant present, each validated.
  func printComponent(_ component: ComponentFolder) throws {
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: component.path)) ?? []).sorted()
    let weightFiles = files.filter { $0.hasSuffix(".safetensors") }
    let configs = files.filter { $0.hasSuffix(".json") && !$0.contains(".index") }
    if !configs.isEmpty { print("  config: \(configs.joined(separator: ", "))") }
    if weightFiles.isEmpty { print("  (no weights)") }
    for name in weightFiles {
      let file = try SafeTensorsFile(path: component.file(name))
      try printFile(file, listTensors: tensors, indent: "  ")
    }
  }

  func printFile(_ file: SafeTensorsFile, listTensors: Bool, indent: String = "") throws {
    let params = file.entries.reduce(0) { $0 + $1.elementCount }
    var byType: [String: Int] = [:]
    for e in file.entries { byType[e.storage.rawValue, default: 0] += 1 }
    let types = byType.keys.sorted().map { "\($0) ×\(byType[$0]!)" }.joined(separator: ", ")
    print("\(indent)\((file.path as NSString).lastPathComponent): \(file.entries.count) tensors, "
      + "\(Format.grouped(params)) parameters, \(Format.bytes(file.fileSize)) [\(types)]")
    guard listTensors else { return }
    let width = file.entries.map(\.name.count).max() ?? 0
    for e in file.entries.sorted(by: { $0.name < $1.name }) {
      let shape = "[" + e.shape.map(String.init).joined(separator: ", ") + "]"
      print("\(indent)  \(e.name.padding(toLength: width, withPad: " ", startingAt: 0))  "
        + "\(e.storage.rawValue.padding(toLength: 4, withPad: " ", startingAt: 0))  \(shape)  \(Format.bytes(e.byteCount))")
    }
  }
}
