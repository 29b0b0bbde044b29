import ArgumentParser
import Foundation

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
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = fullMessage(for: error)
            FileHandle.standardError.write(Data((message.hasPrefix("Error:") ? "error:" + message.dropFirst(6) : "error: " + message[...]).utf8))
            FileHandle.standardError.write(Data("\n".utf8))
            Foundation.exit(2)
        }
    }
}
