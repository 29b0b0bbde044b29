import Foundation
import Testing
import TestSupport

@Suite("wheelcache build: failures and bad input")
struct FailureTests {
    @Test("a failing backend exits 1, shows the log tail and where the log is, and leaves no entry")
    func failingBackend() throws {
        let cli = CLI()
        let result = try cli.run(["build", TestFixtures.sdist("fakepkg-1.0.tar.gz"), "-w", cli.wheels],
                                 env: ["WHEELCACHE_FAKE_MODE": "fail"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: building"))
        #expect(result.stderr.contains("| fakebackend: failing on purpose"))
        #expect(result.stderr.contains("| fakebackend: log line 30"))
        let logLine = try #require(result.stderr.split(separator: "\n").first { $0.contains("the whole build log is at") })
        let logPath = String(logLine.split(separator: " ").last!)
        #expect(logPath.hasPrefix(cli.cache + "/logs-v1/"), "the log outlives the staging folder")
        let log = try String(contentsOfFile: logPath, encoding: .utf8)
        #expect(log.contains("fakebackend: log line 1"))
        #expect(cli.entries.isEmpty)
        #expect(cli.scratch.files("wheels").isEmpty)
    }

    @Test("a failed source does not stop the others, and the exit code is still 1")
    func othersStillRun() throws {
        let cli = CLI()
        let broken = cli.scratch.path + "/project"
        try FileManager.default.copyItem(atPath: TestFixtures.repository + "/Fixtures/packages/fakepkg", toPath: broken)
        // A project whose pyproject names a backend that does not exist.
        try "[build-system]\nrequires = []\nbuild-backend = \"no_such_backend\"\n".write(
            toFile: broken + "/pyproject.toml", atomically: true, encoding: .utf8)
        let (result, results) = try cli.build([broken, TestFixtures.sdist("fakepkg-1.0.tar.gz")])
        #expect(result.status == 1)
        #expect(results.map { $0["status"] as? String } == ["failed", "built"])
        #expect((results.first?["error"] as? String)?.contains("no_such_backend") == true)
    }

    @Test("a wheel with a wrong RECORD, a name that disagrees with METADATA, or wrong tags is a validation error and never cached",
          arguments: [("corrupt-record", "does not match its RECORD hash"),
                      ("missing-record-row", "is not listed in RECORD"),
                      ("wrong-name", "file name says project 'othername' but METADATA says 'fakepkg'"),
                      ("wrong-tag", "differ from WHEEL tags"),
                      ("no-wheel", "did not write the wheel it named")])
    func invalidWheelsAreRejected(mode: String, message: String) throws {
        let cli = CLI()
        let result = try cli.run(["build", TestFixtures.sdist("fakepkg-1.0.tar.gz"), "-w", cli.wheels],
                                 env: ["WHEELCACHE_FAKE_MODE": mode])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(cli.entries.isEmpty)
        #expect(cli.scratch.files("wheels").isEmpty)
        #expect(cli.scratch.files("cache/tmp").isEmpty, "staging is cleared")
    }

    @Test("bad input gets one error line, exit 2, and writes nothing to the cache or the wheel folder",
          arguments: [
            ("missing.tar.gz", "does not exist"),
            ("bad/not-an-archive.tar.gz", "is not a readable sdist archive"),
            ("bad/empty.tar.gz", "one top folder"),
            ("bad/dotdot.tar.gz", "climbs out with '..'"),
            ("bad/absolute.tar.gz", "the path is absolute"),
            ("bad/symlink-out.tar.gz", "a symbolic link to '../../outside' leaves the tree"),
            ("bad/hardlink-out.tar.gz", "leaves the tree"),
            ("bad/no-top-folder.tar.gz", "one top folder"),
            ("bad/two-top-folders.tar.gz", "one top folder"),
            ("bad/device.tar.gz", "device files"),
            ("bad/truncated.tar.gz", "damaged"),
            ("bad/malformed-pyproject.tar.gz", "malformed-pyproject.tar.gz (pyproject.toml): pyproject.toml line"),
            ("bad/not-a-project.tar.gz", "not-a-project.tar.gz: no pyproject.toml or setup.py here"),
          ])
    func badInput(source: String, message: String) throws {
        let cli = CLI()
        let path = source == "missing.tar.gz" ? cli.scratch.path + "/missing.tar.gz" : TestFixtures.sdist(source)
        let result = try cli.run(["build", path, "-w", cli.wheels])
        #expect(result.status == 2, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("error: ") == true)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(cli.entries.isEmpty)
        #expect(cli.scratch.files("cache/tmp").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: cli.wheels))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/wheelcache-absolute-escape.txt"))
    }

    @Test("a --python that is not a Python is bad input: one error line, exit 2, nothing written")
    func notAPython() throws {
        let cli = CLI()
        let text = cli.scratch.path + "/python-not"
        try "hello\n".write(toFile: text, atomically: true, encoding: .utf8)
        for python in ["/bin/true", cli.scratch.path + "/no-such-python", text] {
            let result = try cli.run(["build", TestFixtures.sdist("fakepkg-1.0.tar.gz"), "-w", cli.wheels, "--python", python])
            #expect(result.status == 2, "\(python): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("is not a usable Python interpreter"), "\(result.stderr)")
            #expect(cli.entries.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: cli.wheels))
        }
    }

    @Test("usage errors exit 2 with one message")
    func usageErrors() throws {
        let cli = CLI()
        for args in [["build"], ["build", "x.tar.gz", "--cache-dir", "/tmp/a", "--no-cache-dir"], ["build", "x", "--no-binary", "bad name!"], ["frobnicate"]] {
            let result = try cli.run(args, cacheFlag: false)
            #expect(result.status == 2, "\(args): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error:"), "\(args): \(result.stderr)")
        }
    }
}

@Suite("wheelcache build on a full disk")
struct DiskFullTests {
    @Test("a build whose cache's disk is full fails with one error that says so, stores nothing, and the next build with room succeeds",
          .enabled(if: geteuid() == 0, "only root can mount a small tmpfs"))
    func fullDisk() throws {
        let cli = CLI()
        let mnt = cli.scratch.path + "/mnt"
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        let mounted = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt])
        try #require(mounted.status == 0, "\(mounted.stderr)")
        defer { _ = try? run("/bin/umount", ["-l", mnt]) }
        let cache = mnt + "/cache", wheels = mnt + "/wheels"
        // A cache with its build environment made while there is room.
        let first = try cli.run(["build", CacheCommandTests.variant(1), "-w", wheels, "--cache-dir", cache])
        try #require(first.status == 0, "\(first.stderr)")
        // Entries, not the empty per-key lock files a miss leaves (as a failed build does;
        // `cache prune` removes them): the sdist unpacks while the key's lock is taken.
        func stored() -> [String] { TemporaryDirectory.listing(cache + "/wheels-v1").filter { !$0.hasSuffix(".lock") && $0.split(separator: "/").count > 2 } }
        let before = stored()
        let filler = mnt + "/filler"
        try #require(FileManager.default.createFile(atPath: filler, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: filler))
        while (try? handle.write(contentsOf: Data(count: 1 << 16))) != nil {}
        try handle.close()

        let full = try cli.run(["build", CacheCommandTests.variant(2), "-w", wheels, "--cache-dir", cache])
        #expect(full.status == 1)
        let errors = full.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1 && errors[0].contains("No space left on device") && errors[0].contains("--cache-dir"), "\(full.stderr)")
        #expect(stored() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: wheels) == ["fakepkg1-1.0-py3-none-any.whl"])
        #expect((try? FileManager.default.contentsOfDirectory(atPath: cache + "/tmp")) ?? [] == [])

