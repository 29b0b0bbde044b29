import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelCache
import WheelStore
import WheelSystem

/// Shows a run as it goes. Results are printed in input order as soon as every earlier one
/// is done (one plain line each: what CI logs want); on a terminal, live status lines under
/// them, one per source in progress, and a summary at the end.
final class LiveProgress: @unchecked Sendable {
    private let renderer: ReportRenderer
    private let lock = Lock()
    private var results: [Int: SourceResult] = [:]
    private var active: [Int: String] = [:]
    private var printed = 0
    /// How many status lines are on the screen below the results.
    private var statusLines = 0
    private var startTimes: [Int: Date] = [:]
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
                clearStatus()
                active[index] = label
                startTimes[index] = Date()
                redraw()
            },
            finished: { [self] index, result in
                lock.lock(); defer { lock.unlock() }
                clearStatus()
                active[index] = nil
                results[index] = result
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
        for problem in report.unwritten { Console.error("error: \(problem)") }
        if interactive && report.results.count > 1 {
            var counts: [String: Int] = [:]
            for result in report.results { counts[result.status.rawValue, default: 0] += 1 }
            let parts = counts.keys.sorted().map { "\(counts[$0]!) \($0)" }
            print("\(report.results.count) sources: \(parts.joined(separator: ", ")) in \(Date().timeIntervalSince(started).fixed(1))s")
        }
    }

    /// One status line per source in progress, under the printed results.
    private func redraw() {
        guard interactive, !active.isEmpty else { return }
        var text = ""
        for index in active.keys.sorted() {
            let seconds = Date().timeIntervalSince(startTimes[index] ?? Date())
            var line = "  working on \(active[index]!) (\(seconds.fixed(0))s)"
            if line.count > 120 { line = String(line.prefix(117)) + "..." }
            text += line + "\n"
        }
        StandardStreams.error(text)
        statusLines = active.count
    }

    /// Moves up over the status lines and clears them.
    private func clearStatus() {
        guard statusLines > 0 else { return }
        StandardStreams.error("\u{1B}[\(statusLines)A\u{1B}[J")
        statusLines = 0
    }
}
