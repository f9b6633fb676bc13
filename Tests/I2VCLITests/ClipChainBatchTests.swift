import Foundation
import Testing

/// A chained batch item (manifest fields `clips` and `prompt_file`) resumes from its last finished clip.
@Suite struct ClipChainBatchTests {
  @Test func interruptedChainedItemResumesFromItsLastClip() throws {
    let f = try BatchFolder([("a.png", "square_48x48.png")])
    try "a cat sits\na cat stands\na cat jumps\n".write(to: f.root.appendingPathComponent("story.txt"),
                                                        atomically: true, encoding: .utf8)
    let manifest = f.root.appendingPathComponent("jobs.jsonl")
    try #"{"image": "a.png", "clips": 3, "prompt_file": "story.txt"}"#.write(to: manifest, atomically: true,
                                                                            encoding: .utf8)
    // No seed: the resumed run must take the random seed the first run's clips had.
    let args = ["batch", f.input.path, "-o", f.output.path, "--model", CLI.fixture("models/tiny-a"), "--preset",
                "smoke", "--manifest", manifest.path, "--progress"]
    let cut = try CLI.interrupt(args, after: "clip 2 of 3:")
    #expect(cut.status != nil && cut.status != 0, "not interrupted in clip 2: \(cut.stderr)")
    #expect(f.outputs().contains(".a.mp4.i2v-clip-1") && !f.outputs().contains("a.mp4"), "\(f.outputs())")

    let again = try CLI.run(args)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stderr.contains("clip 1 of 3: kept from an earlier run"), "\(again.stderr)")
    let data = try Data(contentsOf: f.output.appendingPathComponent("a.mp4.json"))
    let clips = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["clips"] as? [[String: Any]] ?? []
    #expect(clips.map { $0["resumed"] as? Bool } == [true, false, false])
    #expect(clips.map { $0["prompt"] as? String } == ["a cat sits", "a cat stands", "a cat jumps"])
    let seeds = clips.compactMap { $0["seed"] as? Int }
    #expect(seeds.count == 3 && seeds[1] == seeds[0] + 1 && seeds[2] == seeds[0] + 2)
    #expect(try f.summary().images("done") == ["a.png"])
    #expect(f.outputs().filter { $0.hasPrefix(".") }.isEmpty, "\(f.outputs())")
  }
}