        try FileManager.default.removeItem(atPath: filler)
        let again = try cli.run(["build", CacheCommandTests.variant(2), "-w", wheels, "--cache-dir", cache])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try cli.run(["cache", "verify", "--cache-dir", cache]).status == 0)
    }
}

@Suite("wheelcache: file modes follow the umask")
struct FileModeTests {
    /// Files and folders under `root` (links aside) whose mode has any of `bits`.
    static func exposed(_ root: String, _ bits: mode_t) -> [String] {
        TemporaryDirectory.listing(root).filter { rel in
            var st = stat()
            return lstat(root + "/" + rel, &st) == 0 && st.st_mode & S_IFMT != S_IFLNK && st.st_mode & bits != 0
        }
    }

    @Test("under umask 077 nothing in the cache or the wheel folder is open to the group or others, build environments included; under 022 wheels are 0644")
    func followsUmask() throws {
        let sources = [TestFixtures.sdist("fakepkg-1.0.tar.gz"), TestFixtures.sdist("hatch-pkg-0.3.tar.gz")]
        for (mask, cli) in [("077", CLI()), ("022", CLI())] {
            // Through a shell, so the umask is the child's alone (tests run in parallel).
            let command = (["umask \(mask); exec \"$0\" \"$@\"", CLI.binary, "build"] + sources
                + ["-w", cli.wheels, "--cache-dir", cli.cache] + CLI.offline)
            let result = try run("/bin/sh", ["-c"] + command, environment: TestFixtures.hermeticEnvironment(),
                                 directory: cli.scratch.path)
            try #require(result.status == 0, "\(result.stderr)")
            if mask == "077" {
                #expect(Self.exposed(cli.cache, 0o077) == [])
                #expect(Self.exposed(cli.wheels, 0o077) == [])
                // The environments really were made (their scripts are what venv and pip expose).
                #expect(TemporaryDirectory.listing(cli.cache + "/envs-v1").contains { $0.hasSuffix("/venv/bin/activate") })
            } else {
                for wheel in try FileManager.default.contentsOfDirectory(atPath: cli.wheels) {
                    let mode = try #require(FileManager.default.attributesOfItem(atPath: cli.wheels + "/" + wheel)[.posixPermissions] as? Int)
                    #expect(mode == 0o644, "\(wheel): \(String(mode, radix: 8))")
                }
            }
        }
    }
}

