import I2VTensor
import Testing

/// libtorch errors must surface as Swift errors carrying libtorch's message, never as an abort.
@Suite struct ErrorTests {
  @Test func shapeMismatchThrowsWithMessage() throws {
    _ = OpFixtures.shared
    let a = try Tensor.ones([2, 3])
    let b = try Tensor.ones([4, 5])
    do {
      _ = try a.matmul(b)
      Issue.record("matmul of [2,3] and [4,5] did not throw")
    } catch let e as TorchError {
      #expect(e.message.contains("cannot be multiplied"), "message was: \(e.message)")
      #expect(!e.message.contains("Exception raised from"), "C++ backtrace leaked: \(e.message)")
    }
  }

  @Test func badArgumentsThrow() throws {
    let x = try Tensor.ones([1, 3, 4, 4])
    #expect(throws: TorchError.self) { try x.conv2d(Tensor.ones([8, 5, 3, 3])) }
    #expect(throws: TorchError.self) { try x.reshape(5, 7) }
    #expect(throws: TorchError.self) { try x.groupNorm(groups: 2, weight: nil, bias: nil, eps: 1e-5) }
    #expect(throws: TorchError.self) { try Tensor.cat([]) }
    #expect(throws: TorchError.self) { try Runtime.setThreads(0) }
    // The failing calls leave the library usable.
    #expect(try (x + 1).sum().item() == 96)
  }

  @Test func cudaTensorWithoutGPUIsAnError() throws {
    guard try Runtime.cudaDeviceCount() == 0 else { return }
    #expect(throws: TorchError.self) { try Tensor.ones([2], device: .cuda(0)) }
  }

  @Test func deviceParsing() {
    #expect(Device(parsing: "cpu") == .cpu)
    #expect(Device(parsing: "cuda") == .cuda())
    #expect(Device(parsing: "cuda:1") == .cuda(1))
    #expect(Device(parsing: "cuda:-1") == nil)
    #expect(Device(parsing: "tpu") == nil)
    #expect(Device.cuda(2).description == "cuda:2")
  }
}
