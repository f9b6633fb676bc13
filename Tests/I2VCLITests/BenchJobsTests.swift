import Foundation
import Testing

/// `i2v bench --jobs`: every scheduler x cache job side by side, with its UNet evaluations, time, speed-up and PSNR.
@Suite struct BenchJobsTests {
  @Test func jobsAreReportedSideBySide() throws {
    let r = try CLI.run(["bench", "--model", CLI.fixture("models/tiny-a"), "--jobs", "--width", "32", "--height", "32",
                         "--frames", "3", "--steps", "4", "--schedulers", "ddim,euler:3", "--caches", "deep:2,off",
                         "--threads", "1"])
    #expect(r.status == 0, "\(r.stderr)")
    let json = jsonObject(r.stdout)
    #expect(json["baseline"] as? String == "ddim 4 steps, cache off")
    let jobs = json["jobs"] as? [[String: Any]] ?? []
    // Uncached first within each scheduler (the PSNR references), in the order given otherwise.
    let rows = jobs.map { job -> String in
      let e = job["unet_evaluations"] as? [String: Any] ?? [:]
      return "\(job["scheduler"]!) \(job["steps"]!) \(job["cache"]!) \(e["full"]!)+\(e["shallow"]!)"
    }
    #expect(rows == ["ddim 4 off 4+0", "ddim 4 deep:2 2+2", "euler 3 off 3+0", "euler 3 deep:2 2+1"])
    #expect(jobs.first?["speedup"] as? Double == 1)
    for job in jobs {
      let cached = job["cache"] as? String != "off"
      #expect((job["psnr_vs_uncached_db"] as? Double).map { $0 > 0 } == (cached ? true : nil), "\(job)")
      #expect((job["seconds"] as? Double ?? 0) >= (job["denoise_seconds"] as? Double ?? 1), "\(job)")
    }
    #expect(r.stderr.contains("speed-up") && r.stderr.contains("2+2"), "the table: \(r.stderr)")
  }

  /// `--shallow` times DeepCache's shallow pass instead of the full one (which blocks it runs is DeepCacheTests').
  @Test func shallowPassIsTimed() throws {
    let args = ["bench", "--model", CLI.fixture("models/tiny-a"), "--width", "32", "--height", "32", "--frames", "3",
                "--runs", "1", "--warmup", "0", "--threads", "1"]
    let full = try CLI.run(args)
    let shallow = try CLI.run(args + ["--shallow"])
    #expect(full.status == 0 && shallow.status == 0, "\(full.stderr) \(shallow.stderr)")
    #expect(jsonObject(full.stdout)["pass"] as? String == "full")
    #expect(jsonObject(shallow.stdout)["pass"] as? String == "shallow")
  }

  @Test func badListsAreUsageErrors() throws {
    for (flag, value, says) in [("--caches", "off,deep:1", "that is off"), ("--schedulers", "ddim,heun", "'heun'"),
                                ("--schedulers", "ddim:0", "at least 1"),
                                ("--schedulers", "dpm++2m-karras", "zero terminal SNR")] {
      let r = try CLI.run(["bench", "--model", CLI.fixture("models/tiny-a"), "--jobs", flag, value])
      #expect(r.status == 64 && r.stderr.contains(says), "\(flag) \(value): \(r.status) \(r.stderr)")
    }
  }
}