@Suite("wheelcache killed outright")
struct KilledTests {
    @Test("when wheelcache is killed with SIGKILL mid-build, its backend dies with it, and the next run clears the staging folder and builds")
    func backendDiesWithWheelcache() throws {
        let cli = CLI()
        let counter = cli.scratch.path + "/count"
        let process = cli.process(["build", TestFixtures.sdist("fakepkg-1.0.tar.gz"), "--cache-dir", cli.cache, "-w", cli.wheels],
                                  env: ["WHEELCACHE_FAKE_COUNTER": counter, "WHEELCACHE_FAKE_MODE": "sleep:30"])
        try process.run()
        // The counter line ("fakepkg 1.0 PID") appears when build_wheel starts.
        let deadline = Date().addingTimeInterval(60)
        while cli.counted(counter).isEmpty && Date() < deadline { usleep(20_000) }
        let line = try #require(cli.counted(counter).first)
        let backend = try #require(Int32(line.split(separator: " ").last ?? ""))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let gone = Date().addingTimeInterval(5)
        while kill(backend, 0) == 0 && Date() < gone { usleep(20_000) }
        #expect(kill(backend, 0) != 0, "the backend (pid \(backend)) outlived wheelcache")

        let (again, results) = try cli.build([TestFixtures.sdist("fakepkg-1.0.tar.gz")])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(results.first?["status"] as? String == "built")
        #expect(cli.scratch.files("cache/tmp") == [])
    }

    @Test("a run that only hits still clears the staging folder a killed process left")
    func hitsClearStaging() throws {
        let cli = CLI()
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let (first, _) = try cli.build([sdist])
        try #require(first.status == 0, "\(first.stderr)")
        // What a process killed mid-build leaves: a folder and its lock, which nobody holds.
        let tmp = cli.cache + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp + "/stage-killed1/src", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: tmp + "/stage-killed1/src/setup.py", contents: Data("x".utf8)))
        #expect(FileManager.default.createFile(atPath: tmp + "/stage-killed1.lock", contents: nil))
        let (hit, results) = try cli.build([sdist])
        #expect(hit.status == 0, "\(hit.stderr)")
        #expect(results.first?["status"] as? String == "hit")
        #expect(cli.scratch.files("cache/tmp") == [])
    }
}
