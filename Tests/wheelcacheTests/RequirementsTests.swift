import Foundation
import Testing
import TestSupport

/// `build -r`, URLs, pins and `plan`, against scripts/index-server on 127.0.0.1.
@Suite("wheelcache build -r: requirements files, URLs, index pins, parallel builds, plan")
struct RequirementsFileTests {
    static func sha256(_ path: String) throws -> String {
        String(try run("/usr/bin/sha256sum", [path]).stdout.prefix(64))
    }

    /// An index serving fakepkg2…4 as sdists and `demo` as a wheel, a git repository, and a
    /// requirements file mixing every kind of line.
    struct Setup {
        let cli = CLI()
        let server: IndexServer
        let requirements: String
        let repo: GitRepository

        init() throws {
            let dists = cli.scratch.path + "/dists"
            try FileManager.default.createDirectory(atPath: dists, withIntermediateDirectories: true)
            for n in 2...4 {
                try FileManager.default.copyItem(atPath: CacheCommandTests.variant(n), toPath: dists + "/fakepkg\(n)-1.0.tar.gz")
            }
            try FileManager.default.copyItem(atPath: TestFixtures.wheel("good"), toPath: dists + "/demo-1.0-py3-none-any.whl")
            server = try IndexServer(serving: dists)
            repo = try GitRepository(cli.scratch.path + "/gitpkg")
            try repo.add(project: "fakepkg", name: "gitpkg")
            let commit = try repo.commit("first")
            requirements = cli.scratch.path + "/requirements.txt"
            let text = """
                # an sdist path, a URL with #sha256=, a pin with --hash, a git commit, a pin with a wheel on the index
                \(CacheCommandTests.variant(1)) --hash=sha256:\(try sha256(CacheCommandTests.variant(1)))
                \(server.url)/files/fakepkg2-1.0.tar.gz#sha256=\(try sha256(dists + "/fakepkg2-1.0.tar.gz"))
                fakepkg3==1.0 \\
                    --hash=sha256:\(try sha256(dists + "/fakepkg3-1.0.tar.gz"))
                gitpkg @ git+\(repo.fileURL)@\(commit)
                demo==1.0 --hash=sha256:\(try sha256(dists + "/demo-1.0-py3-none-any.whl"))
                """
            try text.write(toFile: requirements, atomically: true, encoding: .utf8)
        }

        func build(_ extra: [String] = []) throws -> (ProcessResult, [[String: Any]]) {
            try cli.build(["-r", requirements, "-i", server.simple] + extra)
        }
    }

    @Test("a mixed requirements file fills the wheel dir, pip installs from it offline, the second run is all hits, and with the server stopped every hash-pinned line still succeeds")
    func mixedRequirements() throws {
        let setup = try Setup()
        let cli = setup.cli
        let (first, results) = try setup.build()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(results.map { $0["status"] as? String } == ["built", "built", "built", "built", "downloaded"])
        #expect(results.map { $0["name"] as? String } == ["fakepkg1", "fakepkg2", "fakepkg3", "gitpkg", "demo"])
        let wheels = try FileManager.default.contentsOfDirectory(atPath: cli.wheels).sorted()
        #expect(wheels.count == 5, "\(wheels)")

        let venv = cli.scratch.path + "/venv"
        #expect(try run(TestFixtures.python, ["-m", "venv", venv]).status == 0)
        let install = try run(venv + "/bin/python", ["-m", "pip", "install", "-q", "--no-index", "-f", cli.wheels,
                                                      "fakepkg1", "fakepkg2", "fakepkg3", "gitpkg", "demo"],
                              environment: TestFixtures.hermeticEnvironment())
        #expect(install.status == 0, "\(install.stderr)")

        let (second, again) = try setup.build()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(again.map { $0["status"] as? String } == ["hit", "hit", "hit", "hit", "hit"])

        setup.server.stop()
        try FileManager.default.removeItem(atPath: cli.wheels)
        let (offline, cached) = try setup.build()
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(cached.map { $0["status"] as? String } == ["hit", "hit", "hit", "hit", "hit"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.wheels).sorted() == wheels)
    }

    @Test("a URL without a hash goes through the HTTP cache: the second run revalidates (304) and reuses the body")
    func urlRevalidates() throws {
        let setup = try Setup()
        let url = setup.server.url + "/files/fakepkg4-1.0.tar.gz"
        let (first, built) = try setup.cli.build([url])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(built.first?["status"] as? String == "built")
        let (second, hit) = try setup.cli.build([url])
        #expect(second.status == 0)
        #expect(hit.first?["status"] as? String == "hit")
        let fetches = setup.server.requests.filter { $0.path == "/files/fakepkg4-1.0.tar.gz" }.map(\.status)
        #expect(fetches == [200, 304])
        #expect(setup.cli.scratch.files("cache/http-v1").contains { $0.hasSuffix("/body") })
    }

