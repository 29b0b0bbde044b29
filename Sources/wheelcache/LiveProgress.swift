import Foundation
import WheelCache

/// Shows a run as it goes. Results are printed in input order as soon as every earlier one
/// is done (one plain line each: what CI logs want); on a terminal a status line under them
/// names the sources in progress, and a summary ends the run.
final class LiveProgress: @unchecked Sendable {
    private let renderer: ReportRenderer
    private let lock = NSLock()
    private var results: [Int: SourceResult] = [:]
    private var active: [Int: String] = [:]
    private var printed = 0
    private var statusShown = false
    private let interactive: Bool
    private let started = Date()

    init(renderer: ReportRenderer) {
        self.renderer = renderer
        interactive = isatty(STDERR_FILENO) == 1 && !renderer.output.json && !renderer.output.quiet
    }

    var progress: BuildProgress {
        BuildProgress(
            started: { [self] index, label in
                lock.lock(); defer { lock.unlock() }
                active[index] = label
                redraw()
            },
            finished: { [self] index, result in
                lock.lock(); defer { lock.unlock() }
                active[index] = nil
                results[index] = result
                clearStatus()
                while let next = results[printed] {
                    renderer.renderOne(next)
                    printed += 1
                }
                redraw()
            })
    }

    /// Warnings and notices, printed above the status line.
    func notice(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        clearStatus()
        Console.error(text)
        redraw()
    }

    /// Prints what streaming did not (early failures, JSON) and the summary.
    func finish(_ report: BuildReport) {
        lock.lock(); defer { lock.unlock() }
        clearStatus()
        for result in report.results.dropFirst(printed) { renderer.renderOne(result) }
        renderer.renderJSON(report)
        if interactive && report.results.count > 1 {
            var counts: [String: Int] = [:]
            for result in report.results { counts[result.status.rawValue, default: 0] += 1 }
            let parts = counts.keys.sorted().map { "\(counts[$0]!) \($0)" }
            print("\(report.results.count) sources: \(parts.joined(separator: ", ")) in \(String(format: "%.1f", Date().timeIntervalSince(started)))s")
        }
    }

    private func redraw() {
        guard interactive, !active.isEmpty else { return }
        let names = active.keys.sorted().map { active[$0]! }
        var line = "[\(printed + results.count - printed)/\(max(printed, results.count) + active.count)] working on: " + names.joined(separator: ", ")
        if line.count > 150 { line = String(line.prefix(147)) + "..." }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        statusShown = true
    }

    private func clearStatus() {
        guard statusShown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        statusShown = false
    }
}
