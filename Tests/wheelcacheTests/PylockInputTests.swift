import Foundation
import Testing
import TestSupport

@Suite("PEP 751 input: -r pylock.toml as uv and pip write it")
struct PylockInputTests {
    /// Writes a lock of `lines` with `uv pip compile -o pylock.toml` against the setup's index.
    func uvLock(_ setup: RequirementsFileTests.Setup, _ lines: [String]) throws -> String {
        let input = setup.cli.scratch.path + "/in.txt"
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let lock = setup.cli.scratch.path + "/pylock.toml"
        let env = InstallManifestTests.uvEnvironment(cache: setup.cli.scratch.path + "/uv-cache")
        let compiled = try run(InstallManifestTests.uv, ["pip", "compile", input, "-o", lock, "--index-url", setup.server.simple,
                                                         "--python-version", "3.11", "-q"], environment: env)
        #expect(compiled.status == 0, "\(compiled.stderr)")
        return lock
    }

    @Test("a lock written by uv pip compile (an sdist-only project, a wheel, a git commit) is built, and uv installs the locked set from --pylock-out's file offline")
    func uvLockRoundTrip() throws {
        try #require(FileManager.default.isExecutableFile(atPath: InstallManifestTests.uv), "run scripts/remote-env")
        let setup = try RequirementsFileTests.Setup()
        let commit = try run("/usr/bin/git", ["-C", setup.repo.path, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let lock = try uvLock(setup, ["fakepkg3==1.0", "demo==1.0", "gitpkg @ git+\(setup.repo.fileURL)@\(commit)"])
        let (built, results) = try setup.cli.build(["-r", lock, "--pylock-out", setup.cli.wheels + "/pylock.toml"])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(Set(results.compactMap { $0["name"] as? String }) == ["fakepkg3", "demo", "gitpkg"])
        setup.server.stop()
        let venv = setup.cli.scratch.path + "/venv"
        #expect(try run(TestFixtures.python, ["-m", "venv", venv]).status == 0)
        let env = InstallManifestTests.uvEnvironment(cache: setup.cli.scratch.path + "/uv-cache-2")
        let install = try run(InstallManifestTests.uv, ["pip", "install", "--offline", "--no-index", "-r", setup.cli.wheels + "/pylock.toml",
                                                        "--python", venv + "/bin/python"], environment: env)
        #expect(install.status == 0, "\(install.stderr)")
        #expect(try run(venv + "/bin/python", ["-c", "import fakepkg3, demo, gitpkg"]).status == 0)
        // A second run from the same lock is all hits, with the index gone.
        let (again, hits) = try setup.cli.build(["-r", lock])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(hits.map { $0["status"] as? String } == ["hit", "hit", "hit"])
    }

    @Test("a lock exported from a uv project (uv lock, then uv export --format pylock.toml) is built the same way")
    func uvExport() throws {
        try #require(FileManager.default.isExecutableFile(atPath: InstallManifestTests.uv), "run scripts/remote-env")
        let setup = try RequirementsFileTests.Setup()
        let project = setup.cli.scratch.path + "/app"
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        try """
            [project]
            name = "app"
            version = "0.1"
            requires-python = ">=3.9"
            dependencies = ["fakepkg3==1.0", "demo==1.0"]

            [tool.uv]
            package = false
            """.write(toFile: project + "/pyproject.toml", atomically: true, encoding: .utf8)
        let env = InstallManifestTests.uvEnvironment(cache: setup.cli.scratch.path + "/uv-cache")
        let python = ["--python", TestFixtures.python]
        let locked = try run(InstallManifestTests.uv, ["lock", "-q", "--index-url", setup.server.simple] + python,
                             environment: env, directory: project)
        #expect(locked.status == 0, "\(locked.stderr)")
        let exported = try run(InstallManifestTests.uv, ["export", "-q", "--format", "pylock.toml", "-o", "pylock.toml"] + python,
                               environment: env, directory: project)
        #expect(exported.status == 0, "\(exported.stderr)")
        let (built, results) = try setup.cli.build(["-r", project + "/pylock.toml"])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(Set(results.compactMap { $0["status"] as? String }) == ["built", "downloaded"], "\(results)")
    }

    @Test("a lock written by pip lock (a table per file) is built the same way")
    func pipLock() throws {
        let setup = try RequirementsFileTests.Setup()
        let input = setup.cli.scratch.path + "/in.txt"
        try "fakepkg3==1.0\ndemo==1.0\n".write(toFile: input, atomically: true, encoding: .utf8)
        let lock = setup.cli.scratch.path + "/pylock.pip.toml"
        let locked = try run(InstallManifestTests.currentPip, ["-m", "pip", "lock", "-q", "-r", input, "-o", lock,
                                                              "--index-url", setup.server.simple],
                             environment: TestFixtures.hermeticEnvironment())
        #expect(locked.status == 0, "\(locked.stderr)")
        let (built, results) = try setup.cli.build(["-r", lock])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(results.map { $0["status"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["built", "downloaded"])
    }

    @Test("a lock for another Python, other environments, or with a marker that does not apply: an error, or the package skipped")
    func lockScope() throws {
        let cli = CLI()
        let wheel = TestFixtures.wheel("good")
        let sha = try RequirementsFileTests.sha256(wheel)
        func write(_ header: String, marker: String? = nil) throws -> String {
            let path = cli.scratch.path + "/pylock.toml"
            let text = """
                lock-version = "1.0"
                created-by = "test"
                \(header)

                [[packages]]
                name = "demo"
                version = "1.0"
                \(marker.map { "marker = \"\($0)\"" } ?? "")
                wheels = [{ path = "\(wheel)", hashes = { sha256 = "\(sha)" } }]
                """
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let old = try cli.run(["build", "-r", try write("requires-python = \">=3.99\"")])
        #expect(old.status == 2)
        #expect(old.stderr.contains("the lock requires Python >=3.99, and the target interpreter is"), "\(old.stderr)")
        let other = try cli.run(["build", "-r", try write("environments = [\"sys_platform == 'win32'\"]")])
        #expect(other.status == 2)
        #expect(other.stderr.contains("the lock is for other environments (sys_platform == 'win32')"), "\(other.stderr)")
        let skipped = try cli.run(["build", "-r", try write("", marker: "sys_platform == 'win32'"), "-w", cli.wheels])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("its environment marker does not match"), "\(skipped.stderr)")
        let (taken, results) = try cli.build(["-r", try write("requires-python = \">=3.8\"")])
        #expect(taken.status == 0, "\(taken.stderr)")
        #expect(results.first?["status"] as? String == "downloaded")
    }
}
