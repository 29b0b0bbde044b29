import Foundation
import Testing
import TestSupport

@Suite("requirement input: PEP 508 on the command line, every bad line of a file reported")
struct CommandLineRequirementTests {
    @Test("each bad line of a requirements file (nested ones too) is its own error naming FILE:LINE, and nothing runs")
    func everyBadLineReported() throws {
        let cli = CLI()
        let file = cli.scratch.path + "/req.txt", nested = cli.scratch.path + "/more.txt"
        try "requests>=2\n-e ./proj\nok==1.0 --hash=md5:abc\n-r more.txt\n".write(toFile: file, atomically: true, encoding: .utf8)
        try "\nflask~=3.0\n".write(toFile: nested, atomically: true, encoding: .utf8)
        let result = try cli.run(["build", "-r", file])
        #expect(result.status == 2)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        #expect(errors.map { $0.split(separator: " ")[1] } == ["\(file):1:", "\(file):2:", "\(file):3:", "\(nested):2:"], "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.cache))
    }

    @Test("'requests>=2' gets the not-pinned error a requirements line gets (exit 2), while an existing folder of that name is still a folder")
    func unpinnedOnTheCommandLine() throws {
        let cli = CLI()
        let result = try cli.run(["build", "requests>=2"])
        #expect(result.status == 2)
        #expect(result.stderr == "error: source 'requests>=2': not pinned to one version; wheelcache builds exact pins (name==version), as pip-compile and uv pip compile write them\n",
                "\(result.stderr)")
        try FileManager.default.createDirectory(atPath: cli.scratch.path + "/requests", withIntermediateDirectories: true)
        let plan = try cli.run(["plan", "requests", "--json"])
        #expect(plan.stdout.contains(#""kind":"folder""#), "\(plan.stdout) \(plan.stderr)")
    }
}
