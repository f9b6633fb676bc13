import Foundation
import I2VCheckpoint
@testable import I2VModels
@testable import I2VTensor
import Testing

typealias DbgF = @convention(c) (OpaquePointer, UnsafePointer<CChar>) -> Void
let dbgF: DbgF = unsafeBitCast(dlsym(dlopen("/tmp/libdbg.so", RTLD_NOW), "dbg_strides")!, to: DbgF.self)
func st(_ t: Tensor, _ name: String) { name.withCString { dbgF(t.handle, $0) } }
@Suite struct UNetDebugDumpTmp {
  func dump(_ t: Tensor, _ name: String) throws {
    let f = try t.to(.float32).contiguous().floats()
    try f.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: "/tmp/unetdbg_\(name).bin")) }
  }
  @Test func dumpStages() throws {
    guard let cfg = ProcessInfo.processInfo.environment["UNET_DEBUG"] else { return }
    let parts = cfg.split(separator: ":").map(String.init)
    let dt: DType = parts[2] == "float16" ? .float16 : parts[2] == "bfloat16" ? .bfloat16 : .float32
    let c = UNetFixtureCase(config: parts[0], name: parts[1])
    let u = try UNetFixtureCase.unet(parts[0], dtype: dt)
    let i = try c.firstStepInputs()
    let n = i.sample.size(0), frames = i.sample.size(2), height = i.sample.size(3), width = i.sample.size(4)
    let emb = try u.embedding(timestep: i.timestep, fps: i.fps, batch: n)
    try dump(emb, "emb")
    let embF = try emb.repeatInterleave(frames, dim: 0)
    let ctx0 = try u.contextTokens(imageLatents: i.imageLatents, imageEmbeddings: i.imageEmbeddings, text: i.text)
    try dump(ctx0, "ctx")
    let ctx = try ctx0.repeatInterleave(frames, dim: 0)
    let il = try u.encodeImageLatents(i.imageLatents)
    try dump(il, "il")
    var h = try Tensor.cat([i.sample.to(dt), il], dim: 1)
    h = try h.permute(0, 2, 1, 3, 4).reshape(n * frames, 8, height, width)
    h = try u.convIn(h); try dump(h, "conv_in")
    h = try u.transformerIn(h, frames: frames); try dump(h, "transformer_in")
    var skips = [h]
    for (k, b) in u.downBlocks.enumerated() {
      var g = h
      for (j, l) in b.layers.enumerated() {
        g = try l.resnet(g, emb: embF); try dump(g, "D\(k)_\(j)_res")
        g = try l.tempConv(g, frames: frames); try dump(g, "D\(k)_\(j)_tc")
        if let a = l.attention { g = try a(g, context: ctx); try dump(g, "D\(k)_\(j)_at") }
        if let a = l.tempAttention { g = try a(g, frames: frames); try dump(g, "D\(k)_\(j)_ta") }
      }
      h = try b(h, emb: embF, context: ctx, frames: frames, skips: &skips); try dump(h, "down\(k)") }
    h = try u.midBlock(h, emb: embF, context: ctx, frames: frames); try dump(h, "mid")
    for (k, b) in u.upBlocks.enumerated() {
      var g = h
      var sk = skips
      for (j, l) in b.layers.enumerated() {
        g = try Tensor.cat([g, sk.popLast()!], dim: 1); try dump(g, "U\(k)_\(j)_cat")
        st(g, "U\(k)_\(j)_cat")
        g = try l.resnet(g, emb: embF); try dump(g, "U\(k)_\(j)_res"); st(g, "U\(k)_\(j)_res")
        g = try l.tempConv(g, frames: frames); try dump(g, "U\(k)_\(j)_tc"); st(g, "U\(k)_\(j)_tc")
        if let at = l.attention, k == 3, j == 1 {
          let (b, c, hh, ww) = (g.size(0), g.size(1), g.size(2), g.size(3))
          var t = try at.norm(g); try dump(t, "E_norm"); st(t, "E_norm")
          t = try t.permute(0, 2, 3, 1).reshape(b, hh * ww, c)
          try dump(at.projIn(t.contiguous()), "E_pin_contig")
          try dump(t.matmul(at.projIn.weight.transpose(0, 1)) + at.projIn.bias!, "E_pin_mm")
          try dump(at.projIn.weight, "E_w"); try dump(at.projIn.bias!, "E_b")
          t = try at.projIn(t); try dump(t, "E_pin")
          let bl = at.block
          let n1 = try bl.norm1(t); try dump(n1, "E_n1")
          try dump(bl.attn1.toQ(n1), "E_q")
          let a1 = try bl.attn1(n1); try dump(a1, "E_a1")
          t = try a1 + t
          let n2 = try bl.norm2(t); try dump(n2, "E_n2")
          let a2 = try bl.attn2(n2, context: ctx); try dump(a2, "E_a2")
          t = try a2 + t
          let n3 = try bl.norm3(t); try dump(n3, "E_n3")
          let ff = try bl.ff(n3); try dump(ff, "E_ff")
          t = try ff + t
          try dump(at.projOut(t), "E_pout")
        }
        if let a = l.attention { g = try a(g, context: ctx); try dump(g, "U\(k)_\(j)_at") }
        if let a = l.tempAttention { g = try a(g, frames: frames); try dump(g, "U\(k)_\(j)_ta") }
      }
      h = try b(h, skips: &skips, emb: embF, context: ctx, frames: frames, upsampleSize: nil); try dump(h, "up\(k)") }
    h = try u.convNormOut(h); try dump(h, "out_norm")
  }
}
