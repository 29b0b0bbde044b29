import ArgumentParser
import WheelStore

extension CacheCommand {
    /// `wheelcache cache list [PATTERN]`: the cached wheels, sorted.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List cached wheels, optionally those whose project (and version) match PATTERN.",
            discussion: "PATTERN is a glob over the PEP 503-normalized project name, optionally followed by -VERSION: 'requests', 'req*', 'my-pkg-1.*'.")

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case human, abspath, json
        }

        @Argument(help: "A project name glob, optionally with -VERSION.")
        var pattern: String?

        @Option(help: "human (default), abspath (one wheel path per line) or json.")
        var format: Format = .human

        @OptionGroup var options: CacheSubcommandOptions

        func run() throws {
            let report = try options.admin().list(matching: pattern)
            switch options.json ? .json : format {
            case .json: options.printJSON(report)
            case .abspath: for entry in report.entries { print(entry.path ?? entry.folder) }
            case .human: print(render(report))
            }
        }

        private func render(_ report: ListReport) -> String {
            guard !report.entries.isEmpty else {
                return report.pattern.map { "No locally built wheels match '\($0)'." } ?? "No locally built wheels cached."
            }
            let lines = report.entries.map { " - \($0.wheel ?? "?") (\(ByteSize.format($0.bytes)), key \($0.key.prefix(12)))" }
            return (["Cache contents:\n"] + lines).joined(separator: "\n")
        }
    }
}
