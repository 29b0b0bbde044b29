import FoundationEssentials
import WheelCache
import WheelSystem

/// Turns a build report into lines (stdout for results, stderr for errors) or one JSON object.
struct ReportRenderer {
    let output: OutputMode

    /// The whole report as one JSON object (with `--json`).
    func renderJSON(_ report: BuildReport) {
        guard output.json else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(report) {
            StandardStreams.output(data + Data("\n".utf8))
        }
    }

    /// One result: a line on stdout, or the failure on stderr.
    func renderOne(_ result: SourceResult) {
        if result.status == .failed {
            renderFailure(result)
        } else if !output.json && !output.quiet {
            // Written at once (not through print's buffer), so CI logs see it as it happens.
            StandardStreams.output(line(result) + "\n")
        }
    }

    private func line(_ result: SourceResult) -> String {
        let status = result.status.rawValue.padded(to: 11)
        let project = [result.name, result.version].compactMap { $0 }.joined(separator: " ")
        var text = "\(status)\(project) -> \(display(result.wheel ?? "?")) (\(result.seconds.fixed(3))s)"
        if result.status == .uncached { text += " [not cached]" }
        if let commit = result.commit {
            text += result.resolvedFrom.map { " [\($0) -> \(commit)]" } ?? " [commit \(commit)]"
        }
        if output.verbose, let key = result.key { text += " key \(key)" }
        return text
    }

    private func renderFailure(_ result: SourceResult) {
        if result.failure == .build {
            Console.error("error: building \(result.source) failed: \(result.error ?? "unknown error")")
        } else {
            Console.error("error: \(result.error ?? "\(result.source) failed")")
        }
        if let tail = result.logTail, !tail.isEmpty {
            Console.error("  caused by (last lines of the build log):")
            for line in tail { Console.error("    | \(line)") }
        }
        if let log = result.log { Console.error("  hint: the whole build log is at \(log)") }
    }

    /// Paths under the current folder are shown relative to it.
    private func display(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        return path.hasPrefix(cwd + "/") ? String(path.dropFirst(cwd.count + 1)) : path
    }
}
