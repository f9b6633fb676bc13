import ArgumentParser

/// Every `i2v` subcommand, in the order `--help` lists them.
enum I2VSubcommands {
  static let all: [ParsableCommand.Type] = [
    GenerateCommand.self,
    BatchCommand.self,
    ServeCommand.self,
    PresetsCommand.self,
    VerifyCommand.self,
    DownloadCommand.self,
    InfoCommand.self,
    InspectCommand.self,
    TokenizeCommand.self,
    FramesToVideoCommand.self,
    InterpolateCommand.self,
    AnalyzeCommand.self,
    BenchCommand.self,
  ]
}
