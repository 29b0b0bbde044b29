import Foundation
import Testing
import TestSupport

@Suite("wheelcache build: the core loop")
struct BuildCommandTests {
    @Test("an sdist builds into a valid wheel, and the same command again is a hit that starts no Python")
    func buildThenHitStartsNoPython() throws {
        let cli = CLI()
        // A wrapper interpreter that counts its own starts.
        let counter = cli.scratch.path + "/python-starts"
        let wrapper = cli.scratch.path + "/counting-python"
        try "#!/bin/sh\necho start >> \(counter)\nexec \(TestFixtures.python) \"$@\"\n".write(toFile: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper)
        let sdist = TestFixtures.repository + "/Fixtures/sampleproject-1.0.0.tar.gz"

        let (first, results) = try cli.build([sdist], CLI.offline + ["--python", wrapper])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(results.first?["status"] as? String == "built")
        let wheel = try #require(results.first?["wheel"] as? String)
        #expect(wheel == cli.wheels + "/sampleproject-1.0.0-py3-none-any.whl")
        let startsAfterBuild = cli.counted(counter).count
        #expect(startsAfterBuild >= 1)

        // The wheel installs with pip from the wheel folder, offline, and its entry point runs.
        let venv = cli.scratch.path + "/venv"
        #expect(try run(TestFixtures.python, ["-m", "venv", venv]).status == 0)
        let install = try run(venv + "/bin/python", ["-m", "pip", "install", "-q", "--no-index", "-f", cli.wheels, "sampleproject"],
                              environment: TestFixtures.hermeticEnvironment())
        #expect(install.status == 0, "\(install.stderr)")
        let sample = try run(venv + "/bin/sample", [])
        #expect(sample.stdout.contains("Call your main application code here"))

        let (second, again) = try cli.build([sdist], CLI.offline + ["--python", wrapper])
        #expect(second.status == 0)
        #expect(again.first?["status"] as? String == "hit")
        #expect(again.first?["sha256"] as? String == results.first?["sha256"] as? String)
        #expect(cli.counted(counter).count == startsAfterBuild, "a hit must not start Python")
    }

