import Foundation
import I2VCheckpoint
@testable import I2VModels
import I2VTensor
import Testing

@Suite struct UNetDebugDumpTmp {
  func dump(_ t: Tensor, _ name: String) throws {
    let f = try t.to(.float32).contiguous().floats()
    try f.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: "/tmp/unetdbg_\(name).bin")) }
  }
  @Test func dumpStages() throws {
    guard ProcessInfo.processInfo.environment["UNET_DEBUG"] != nil else { return }
    let c = UNetFixtureCase(config: "tiny-a", name: "a_default")
    let u = try UNetFixtureCase.unet("tiny-a", dtype: .bfloat16)
    let i = try c.firstStepInputs()
    let n = 2, frames = i.sample.size(2), height = i.sample.size(3), width = i.sample.size(4)
    let emb = try u.embedding(timestep: i.timestep, fps: i.fps, batch: n)
    try dump(emb, "emb")
    let embF = try emb.repeatInterleave(frames, dim: 0)
    let ctx0 = try u.contextTokens(imageLatents: i.imageLatents, imageEmbeddings: i.imageEmbeddings, text: i.text)
    try dump(ctx0, "ctx")
    let ctx = try ctx0.repeatInterleave(frames, dim: 0)
    let il = try u.encodeImageLatents(i.imageLatents)
    try dump(il, "il")
    var h = try Tensor.cat([i.sample.to(.bfloat16), il], dim: 1)
    h = try h.permute(0, 2, 1, 3, 4).reshape(n * frames, 8, height, width)
    h = try u.convIn(h); try dump(h, "conv_in")
    h = try u.transformerIn(h, frames: frames); try dump(h, "transformer_in")
    var skips = [h]
    do {
      let l = u.downBlocks[0].layers[0]
      var g = try l.resnet(h, emb: embF); try dump(g, "d0_res")
      g = try l.tempConv(g, frames: frames); try dump(g, "d0_tc")
      g = try l.attention!(g, context: ctx); try dump(g, "d0_at")
      let ta = l.tempAttention!
      let (nf, cc, hh, ww) = (g.size(0), g.size(1), g.size(2), g.size(3))
      var t = try ta.norm(g.reshape(nf / frames, frames, cc, hh, ww).permute(0, 2, 1, 3, 4))
      t = try t.permute(0, 3, 4, 2, 1).reshape(nf / frames * hh * ww, frames, cc)
      t = try ta.projIn(t); try dump(t, "ta_pin")
      let b = ta.block
      let n1 = try b.norm1(t); try dump(n1, "ta_n1")
      let q = try b.attn1.toQ(n1); try dump(q, "ta_q")
      let a1 = try b.attn1(n1); try dump(a1, "ta_a1")
      t = try a1 + t
      t = try b.attn2(b.norm2(t)) + t; try dump(t, "ta_a2")
      t = try b.ff(b.norm3(t)) + t; try dump(t, "ta_ff")
      g = try l.tempAttention!(g, frames: frames); try dump(g, "d0_ta")
    }
    for (k, b) in u.downBlocks.enumerated() { h = try b(h, emb: embF, context: ctx, frames: frames, skips: &skips); try dump(h, "down\(k)") }
    h = try u.midBlock(h, emb: embF, context: ctx, frames: frames); try dump(h, "mid")
    for (k, b) in u.upBlocks.enumerated() { h = try b(h, skips: &skips, emb: embF, context: ctx, frames: frames, upsampleSize: nil); try dump(h, "up\(k)") }
  }
}
