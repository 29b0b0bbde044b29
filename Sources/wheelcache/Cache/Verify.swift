import ArgumentParser
import WheelStore

extension CacheCommand {
    /// `wheelcache cache verify`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check every entry: its manifest, its wheel's SHA-256, and a full wheel validation. Exit 1 if any is bad.")

        @Flag(help: "Remove the bad entries.")
        var repair = false

        @OptionGroup var options: CacheSubcommandOptions

        func run() throws {
            let report = try options.admin().verify(repair: repair)
            if options.json {
                options.printJSON(report)
            } else {
                print(render(report))
            }
            if !report.bad.isEmpty { throw ExitCode(1) }
        }

        private func render(_ report: VerifyReport) -> String {
            guard report.cacheExists else { return "Checked 0 entries: the cache is empty." }
            var lines = report.bad.map { problem in
                let what = [problem.name, problem.version].compactMap { $0 }.joined(separator: " ")
                return "bad      \(what.isEmpty ? "?" : what) (key \(problem.key)): \(problem.reason)\(report.repaired ? " [removed]" : "")"
            }
            let summary = "Checked \(report.checked) entries: \(report.bad.count) bad"
            lines.append(report.bad.isEmpty ? summary + "."
                         : summary + (report.repaired ? ", removed." : "; run 'wheelcache cache verify --repair' to remove them."))
            return lines.joined(separator: "\n")
        }
    }
}