    @Test("the same sdist bytes under another name or folder are a hit; one byte changed is a miss")
    func keyIsContentNotPath() throws {
        let cli = CLI()
        let original = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let (_, first) = try cli.build([original])
        #expect(first.first?["status"] as? String == "built")

        let renamed = cli.scratch.path + "/elsewhere/whatever-name.tar.gz"
        try FileManager.default.createDirectory(atPath: cli.scratch.path + "/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: original, toPath: renamed)
        let (_, second) = try cli.build([renamed])
        #expect(second.first?["status"] as? String == "hit")
        #expect(second.first?["key"] as? String == first.first?["key"] as? String)

        // Flip one byte of file content inside the tar, then compress again.
        let changed = cli.scratch.path + "/fakepkg-1.0.tar.gz"
        let script = """
            import gzip, sys
            data = bytearray(gzip.decompress(open(sys.argv[1], 'rb').read()))
            i = data.find(b'Metadata-Version: ')  # file content (PKG-INFO), not a tar header
            data[i] = ord('m')
            open(sys.argv[2], 'wb').write(gzip.compress(bytes(data), mtime=0))
            """
        #expect(try run(TestFixtures.python, ["-c", script, original, changed]).status == 0)
        let (_, third) = try cli.build([changed])
        #expect(third.first?["key"] as? String != first.first?["key"] as? String)
        #expect(third.first?["status"] as? String == "built")
    }

    @Test("an sdist whose pyproject.toml is a symbolic link builds, cached and with --no-cache-dir: its build system is read from the written tree")
    func linkedPyprojectBuilds() throws {
        let cli = CLI()
        let sdist = TestFixtures.sdist("linked/fakepkg-1.0.tar.gz")
        let (first, results) = try cli.build([sdist])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(results.first?["status"] as? String == "built")
        #expect(results.first?["name"] as? String == "fakepkg")
        let (uncached, again) = try cli.build([sdist], ["--no-cache-dir"])
        #expect(uncached.status == 0, "\(uncached.stderr)")
        #expect(again.first?["status"] as? String == "uncached")
    }

    @Test("a local folder is built on every run, leaves no cache entry and does not write into the folder")
    func localFolderIsNeverCached() throws {
        let cli = CLI()
        let project = cli.scratch.path + "/fakepkg"
        try FileManager.default.copyItem(atPath: TestFixtures.repository + "/Fixtures/packages/fakepkg", toPath: project)
        let before = try FileManager.default.subpathsOfDirectory(atPath: project).sorted()
        let counter = cli.scratch.path + "/count"
        for _ in 0..<2 {
            let (result, results) = try cli.build([project], env: ["WHEELCACHE_FAKE_COUNTER": counter])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(results.first?["status"] as? String == "uncached")
            #expect(results.first?["key"] == nil)
            #expect(FileManager.default.fileExists(atPath: cli.wheels + "/fakepkg-1.0-py3-none-any.whl"))
        }
        #expect(cli.counted(counter).count == 2)
        #expect(cli.entries.isEmpty)
        #expect(try FileManager.default.subpathsOfDirectory(atPath: project).sorted() == before)
        let human = try cli.run(["build", project, "-w", cli.wheels])
        #expect(human.stdout.contains("uncached") && human.stdout.contains("[not cached]"))
    }

    @Test("--no-binary NAME and :all: rebuild and replace the entry while the others still hit")
    func noBinaryRebuilds() throws {
        let cli = CLI()
        let one = TestFixtures.sdist("fakepkg-variants/fakepkg1-1.0.tar.gz")
        let two = TestFixtures.sdist("fakepkg-variants/fakepkg2-1.0.tar.gz")
        let counter = cli.scratch.path + "/count"
        let env = ["WHEELCACHE_FAKE_COUNTER": counter]
        _ = try cli.build([one, two], env: env)
        #expect(cli.counted(counter).count == 2)

        let (_, named) = try cli.build([one, two], ["--no-binary", "FakePkg1"], env: env)
        #expect(named.map { $0["status"] as? String } == ["rebuilt", "hit"])
        #expect(cli.counted(counter).count == 3)
        #expect(cli.entries.count == 2)

        let (_, all) = try cli.build([one, two], ["--no-binary", ":all:"], env: env)
        #expect(all.map { $0["status"] as? String } == ["rebuilt", "rebuilt"])
        #expect(cli.counted(counter).count == 5)

        let (_, none) = try cli.build([one, two], ["--no-binary", ":all:", "--no-binary", ":none:"], env: env)
        #expect(none.map { $0["status"] as? String } == ["hit", "hit"])
        #expect(cli.entries.count == 2)
    }

    @Test("a cached wheel with a flipped byte or cut short is evicted with a warning and rebuilt, never delivered")
    func corruptEntriesAreRebuilt() throws {
        let cli = CLI()
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let (_, first) = try cli.build([sdist])
        let good = try #require(first.first?["sha256"] as? String)
        let entry = try #require(cli.entries.first).replacingOccurrences(of: "/entry.json", with: "")
        let cached = cli.cache + "/wheels-v1/" + entry + "/fakepkg-1.0-py3-none-any.whl"

        for damage in ["flip", "truncate"] {
            // Break the cached copy only: the wheel folder's link is replaced by a copy first.
            try FileManager.default.removeItem(atPath: cli.wheels)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: cached)))
            if damage == "flip" { bytes[bytes.count / 2] ^= 0xff } else { bytes.removeLast(40) }
            try FileManager.default.removeItem(atPath: cached)
            try Data(bytes).write(to: URL(fileURLWithPath: cached))

            let (result, results) = try cli.build([sdist])
            #expect(result.status == 0)
            #expect(results.first?["status"] as? String == "rebuilt", "\(damage)")
            #expect(result.stderr.contains("warning: cache entry") && result.stderr.contains("corrupt"), "\(damage)")
            let delivered = try Data(contentsOf: URL(fileURLWithPath: cli.wheels + "/fakepkg-1.0-py3-none-any.whl"))
            #expect(delivered.count > 0)
            #expect(results.first?["sha256"] as? String == good, "the fake backend builds the same bytes again")
        }
    }
}
