import ArgumentParser
import FoundationEssentials
import WheelCache
import WheelSystem

/// `wheelcache plan`: what `build` would do with each source, and why, without building.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what build would do for each source (key, cacheable or not and why, hit or miss), without building or downloading sdists.")

    @OptionGroup var inputs: SourceOptions

    @Flag(help: "Print one JSON object instead of lines.")
    var json = false

    func run() throws {
        let request = try BuildArguments(inputs).request(wheelDirectory: ".")
        let report = BuildPipeline(request: request, notice: { Console.error($0) }).plan()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(report) { StandardStreams.output(data + Data("\n".utf8)) }
        } else {
            for entry in report.plan {
                let action = entry.action.rawValue.padded(to: 15)
                var line = "\(action)\(entry.source)"
                if let name = entry.name { line += " (\(name) \(entry.version ?? ""))" }
                if let resolved = entry.resolvedFrom, let commit = entry.commit { line += " [\(resolved) -> \(commit)]" }
                line += "\n               " + entry.reason
                if let key = entry.key { line += "; key \(key)" }
                if entry.action == .fail { Console.error("error: " + entry.reason) } else { print(line) }
            }
        }
        throw ExitCode(report.exitCode)
    }
}
