import Foundation
import Testing
import TestSupport

@Suite("wheelcache build: build environments are made once and shared")
struct BuildEnvironmentTests {
    static func variant(_ n: Int) -> String { CacheCommandTests.variant(n) }

    /// The complete environments in the CLI's cache (folders holding env.json).
    static func environments(_ cli: CLI) -> [String] {
        cli.scratch.files("cache/envs-v1").filter { $0.hasSuffix("/env.json") }
            .map { cli.cache + "/envs-v1/" + ($0 as NSString).deletingLastPathComponent }
    }

    /// An environment's `env.json`.
    static func record(_ folder: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/env.json"))) as? [String: Any])
    }

    /// Copies wheels of the resolver fixtures' `basic` folder into `folder`, made if missing.
    static func addBasicWheels(_ wheels: [String], to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for wheel in wheels {
            try FileManager.default.copyItem(atPath: TestFixtures.sdist("resolver/basic/" + wheel), toPath: folder + "/" + wheel)
        }
    }

    /// The hook log lines: (hook, pid, sys.prefix).
    static func hooks(_ file: String) -> [(hook: String, pid: String, prefix: String)] {
        ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").map {
            let parts = $0.split(separator: " ", maxSplits: 2).map(String.init)
            return (parts[0], parts[1], parts.count > 2 ? parts[2] : "")
        }
    }

    static func inode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int)
    }

    /// An sdist of the fake backend whose `[build-system] requires` is `requires`.
    static func fakeSdist(_ cli: CLI, name: String, requires: String) throws -> String {
        let top = cli.scratch.path + "/src-\(name)/\(name)-1.0"
        try FileManager.default.createDirectory(atPath: (top as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestFixtures.repository + "/Fixtures/packages/fakepkg", toPath: top)
        let pyproject = top + "/pyproject.toml"
        let text = try String(contentsOfFile: pyproject, encoding: .utf8)
            .replacingOccurrences(of: "requires = []", with: "requires = \(requires)")
            .replacingOccurrences(of: "name = \"fakepkg\"", with: "name = \"\(name)\"")
        try text.write(toFile: pyproject, atomically: true, encoding: .utf8)
        let sdist = cli.scratch.path + "/\(name)-1.0.tar.gz"
        let tar = try run("/bin/tar", ["-czf", sdist, "-C", (top as NSString).deletingLastPathComponent, "\(name)-1.0"])
        #expect(tar.status == 0, "\(tar.stderr)")
        return sdist
    }

    @Test("the first build makes the environment; builds of other projects with the same requirements reuse it untouched")
    func reusedAcrossProjects() throws {
        let cli = CLI()
        let log = cli.scratch.path + "/hooks"
        let (first, _) = try cli.build([Self.variant(1)], env: ["WHEELCACHE_FAKE_HOOK_LOG": log])
        #expect(first.status == 0, "\(first.stderr)")
        let made = Self.environments(cli)
        try #require(made.count == 1)
        let venv = made[0] + "/venv"
        let marker = try Self.inode(venv + "/pyvenv.cfg")

        let (second, results) = try cli.build([Self.variant(2), Self.variant(3)], ["-j", "2"], env: ["WHEELCACHE_FAKE_HOOK_LOG": log])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(results.map { $0["status"] as? String } == ["built", "built"])
        #expect(Self.environments(cli) == made)
        #expect(try Self.inode(venv + "/pyvenv.cfg") == marker)
        // Every hook of every build ran inside the one environment.
        let hooks = Self.hooks(log)
        #expect(hooks.count == 6)
        #expect(hooks.allSatisfy { $0.prefix == venv }, "\(hooks)")

        let record = try Self.record(made[0])
        #expect(record["requirements"] as? [String] == [])
        // Nothing to resolve: wheelcache makes it, without asking the (default) index anything.
        #expect(record["installer"] as? String == "wheelcache")
        let info = try #require(CacheCommandTests.json(try CacheCommandTests.cache(cli, ["info", "--json"])) as? [String: Any])
        #expect(info["build_environments"] as? Int == 1)
        #expect(try CacheCommandTests.cache(cli, ["info"]).stdout.contains("Build environments: 1"))
    }

    @Test("offline, an environment is keyed by the exact wheels it resolves to: requirement lists that resolve alike share one, and a newer wheel in the -f folder gets a new one")
    func keyedByResolvedSet() throws {
        let cli = CLI()
        let house = cli.scratch.path + "/house"
        try Self.addBasicWheels(["beta-1.0-py3-none-any.whl"], to: house)
        let log = cli.scratch.path + "/hooks"
        let env = ["WHEELCACHE_FAKE_HOOK_LOG": log]
        let offline = ["--no-index", "-f", house]
        func installed(_ folder: String) throws -> [String] { try Self.record(folder)["installed"] as? [String] ?? [] }
        let first = try Self.fakeSdist(cli, name: "usesbeta", requires: "[\"beta\"]")
        let second = try Self.fakeSdist(cli, name: "usesbetatoo", requires: "[\"beta >= 1.0\"]")
        let (a, _) = try cli.build([first, second], offline, env: env)
        #expect(a.status == 0, "\(a.stderr)")
        let made = Self.environments(cli)
        try #require(made.count == 1, "both lists resolve to beta 1.0")
        #expect(try installed(made[0]) == ["beta==1.0"])
        #expect(Set(Self.hooks(log).map(\.prefix)) == [made[0] + "/venv"])

        try Self.addBasicWheels(["beta-2.0-py3-none-any.whl"], to: house)
        let (b, results) = try cli.build([first], offline + ["--no-binary", ":all:"], env: env)
        #expect(b.status == 0, "\(b.stderr)")
        #expect(results.first?["status"] as? String == "rebuilt")
        let now = Self.environments(cli)
        #expect(now.count == 2)
        let newer = try #require(now.first { $0 != made[0] })
        #expect(try installed(newer) == ["beta==2.0"])
        #expect(Self.hooks(log).last?.prefix == newer + "/venv")
    }

    @Test("with an index (scripts/index-server), wheelcache installs the environment itself, keyed by the exact wheels it resolves to: a rebuild reads the index pages but downloads no wheel, and a new release on the index gets a new environment")
    func indexKeyedByResolvedSet() throws {
        let cli = CLI()
        let dists = cli.scratch.path + "/dists"
        try Self.addBasicWheels(["beta-1.0-py3-none-any.whl"], to: dists)
        let server = try IndexServer(serving: dists)
        let log = cli.scratch.path + "/hooks"
        let env = ["WHEELCACHE_FAKE_HOOK_LOG": log]
        let wheelFetches = { server.requests.filter { $0.path.hasPrefix("/files/") }.count }
        let sdist = try Self.fakeSdist(cli, name: "usesbeta", requires: "[\"beta\"]")
        let (a, _) = try cli.build([sdist], ["-i", server.simple], env: env)
        #expect(a.status == 0, "\(a.stderr)")
        let made = Self.environments(cli)
        try #require(made.count == 1)
        #expect(try Self.record(made[0])["installer"] as? String == "wheelcache")
        #expect(try Self.record(made[0])["installed"] as? [String] == ["beta==1.0"])
        #expect(wheelFetches() == 1)

        let pages = server.requests.count
        let (b, rebuilt) = try cli.build([sdist], ["-i", server.simple, "--no-binary", ":all:"], env: env)
        #expect(b.status == 0, "\(b.stderr)")
        #expect(rebuilt.first?["status"] as? String == "rebuilt")
        #expect(Self.environments(cli) == made)
        #expect(server.requests.count > pages, "the index is asked again: it may have a newer release")
        #expect(wheelFetches() == 1)

        try Self.addBasicWheels(["beta-2.0-py3-none-any.whl"], to: dists)
        let (c, _) = try cli.build([sdist], ["-i", server.simple, "--no-binary", ":all:"], env: env)
        #expect(c.status == 0, "\(c.stderr)")
        let now = Self.environments(cli)
        #expect(now.count == 2)
        let newer = try #require(now.first { $0 != made[0] })
        #expect(try Self.record(newer)["installed"] as? [String] == ["beta==2.0"])
        #expect(Self.hooks(log).last?.prefix == newer + "/venv")
    }

    @Test("without -i, the index pip would use is where build requirements come from: PIP_INDEX_URL, or index-url in the pip.conf PIP_CONFIG_FILE names")
    func pipSettingsChooseTheIndex() throws {
        let cli = CLI()
        let dists = cli.scratch.path + "/dists"
        try Self.addBasicWheels(["beta-1.0-py3-none-any.whl"], to: dists)
        let server = try IndexServer(serving: dists)
        let sdist = try Self.fakeSdist(cli, name: "usesbeta", requires: "[\"beta\"]")
        let config = cli.scratch.path + "/pip.conf"
        try "[global]\nindex-url = \(server.simple)\n".write(toFile: config, atomically: true, encoding: .utf8)
        for (step, env) in [["PIP_INDEX_URL": server.simple], ["PIP_CONFIG_FILE": config]].enumerated() {
            let before = server.requests.filter { $0.path.hasPrefix("/simple/beta") }.count
            let (result, _) = try cli.build([sdist], step == 0 ? [] : ["--no-binary", ":all:"], env: env)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(server.requests.filter { $0.path.hasPrefix("/simple/beta") }.count == before + 1, "\(env)")
        }
        let made = Self.environments(cli)
        try #require(made.count == 1)
        let record = try Self.record(made[0])
        #expect(record["installer"] as? String == "wheelcache")
        #expect(record["installed"] as? [String] == ["beta==1.0"])
    }

    @Test("get_requires_for_build_wheel and build_wheel run in one process when the environment has what the first asks for")
    func oneProcessWhenSatisfied() throws {
        let cli = CLI()
        let log = cli.scratch.path + "/hooks"
        let sdist = try Self.fakeSdist(cli, name: "needsflit", requires: "[\"flit-core\"]")
        let (result, _) = try cli.build([sdist], CLI.offline, env: ["WHEELCACHE_FAKE_HOOK_LOG": log, "WHEELCACHE_FAKE_REQUIRES": "flit_core"])
        #expect(result.status == 0, "\(result.stderr)")
        let hooks = Self.hooks(log)
        #expect(hooks.map(\.hook) == ["get_requires_for_build_wheel", "build_wheel"])
        #expect(Set(hooks.map(\.pid)).count == 1, "\(hooks)")
        let record = try Self.record(Self.environments(cli)[0])
        #expect((record["installed"] as? [String] ?? []).contains { $0.hasPrefix("flit_core==") || $0.hasPrefix("flit-core==") }, "\(record)")
    }

    @Test("requirements get_requires_for_build_wheel adds that are missing get an environment of their own, also reused")
    func extraRequirementsGetTheirOwnEnvironment() throws {
        let cli = CLI()
        let log = cli.scratch.path + "/hooks"
        let env = ["WHEELCACHE_FAKE_HOOK_LOG": log, "WHEELCACHE_FAKE_REQUIRES": "flit-core"]
        let (first, _) = try cli.build([Self.variant(1)], CLI.offline, env: env)
        #expect(first.status == 0, "\(first.stderr)")
        let made = Self.environments(cli)
        #expect(made.count == 2)
        let hooks = Self.hooks(log)
        #expect(hooks.map(\.hook) == ["get_requires_for_build_wheel", "build_wheel"])
        #expect(hooks[0].prefix != hooks[1].prefix)
        // build_wheel ran where flit-core is installed.
        let withFlit = try #require(made.first { folder in
            let text = (try? String(contentsOfFile: folder + "/env.json", encoding: .utf8)) ?? ""
            return text.contains("\"requirements\":[\"flit-core\"]")
        })
        #expect(hooks[1].prefix == withFlit + "/venv")

        let (second, _) = try cli.build([Self.variant(2)], CLI.offline, env: env)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(Self.environments(cli) == made)
        #expect(Self.hooks(log).suffix(2).map(\.prefix) == hooks.map(\.prefix))
    }

    @Test("builds running at once in several processes make one environment between them")
    func parallelProcessesMakeOne() throws {
        let cli = CLI()
        let processes = (1...4).map { i in
            cli.process(["build", Self.variant(i), "--cache-dir", cli.cache, "-w", cli.wheels, "-q"])
        }
        for process in processes { try process.run() }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        #expect(Self.environments(cli).count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.cache + "/envs-v1").count == 1)
        #expect(cli.entries.count == 4)
    }

    @Test("an environment left half-made (no env.json) is made again, not used")
    func halfMadeIsReplaced() throws {
        let cli = CLI()
        _ = try cli.build([Self.variant(1)])
        let folder = try #require(Self.environments(cli).first)
        // As a process killed while creating it would leave it.
        try FileManager.default.removeItem(atPath: folder + "/env.json")
        #expect(FileManager.default.createFile(atPath: folder + "/venv/junk", contents: Data("x".utf8)))
        let (result, _) = try cli.build([Self.variant(2)])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.environments(cli) == [folder])
        #expect(!FileManager.default.fileExists(atPath: folder + "/venv/junk"))
    }

    @Test("an environment whose requirements cannot be installed is not kept, and the error says what failed")
    func failedInstallLeavesNothing() throws {
        let cli = CLI()
        let sdist = try Self.fakeSdist(cli, name: "needsmissing", requires: "[\"no-such-backend-xyz\"]")
        let (result, results) = try cli.build([sdist], CLI.offline)
        #expect(result.status == 1)
        let error = results.first?["error"] as? String ?? ""
        #expect(error.contains("installing build requirements"), "\(results)")
        #expect(Self.environments(cli).isEmpty)
        #expect(cli.scratch.files("cache/envs-v1").allSatisfy { $0.hasSuffix("/lock") }, "\(cli.scratch.files("cache/envs-v1"))")
        // prune clears the empty folder it leaves.
        let pruned = try CacheCommandTests.cache(cli, ["prune"])
        #expect(pruned.status == 0, "\(pruned.stderr)")
        #expect(cli.scratch.files("cache/envs-v1").isEmpty)
    }

    @Test("environments are pruned like entries (least recently used first), and made again when needed")
    func prunedLikeEntries() throws {
        let cli = CLI()
        _ = try cli.build([Self.variant(1)])
        let folder = try #require(Self.environments(cli).first)
        let info = try #require(CacheCommandTests.json(try CacheCommandTests.cache(cli, ["info", "--json"])) as? [String: Any])
        let total = try #require(info["total_bytes"] as? Int)
        // The environment was last used when the build began, before its entry was stored:
        // one byte over the limit removes the environment and keeps the entry.
        let pruned = try CacheCommandTests.cache(cli, ["prune", "--max-size", "\(total - 1)", "--json"])
        let report = try #require(CacheCommandTests.json(pruned) as? [String: Any])
        // (Litter, such as the entry's spent lock file, goes first whatever the limit.)
        let removed = (report["removed"] as? [[String: Any]] ?? []).map { ($0["kind"] as? String ?? "", $0["path"] as? String ?? "") }
            .filter { $0.0 != "litter" }
        #expect(removed.map(\.0) == ["build-env"], "\(removed)")
        #expect(removed.first?.1 == folder)
        #expect(cli.entries.count == 1)
        #expect(Self.environments(cli).isEmpty)

        let (again, _) = try cli.build([Self.variant(2)])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Self.environments(cli).count == 1)
        let aged = try CacheCommandTests.cache(cli, ["prune", "--max-age", "0s", "--json"])
        let kinds = ((CacheCommandTests.json(aged) as? [String: Any])?["removed"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(kinds.contains("build-env"), "\(kinds)")
        #expect(Self.environments(cli).isEmpty)
    }

    @Test("with --no-cache-dir the build gets a private environment and leaves none behind")
    func noCacheDirUsesAPrivateEnvironment() throws {
        let cli = CLI()
        let log = cli.scratch.path + "/hooks"
        let result = try cli.run(["build", Self.variant(1), "--no-cache-dir", "-w", cli.wheels],
                                 env: ["WHEELCACHE_FAKE_HOOK_LOG": log, "TMPDIR": cli.scratch.path + "/tmp"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.hooks(log).allSatisfy { $0.prefix.hasSuffix("/build/env") }, "\(Self.hooks(log))")
        #expect(!FileManager.default.fileExists(atPath: cli.cache))
    }

    @Test("from a wheel folder alone, wheelcache makes the environment itself: the same set pip installs, and the same wheel")
    func nativeInstallerMatchesPip() throws {
        let sdist = TestFixtures.repository + "/Fixtures/sampleproject-1.0.0.tar.gz"
        var records: [String: [String: Any]] = [:]
        var members: [String: [String]] = [:]
        for installer in ["auto", "pip"] {
            let cli = CLI()
            let (result, results) = try cli.build([sdist], CLI.offline, env: ["WHEELCACHE_INSTALLER": installer])
            #expect(result.status == 0, "\(result.stderr)")
            let folder = try #require(Self.environments(cli).first)
            records[installer] = try Self.record(folder)
            let wheel = try #require(results.first?["wheel"] as? String)
            let listing = try run(TestFixtures.python, ["-c", "import sys, zipfile; print('\\n'.join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))", wheel])
            members[installer] = listing.stdout.split(separator: "\n").map(String.init)
        }
        #expect(records["auto"]?["installer"] as? String == "wheelcache")
        #expect(records["pip"]?["installer"] as? String == "pip")
        #expect(records["auto"]?["installed"] as? [String] == records["pip"]?["installed"] as? [String])
        #expect(members["auto"] == members["pip"] && members["auto"]?.isEmpty == false)
    }

    @Test("with WHEELCACHE_INSTALLER=uv and uv on PATH, uv makes the environment (bytecode compiled) and real setuptools builds in it")
    func uvMakesTheEnvironment() throws {
        let uv = (TestFixtures.remotePython as NSString).deletingLastPathComponent
        try #require(FileManager.default.isExecutableFile(atPath: uv + "/uv"), "run scripts/remote-env")
        let cli = CLI()
        let path = uv + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let (result, results) = try cli.build([TestFixtures.repository + "/Fixtures/sampleproject-1.0.0.tar.gz"], CLI.offline,
                                              env: ["PATH": path, "WHEELCACHE_INSTALLER": "uv"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(results.first?["status"] as? String == "built")
        let folder = try #require(Self.environments(cli).first)
        let record = try Self.record(folder)
        #expect(record["installer"] as? String == "uv")
        #expect((record["installed"] as? [String] ?? []).contains("setuptools==80.9.0"), "\(record)")
        #expect(cli.scratch.files("cache/envs-v1").contains { $0.contains("/setuptools/__pycache__/") && $0.hasSuffix(".pyc") })
    }
}

@Suite("build constraints (pip's --build-constraint, PIP_BUILD_CONSTRAINT)")
struct BuildConstraintTests {
    typealias Envs = BuildEnvironmentTests

    @Test("a constraint pinning a backend older than the newest in the wheel folder gives an environment with that version; another constraint another environment (key); from the flag, PIP_BUILD_CONSTRAINT, and with pip making the environment")
    func constrained() throws {
        let cli = CLI()
        let house = cli.scratch.path + "/house"
        try Envs.addBasicWheels(["beta-1.0-py3-none-any.whl", "beta-2.0-py3-none-any.whl"], to: house)
        let sdist = try Envs.fakeSdist(cli, name: "usesbeta", requires: "[\"beta\"]")
        let offline = ["--no-index", "-f", house]
        func installed(_ folder: String) throws -> [String] { try Envs.record(folder)["installed"] as? [String] ?? [] }
        let old = cli.scratch.path + "/old.txt", new = cli.scratch.path + "/new.txt"
        // As pip-compile writes them, with hashes: the installers get the lines without them.
        let sha = try RequirementsFileTests.sha256(house + "/beta-1.0-py3-none-any.whl")
        try "# keep the old backend\nbeta==1.0 \\\n    --hash=sha256:\(sha)\n".write(toFile: old, atomically: true, encoding: .utf8)
        try "beta>=2\n".write(toFile: new, atomically: true, encoding: .utf8)

        let (a, _) = try cli.build([sdist], offline + ["--build-constraint", old])
        #expect(a.status == 0, "\(a.stderr)")
        let first = Envs.environments(cli)
        try #require(first.count == 1)
        #expect(try installed(first[0]) == ["beta==1.0"])

        let (b, _) = try cli.build([sdist], offline + ["--no-binary", ":all:"], env: ["PIP_BUILD_CONSTRAINT": new])
        #expect(b.status == 0, "\(b.stderr)")
        let second = Envs.environments(cli).filter { !first.contains($0) }
        try #require(second.count == 1, "another constraint, another environment")
        #expect(try installed(second[0]) == ["beta==2.0"])

        // pip makes it (keyed by the requirements, the index options and the constraints' lines).
        let plain = cli.scratch.path + "/plain.txt"
        try "beta==1.0\n".write(toFile: plain, atomically: true, encoding: .utf8)
        let (c, _) = try cli.build([sdist], offline + ["--no-binary", ":all:", "--build-constraint", plain],
                                   env: ["WHEELCACHE_INSTALLER": "pip"])
        #expect(c.status == 0, "\(c.stderr)")
        let byPip = Envs.environments(cli).filter { !first.contains($0) && !second.contains($0) }
        try #require(byPip.count == 1)
        #expect(try installed(byPip[0]) == ["beta==1.0"])
        #expect(try Envs.record(byPip[0])["installer"] as? String == "pip")

        let missing = try cli.run(["build", sdist, "--build-constraint", cli.scratch.path + "/nope.txt"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read the build constraints file"), "\(missing.stderr)")
    }

    @Test("a hashed build constraint picks the wheel with that hash over a newer one and keys the environment by it; a hash no wheel has, or hashes pip would have to check, fail the build naming the project and store nothing")
    func hashedConstraints() throws {
        let cli = CLI()
        let house = cli.scratch.path + "/house"
        try Envs.addBasicWheels(["beta-1.0-py3-none-any.whl", "beta-2.0-py3-none-any.whl"], to: house)
        let sdist = try Envs.fakeSdist(cli, name: "usesbeta", requires: "[\"beta\"]")
        let offline = ["--no-index", "-f", house]
        let old = try RequirementsFileTests.sha256(house + "/beta-1.0-py3-none-any.whl")
        let new = try RequirementsFileTests.sha256(house + "/beta-2.0-py3-none-any.whl")
        func constraint(_ text: String) throws -> String {
            let path = cli.scratch.path + "/c\(text.hashValue).txt"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        // No version limit: the hash alone chooses 1.0 although 2.0 is newer.
        let (a, _) = try cli.build([sdist], offline + ["--build-constraint", try constraint("beta --hash=sha256:\(old)\n")])
        #expect(a.status == 0, "\(a.stderr)")
        let first = Envs.environments(cli)
        try #require(first.count == 1)
        #expect(try Envs.record(first[0])["installed"] as? [String] == ["beta==1.0"])

        // The same line with the other wheel's hash: another environment, with 2.0.
        let (b, _) = try cli.build([sdist], offline + ["--no-binary", ":all:", "--build-constraint",
                                                        try constraint("beta --hash=SHA256:\(new)\n")])
        #expect(b.status == 0, "\(b.stderr)")
        let second = Envs.environments(cli).filter { !first.contains($0) }
        try #require(second.count == 1)
        #expect(try Envs.record(second[0])["installed"] as? [String] == ["beta==2.0"])

        let entries = cli.entries
        let wrong = String(repeating: "ab", count: 32)
        for (file, env) in [(try constraint("beta==1.0 --hash=sha256:\(new)\n"), [String: String]()),
                            (try constraint("beta --hash=sha256:\(wrong)\n"), [:]),
                            (try constraint("beta==1.0 --hash=sha256:\(old)\n"), ["WHEELCACHE_INSTALLER": "pip"])] {
            let (failed, _) = try cli.build([sdist], offline + ["--no-binary", ":all:", "--build-constraint", file], env: env)
            #expect(failed.status == 1, "\(failed.stdout)")
            #expect(failed.stderr.contains("the build constraints pin hashes for beta"), "\(failed.stderr)")
            #expect(cli.entries == entries, "nothing stored")
        }

        let (bad, _) = try cli.build([sdist], offline + ["--build-constraint", try constraint("beta --hash=sha1:abc\n")])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("is not ALGORITHM:HEXDIGEST"), "\(bad.stderr)")
    }
}
