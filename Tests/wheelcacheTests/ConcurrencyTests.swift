import Foundation
import Testing
import TestSupport

@Suite("wheelcache build: processes sharing a cache")
struct ConcurrencyTests {
    @Test("four processes started at once on the same sdist build it once, and every one gets the wheel")
    func fourProcessesBuildOnce() throws {
        let cli = CLI()
        try Self.buildOnceFromFourProcesses(cli, TestFixtures.sdist("fakepkg-1.0.tar.gz"))
    }

    @Test("four processes started at once on the same git commit build it once and leave one mirror")
    func fourProcessesBuildOneGitCommitOnce() throws {
        let cli = CLI()
        let (repo, commit) = try GitSourceTests.fakeRepository(cli)
        try Self.buildOnceFromFourProcesses(cli, "git+\(repo.fileURL)@\(commit)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.cache + "/git-v1").count == 1)
        #expect(cli.scratch.files("cache/tmp").filter { !$0.hasSuffix(".lock") }.isEmpty)
    }

    /// Starts four `build SOURCE` processes at once; exactly one builds, the others hit.
    static func buildOnceFromFourProcesses(_ cli: CLI, _ source: String) throws {
        let counter = cli.scratch.path + "/count"
        let env = ["WHEELCACHE_FAKE_COUNTER": counter, "WHEELCACHE_FAKE_MODE": "sleep:1"]
        let processes = (0..<4).map { i in
            let out = cli.scratch.path + "/out\(i).json"
            return (cli.process(["build", source, "--cache-dir", cli.cache, "-w", cli.scratch.path + "/wheels\(i)", "--json"],
                                env: env, output: out), out)
        }
        for (process, _) in processes { try process.run() }
        var statuses: [String] = []
        for (i, (process, out)) in processes.enumerated() {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any]
            let result = try #require((object?["results"] as? [[String: Any]])?.first)
            statuses.append(result["status"] as? String ?? "?")
            #expect(FileManager.default.fileExists(atPath: cli.scratch.path + "/wheels\(i)/fakepkg-1.0-py3-none-any.whl"))
        }
        #expect(cli.counted(counter).count == 1)
        #expect(statuses.sorted() == ["built", "hit", "hit", "hit"])
        #expect(cli.entries.count == 1)
    }
}