    @Test("a pin without --hash takes the index's SHA-256 as its key: the second run reads the index page but downloads nothing")
    func pinWithoutHash() throws {
        let setup = try Setup()
        let (first, built) = try setup.cli.build(["fakepkg3==1.0", "-i", setup.server.simple])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(built.first?["status"] as? String == "built")
        let (_, hit) = try setup.cli.build(["fakepkg3==1.0", "-i", setup.server.simple])
        #expect(hit.first?["status"] as? String == "hit")
        #expect(setup.server.requests.filter { $0.path.hasPrefix("/files/") }.count == 1)
        // --no-binary on a project with an index wheel builds nothing here (demo has no sdist): a clear error.
        let (noSdist, _) = try setup.cli.build(["demo==1.0", "-i", setup.server.simple, "--no-binary", "demo"])
        #expect(noSdist.status == 2)
        #expect(noSdist.stderr.contains("there is no sdist"), "\(noSdist.stderr)")
    }

    @Test("hash mismatches, unknown projects and versions, an index that is down and a malformed line: a clear error naming the line, exit 2, nothing in the wheel dir or the cache")
    func errors() throws {
        let setup = try Setup()
        let cli = setup.cli
        let wrong = String(repeating: "ab", count: 32)
        let lines = [
            ("\(setup.server.url)/files/fakepkg2-1.0.tar.gz#sha256=\(wrong)", "not the expected"),
            ("fakepkg3==1.0 --hash=sha256:\(wrong)", "not the expected"),
            ("nosuchproject==1.0", "the project is unknown"),
            ("fakepkg3==9.9", "that version is not on"),
            ("fakepkg3>=1.0", "not pinned"),
            ("-e ./somewhere", "editable"),
        ]
        for (line, message) in lines {
            let file = cli.scratch.path + "/bad.txt"
            try "# one bad line\n\(line)\n".write(toFile: file, atomically: true, encoding: .utf8)
            let result = try cli.run(["build", "-r", file, "-i", setup.server.simple, "-w", cli.wheels])
            #expect(result.status == 2, "\(line): \(result.stderr)")
            #expect(result.stderr.contains("bad.txt:2"), "\(line): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(line): \(result.stderr)")
            #expect(cli.entries.isEmpty, "\(line)")
            #expect((try? FileManager.default.contentsOfDirectory(atPath: cli.wheels))?.isEmpty ?? true, "\(line)")
            #expect(cli.scratch.files("cache/tmp").isEmpty, "\(line)")
        }
        setup.server.stop()
        let file = cli.scratch.path + "/down.txt"
        try "fakepkg3==1.0\n".write(toFile: file, atomically: true, encoding: .utf8)
        let down = try cli.run(["build", "-r", file, "-i", setup.server.simple, "-w", cli.wheels])
        #expect(down.status == 2)
        #expect(down.stderr.contains("down.txt:1") && down.stderr.contains("cannot reach"), "\(down.stderr)")
        #expect(cli.entries.isEmpty)
    }

