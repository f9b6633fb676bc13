import ArgumentParser

/// Every `i2v` subcommand, in the order `--help` lists them.
enum I2VSubcommands {
  static let all: [ParsableCommand.Type] = [
    InfoCommand.self,
    InspectCommand.self,
  ]
}
