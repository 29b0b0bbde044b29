import ArgumentParser
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `wheelcache` command: parses, delegates to the library, renders.
@main
struct Wheelcache: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wheelcache",
        abstract: "Build Python wheels once, cache them by content, and hand them out in milliseconds.",
        version: "0.1.0",
        subcommands: [Build.self, Plan.self, CacheCommand.self])

    /// Runs the command; usage errors exit with 2 (as pip's do), not argument-parser's 64.
    static func main() {
        do {
            let arguments = CommandLine.arguments.dropFirst()
            if arguments.first == "build", let quick = QuickBuildParser.parse(arguments.dropFirst()) {
                try quick.run()
            }
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            terminate(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                terminate(0)
            }
            let message = fullMessage(for: error)
            StandardStreams.error(message.hasPrefix("Error:") ? "error:" + message.dropFirst(6) : "error: " + message[...])
            StandardStreams.error("\n")
            terminate(2)
        }
    }
}

/// The C library's `exit` (flushing `print`'s buffer); `ParsableCommand.exit` hides the name.
private func terminate(_ status: Int32) -> Never {
    #if canImport(Glibc)
    Glibc.exit(status)
    #else
    Darwin.exit(status)
    #endif
}