    @Test("a line whose environment marker does not match is skipped with a notice")
    func markers() throws {
        let setup = try Setup()
        let file = setup.cli.scratch.path + "/markers.txt"
        try """
            \(CacheCommandTests.variant(1)) ; sys_platform == "win32"
            \(CacheCommandTests.variant(2)) ; python_version >= "3"
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let (result, built) = try setup.cli.build(["-r", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(built.map { $0["name"] as? String } == ["fakepkg2"])
        #expect(result.stderr.contains("skipping") && result.stderr.contains("markers.txt:1"), "\(result.stderr)")
    }

    @Test("with -j the same key asked twice is built once, and results keep the input order")
    func parallelDeduplicatesAndKeepsOrder() throws {
        let cli = CLI()
        let counter = cli.scratch.path + "/counter"
        let sources = [CacheCommandTests.variant(3), CacheCommandTests.variant(1), CacheCommandTests.variant(3), CacheCommandTests.variant(2)]
        let (result, built) = try cli.build(sources, ["-j", "3"], env: ["WHEELCACHE_FAKE_COUNTER": counter, "WHEELCACHE_FAKE_MODE": "sleep:0.5"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(built.map { $0["name"] as? String } == ["fakepkg3", "fakepkg1", "fakepkg3", "fakepkg2"])
        #expect(Set(built.map { $0["status"] as? String }.enumerated().filter { [0, 2].contains($0.offset) }.map(\.element)) == ["built", "hit"])
        #expect(cli.counted(counter).count == 3)
        // Plain lines (no terminal) appear in input order too.
        let human = try cli.run(["build"] + sources + ["-w", cli.wheels, "-j", "2"])
        let names = human.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true)[1] }
        #expect(names == ["fakepkg3", "fakepkg1", "fakepkg3", "fakepkg2"])
    }

    @Test("plan says what build then does, for each kind of source, without building or downloading")
    func planMatchesBuild() throws {
        let setup = try Setup()
        let cli = setup.cli
        let folder = TestFixtures.repository + "/Fixtures/packages/fakepkg"
        let url = setup.server.url + "/files/fakepkg4-1.0.tar.gz"
        func plan() throws -> [[String: Any]] {
            let result = try cli.run(["plan", "-r", setup.requirements, folder, url, "-i", setup.server.simple,
                                      "--cache-dir", cli.cache, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return object?["plan"] as? [[String: Any]] ?? []
        }
        let before = try plan()
        // Command-line sources come first, then the file's lines.
        #expect(before.map { $0["kind"] as? String } == ["folder", "url", "sdist", "url", "pin", "git", "pin"])
        #expect(before.map { $0["action"] as? String } == ["build-uncached", "build", "build", "build", "build", "build", "download"])
        #expect(before[0]["cacheable"] as? Bool == false)
        #expect(before[1]["key"] == nil)
        #expect(cli.entries.isEmpty)
        #expect(!setup.server.requests.contains { $0.path.hasPrefix("/files/") }, "plan downloads nothing")

        let (built, results) = try cli.build(["-r", setup.requirements, folder, url, "-i", setup.server.simple])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(results.map { $0["status"] as? String } == ["uncached", "built", "built", "built", "built", "built", "downloaded"])
        for (planned, done) in zip(before, results) where planned["key"] != nil {
            #expect(planned["key"] as? String == done["key"] as? String, "\(planned["source"] ?? "")")
        }
        let after = try plan()
        #expect(after.map { $0["action"] as? String } == ["build-uncached", "hit", "hit", "hit", "hit", "hit", "hit"])
        #expect(after[1]["key"] as? String == results[1]["key"] as? String)
        let noBinary = try cli.run(["plan", CacheCommandTests.variant(1), "--no-binary", ":all:", "--cache-dir", cli.cache, "--json"])
        #expect(noBinary.stdout.contains(#""action":"rebuild""#), "\(noBinary.stdout)")
    }

    @Test("a URL whose file name would leave the download folder is refused, and nothing is written outside")
    func traversalInURLFileName() throws {
        let setup = try Setup()
        let outside = setup.cli.scratch.path + "/pwned.tar.gz"
        let url = setup.server.url + "/files/..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2F" + setup.cli.scratch.path.dropFirst().replacingOccurrences(of: "/", with: "%2F") + "%2Fpwned.tar.gz"
        let result = try setup.cli.run(["build", url, "-w", setup.cli.wheels, "--cache-dir", setup.cli.cache])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("is not a plain file name"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: outside))
        #expect(setup.cli.entries.isEmpty)
    }

    @Test("a wheel URL without a hash is downloaded once; the next run is a hit")
    func wheelURLHitsTheSecondTime() throws {
        let cli = CLI()
        let url = "file://" + TestFixtures.wheel("good")
        let (first, downloaded) = try cli.build([url])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(downloaded.first?["status"] as? String == "downloaded")
        let (_, hit) = try cli.build([url])
        #expect(hit.first?["status"] as? String == "hit")
    }

    @Test("files whose Requires-Python excludes the target interpreter are skipped, with a clear error when nothing is left")
    func requiresPython() throws {
        let setup = try Setup()
        try ">=4.0".write(toFile: setup.server.root + "/fakepkg4-1.0.tar.gz.requires-python", atomically: true, encoding: .utf8)
        try ">=3.0, <4".write(toFile: setup.server.root + "/fakepkg3-1.0.tar.gz.requires-python", atomically: true, encoding: .utf8)
        let html = try IndexServer(serving: setup.server.root, htmlOnly: true)
        for index in [setup.server.simple, html.simple] {
            let (refused, _) = try setup.cli.build(["fakepkg4==1.0", "-i", index])
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("its files require Python >=4.0"), "\(refused.stderr)")
            let (fits, built) = try setup.cli.build(["fakepkg3==1.0", "-i", index])
            #expect(fits.status == 0, "\(fits.stderr)")
            #expect(["built", "hit"].contains(built.first?["status"] as? String ?? ""))
        }
    }
}
