import I2VApp
import Testing

/// Sharding: `--shard K/N`, Slurm job arrays and Kubernetes Indexed Jobs pick the same deterministic split.
@Suite struct BatchShardTests {
  func resolve(_ option: String? = nil, count: Int? = nil, _ env: [String: String] = [:]) throws -> BatchShard {
    try BatchShard.resolve(option: option, countOption: count, environment: env)
  }

  func resolve(count: Int? = nil, _ env: [String: String]) throws -> BatchShard {
    try BatchShard.resolve(option: nil, countOption: count, environment: env)
  }

  func error(_ body: () throws -> BatchShard) -> String {
    do {
      return "no error: \(try body())"
    } catch {
      return "\(error)"
    }
  }

  @Test func everyItemInExactlyOneShard() throws {
    for n in 1...5 {
      let shards = try (0..<n).map { try BatchShard(parsing: "\($0)/\(n)") }
      for position in 0..<23 {
        #expect(shards.filter { $0.contains(position) }.count == 1)
      }
      let sizes = shards.map { s in (0..<23).filter { s.contains($0) }.count }
      #expect(sizes.max()! - sizes.min()! <= 1, "balanced: \(sizes)")
    }
  }

  @Test func optionParsing() throws {
    #expect(try resolve("2/4") == BatchShard(index: 2, count: 4, source: .option))
    #expect(try resolve() == .whole)
    #expect(error { try resolve("4/4") }.contains("K counts from 0"))
    #expect(error { try resolve("1-4") }.contains("K/N"))
    #expect(error { try resolve("0/0") }.contains("at least 1"))
    #expect(error { try resolve("0/2", count: 2) }.contains("--shard-count"))
  }

  @Test func slurmArrays() throws {
    // sbatch --array=0-3
    let plain = ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0",
                 "SLURM_ARRAY_TASK_MAX": "3"]
    #expect(try resolve(plain) == BatchShard(index: 2, count: 4, source: .slurm))
    // sbatch --array=1-4: task ids start at 1
    let fromOne = ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1",
                   "SLURM_ARRAY_TASK_MAX": "4"]
    #expect(try resolve(fromOne).index == 0)
    // sbatch --array=0-6:2 → ids 0, 2, 4, 6
    let stepped = ["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0",
                   "SLURM_ARRAY_TASK_MAX": "6", "SLURM_ARRAY_TASK_STEP": "2"]
    #expect(try resolve(stepped).index == 2)
    // --shard wins over the environment
    #expect(try resolve("0/2", plain) == BatchShard(index: 0, count: 2, source: .option))
    // sbatch --array=1,5,7 is not a range
    let irregular = ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1",
                     "SLURM_ARRAY_TASK_MAX": "7"]
    #expect(error { try resolve(irregular) }.contains("not a plain range"))
    #expect(error { try resolve(["SLURM_ARRAY_TASK_ID": "0"]) }.contains("SLURM_ARRAY_TASK_COUNT is not"))
    #expect(error { try resolve(["SLURM_ARRAY_TASK_ID": "x"]) }.contains("SLURM_ARRAY_TASK_ID='x' is not an integer"))
  }

  @Test func kubernetesIndexedJobs() throws {
    #expect(try resolve(["JOB_COMPLETION_INDEX": "1", "I2V_SHARD_COUNT": "3"]) == BatchShard(index: 1, count: 3, source: .kubernetes))
    #expect(try resolve(count: 3, ["JOB_COMPLETION_INDEX": "2"]) == BatchShard(index: 2, count: 3, source: .kubernetes))
    #expect(error { try resolve(["JOB_COMPLETION_INDEX": "1"]) }.contains("I2V_SHARD_COUNT"))
    #expect(error { try resolve(count: 2, ["JOB_COMPLETION_INDEX": "2"]) }.contains("0 to 1"))
    #expect(error { try resolve(count: 2) }.contains("needs JOB_COMPLETION_INDEX"))
  }
}
