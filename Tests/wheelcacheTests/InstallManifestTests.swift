import Foundation
import Testing
import TestSupport

/// `--requirements-out` and `--pylock-out`: the CI install step with a hash-pinned lock, run
/// through real pip (the interpreter's and a current one) and real uv, offline.
@Suite("install manifests: pip and uv install exactly what wheelcache delivered, with hashes, offline")
struct InstallManifestTests {
    /// A hash-pinned lock: an sdist-only pin, a pin with a wheel on the index, a URL with
    /// `#sha256=` and a git commit, as `pip-compile --generate-hashes` would write the first two.
    struct Lock {
        let setup: RequirementsFileTests.Setup
        let file: String

        init() throws {
            setup = try RequirementsFileTests.Setup()
            let dists = setup.cli.scratch.path + "/dists"
            let commit = try run("/usr/bin/git", ["-C", setup.repo.path, "rev-parse", "HEAD"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            file = setup.cli.scratch.path + "/locked.txt"
            let text = """
                fakepkg3==1.0 \\
                    --hash=sha256:\(try RequirementsFileTests.sha256(dists + "/fakepkg3-1.0.tar.gz"))
                demo==1.0 ; python_version >= "3" \\
                    --hash=sha256:\(try RequirementsFileTests.sha256(dists + "/demo-1.0-py3-none-any.whl"))
                fakepkg2 @ \(setup.server.url)/files/fakepkg2-1.0.tar.gz#sha256=\(try RequirementsFileTests.sha256(dists + "/fakepkg2-1.0.tar.gz"))
                gitpkg @ git+\(setup.repo.fileURL)@\(commit)

                """
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }

        var wheels: String { setup.cli.wheels }

        /// Builds the lock into the wheel folder, writing both manifests there.
        func build(_ extra: [String] = []) throws -> ProcessResult {
            try setup.cli.run(["build", "-r", file, "-i", setup.server.simple, "-w", wheels,
                               "--requirements-out", wheels + "/requirements.txt", "--pylock-out", wheels + "/pylock.toml"] + extra)
        }

        /// A fresh venv (without pip's index settings), and whether it imports every project.
        func venv(_ name: String) throws -> String {
            let path = setup.cli.scratch.path + "/" + name
            #expect(try run(TestFixtures.python, ["-m", "venv", path]).status == 0)
            return path
        }

        func importsAll(_ venv: String) throws -> Bool {
            let result = try run(venv + "/bin/python", ["-c", "import fakepkg2, fakepkg3, gitpkg, demo"])
            return result.status == 0
        }

        /// The projects a venv holds, as `name==version`.
        func installed(_ venv: String) throws -> [String] {
            let result = try run(venv + "/bin/python", ["-c", """
                import importlib.metadata as m
                print("\\n".join(sorted(d.metadata["Name"].lower() + "==" + d.version for d in m.distributions() if d.metadata["Name"].lower() not in ("pip", "setuptools"))))
                """])
            return result.stdout.split(separator: "\n").map(String.init)
        }
    }

    static let locked = ["demo==1.0", "fakepkg2==1.0", "fakepkg3==1.0", "gitpkg==1.0"]
    static var uv: String { (TestFixtures.remotePython as NSString).deletingLastPathComponent + "/uv" }
    static var currentPip: String { TestFixtures.remotePython }

    @Test("the requirements file pins each delivered wheel with the input's hashes and its own, markers kept; pip (the interpreter's and pip 26) with --require-hashes --no-index and uv --offline --no-index install exactly the locked set")
    func pipAndUvInstallTheLockedSet() throws {
        try #require(FileManager.default.isExecutableFile(atPath: InstallManifestTests.uv), "run scripts/remote-env")
        let lock = try Lock()
        let built = try lock.build()
        #expect(built.status == 0, "\(built.stderr)")
        let text = try String(contentsOfFile: lock.wheels + "/requirements.txt", encoding: .utf8)
        #expect(text.contains("demo==1.0 ; python_version >= \"3\" \\"), "\(text)")
        // fakepkg3: its sdist's and its wheel's; demo: the wheel's, which is its input's; the URL and
        // the commit: their wheels'.
        #expect(text.components(separatedBy: "--hash=sha256:").count - 1 == 5, "\(text)")
        let sdistHash = try RequirementsFileTests.sha256(lock.setup.cli.scratch.path + "/dists/fakepkg3-1.0.tar.gz")
        #expect(text.contains("fakepkg3==1.0 \\\n    --hash=sha256:\(sdistHash) \\\n    --hash=sha256:"), "\(text)")
        lock.setup.server.stop()

        let hermetic = TestFixtures.hermeticEnvironment()
        let ownPip = try lock.venv("pip-own")
        let pip = try run(ownPip + "/bin/python", ["-m", "pip", "install", "-q", "--no-index", "--require-hashes",
                                                   "-f", lock.wheels, "-r", lock.wheels + "/requirements.txt"], environment: hermetic)
        #expect(pip.status == 0, "\(pip.stderr)")
        #expect(try lock.installed(ownPip) == InstallManifestTests.locked)
        #expect(try lock.importsAll(ownPip))

        let newPip = try lock.venv("pip-new")
        let pip26 = try run(InstallManifestTests.currentPip, ["-m", "pip", "--python", newPip + "/bin/python", "install", "-q",
                                                             "--no-index", "--require-hashes", "-f", lock.wheels,
                                                             "-r", lock.wheels + "/requirements.txt"], environment: hermetic)
        #expect(pip26.status == 0, "\(pip26.stderr)")
        #expect(try lock.importsAll(newPip))

        let uvVenv = try lock.venv("uv")
        var uvEnv = hermetic
        uvEnv["UV_NO_CONFIG"] = "1"
        uvEnv["UV_CACHE_DIR"] = lock.setup.cli.scratch.path + "/uv-cache"
        let uv = try run(InstallManifestTests.uv, ["pip", "install", "--offline", "--no-index", "-f", lock.wheels,
                                                   "-r", lock.wheels + "/requirements.txt", "--python", uvVenv + "/bin/python"],
                         environment: uvEnv)
        #expect(uv.status == 0, "\(uv.stderr)")
        #expect(try lock.installed(uvVenv) == InstallManifestTests.locked)
        #expect(try lock.importsAll(uvVenv))

        // Without the wheels' own hashes, pip refuses the wheel built from a hash-pinned sdist.
        let inputOnly = try lock.venv("pip-input")
        let refused = try run(inputOnly + "/bin/python", ["-m", "pip", "install", "-q", "--no-index", "-f", lock.wheels,
                                                          "fakepkg3==1.0", "--hash=sha256:" + (try RequirementsFileTests.sha256(lock.setup.cli.scratch.path + "/dists/fakepkg3-1.0.tar.gz"))],
                              environment: hermetic)
        #expect(refused.status != 0)
    }

    @Test("the pylock.toml names each wheel by a path relative to itself with its SHA-256; uv and pip 26 install exactly the locked set from it, offline")
    func uvInstallsThePylock() throws {
        try #require(FileManager.default.isExecutableFile(atPath: InstallManifestTests.uv), "run scripts/remote-env")
        let lock = try Lock()
        #expect(try lock.build().status == 0)
        let text = try String(contentsOfFile: lock.wheels + "/pylock.toml", encoding: .utf8)
        #expect(text.hasPrefix("lock-version = \"1.0\"\ncreated-by = \"wheelcache\"\n"), "\(text)")
        #expect(text.contains("path = \"demo-1.0-py3-none-any.whl\""), "\(text)")
        #expect(text.contains("marker = \"python_version >= \\\"3\\\"\""), "\(text)")
        lock.setup.server.stop()
        let venv = try lock.venv("uv-pylock")
        var env = TestFixtures.hermeticEnvironment()
        env["UV_NO_CONFIG"] = "1"
        env["UV_CACHE_DIR"] = lock.setup.cli.scratch.path + "/uv-cache"
        let uv = try run(InstallManifestTests.uv, ["pip", "install", "--offline", "--no-index", "-r", lock.wheels + "/pylock.toml",
                                                   "--python", venv + "/bin/python"], environment: env, directory: lock.setup.cli.scratch.path)
        #expect(uv.status == 0, "\(uv.stderr)")
        #expect(try lock.installed(venv) == InstallManifestTests.locked)
        #expect(try lock.importsAll(venv))

        let pipVenv = try lock.venv("pip-pylock")
        let pip = try run(InstallManifestTests.currentPip, ["-m", "pip", "--python", pipVenv + "/bin/python", "install", "-q",
                                                           "--no-index", "-r", lock.wheels + "/pylock.toml"],
                          environment: TestFixtures.hermeticEnvironment(), directory: lock.setup.cli.scratch.path)
        #expect(pip.status == 0, "\(pip.stderr)")
        #expect(try lock.installed(pipVenv) == InstallManifestTests.locked)
    }

    @Test("when a source fails, neither manifest is written (an old one stays as it was), the run says so and exits non-zero")
    func notWrittenWhenASourceFails() throws {
        let lock = try Lock()
        try FileManager.default.createDirectory(atPath: lock.wheels, withIntermediateDirectories: true)
        try "old\n".write(toFile: lock.wheels + "/requirements.txt", atomically: true, encoding: .utf8)
        // The three fake-backend builds fail; the wheel on the index is still delivered.
        let rebuild = try lock.setup.cli.run(["build", "-r", lock.file, "-i", lock.setup.server.simple, "-w", lock.wheels,
                                               "--requirements-out", lock.wheels + "/requirements.txt",
                                               "--pylock-out", lock.wheels + "/pylock.toml"],
                                              env: ["WHEELCACHE_FAKE_MODE": "fail"])
        #expect(rebuild.status == 1, "\(rebuild.stderr)")
        #expect(rebuild.stderr.contains("error: \(lock.wheels)/requirements.txt was not written: 3 of 4 sources failed"), "\(rebuild.stderr)")
        #expect(try String(contentsOfFile: lock.wheels + "/requirements.txt", encoding: .utf8) == "old\n")
        #expect(!FileManager.default.fileExists(atPath: lock.wheels + "/pylock.toml"))
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: lock.wheels)).contains { $0.hasSuffix(".tmp") })
    }
}

/// pip's hash-checking mode, and hash pins that name another version's file.
@Suite("hash checking as pip does it: one --hash, or --require-hashes, and every line needs one")
struct HashCheckingTests {
    func lock(_ setup: RequirementsFileTests.Setup, _ lines: [String], _ name: String = "locked.txt") throws -> String {
        let file = setup.cli.scratch.path + "/" + name
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test("with a --hash on one line, an unhashed pin, path, branch or folder is one error each naming FILE:LINE, exit 2, and nothing is built or written")
    func everyLineNeedsAHash() throws {
        let setup = try RequirementsFileTests.Setup()
        let dists = setup.cli.scratch.path + "/dists"
        let folder = TestFixtures.repository + "/Fixtures/packages/fakepkg"
        let file = try lock(setup, [
            "fakepkg3==1.0 --hash=sha256:" + (try RequirementsFileTests.sha256(dists + "/fakepkg3-1.0.tar.gz")),
            "demo==1.0",
            CacheCommandTests.variant(1),
            "gitpkg @ git+\(setup.repo.fileURL)@main",
            folder,
        ])
        let result = try setup.cli.run(["build", "-r", file, "-i", setup.server.simple, "-w", setup.cli.wheels,
                                        "--requirements-out", setup.cli.wheels + "/requirements.txt"])
        #expect(result.status == 2, "\(result.stderr)")
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error: \(file):") }
        #expect(errors.count == 4, "\(result.stderr)")
        #expect(result.stderr.contains("not built: another source is invalid"), "the good line is not built either")
        #expect(errors.contains { $0 == "error: \(file):2: source 'demo==1.0' has no hash, and hash checking is on (another line has a --hash); add --hash=sha256:… to its line (pip hash FILE prints it)" }, "\(result.stderr)")
        #expect(errors.contains { $0.hasPrefix("error: \(file):3: source '\(CacheCommandTests.variant(1))' has no hash") }, "\(result.stderr)")
        #expect(errors.contains { $0.hasPrefix("error: \(file):4: ") && $0.contains("must name a full commit id") }, "\(result.stderr)")
        #expect(errors.contains { $0.hasPrefix("error: \(file):5: ") && $0.contains("a local folder cannot be hash-checked") }, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: setup.cli.wheels))
        #expect(setup.cli.entries.isEmpty)
    }

    @Test("--require-hashes on the command line or in a file turns hash checking on without any --hash")
    func requireHashesOption() throws {
        let setup = try RequirementsFileTests.Setup()
        let plain = try lock(setup, ["demo==1.0"])
        let flagged = try setup.cli.run(["build", "-r", plain, "-i", setup.server.simple, "--require-hashes"])
        #expect(flagged.status == 2)
        #expect(flagged.stderr.contains("has no hash, and hash checking is on (--require-hashes)"), "\(flagged.stderr)")
        let inFile = try lock(setup, ["--require-hashes", "demo==1.0"], "in-file.txt")
        let fromFile = try setup.cli.run(["build", "-r", inFile, "-i", setup.server.simple])
        #expect(fromFile.status == 2)
        #expect(fromFile.stderr.contains("hash checking is on (--require-hashes in a requirements file)"), "\(fromFile.stderr)")
        let plan = try setup.cli.run(["plan", "-r", plain, "-i", setup.server.simple, "--require-hashes"])
        #expect(plan.status == 2, "\(plan.stdout)")
        // Without either, the same line builds.
        let (built, _) = try setup.cli.build(["-r", plain, "-i", setup.server.simple])
        #expect(built.status == 0, "\(built.stderr)")
    }

    @Test("a hash pin whose hash names a cached file of another version is refused with the version in the error, not served")
    func hashOfAnotherVersionIsRefused() throws {
        let setup = try RequirementsFileTests.Setup()
        let wheelHash = try RequirementsFileTests.sha256(setup.cli.scratch.path + "/dists/demo-1.0-py3-none-any.whl")
        let right = try lock(setup, ["demo==1.0 --hash=sha256:" + wheelHash])
        let (first, _) = try setup.cli.build(["-r", right, "-i", setup.server.simple])
        #expect(first.status == 0, "\(first.stderr)")
        try FileManager.default.removeItem(atPath: setup.cli.wheels)
        let wrong = try lock(setup, ["demo==2.0 --hash=sha256:" + wheelHash], "wrong.txt")
        let (second, results) = try setup.cli.build(["-r", wrong, "-i", setup.server.simple])
        #expect(second.status == 2, "\(second.stderr)")
        #expect(results.first?["error"] as? String == "\(wrong):1: source 'demo==2.0' was asked for as version 2.0 but holds version 1.0; fix the version or the hash")
        #expect(!FileManager.default.fileExists(atPath: setup.cli.wheels + "/demo-1.0-py3-none-any.whl"))
    }
}

@Suite("URL hash fragments: every algorithm pip reads is checked, never ignored")
struct URLFragmentHashTests {
    static func digest(_ path: String, _ algorithm: String) throws -> String {
        try run(TestFixtures.python, ["-c", "import hashlib, sys; print(hashlib.new(sys.argv[1], open(sys.argv[2], 'rb').read()).hexdigest())",
                                      algorithm, path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a wrong #sha256=, #sha384=, #sha512= or #md5= fails the source with exit 2 and stores nothing; the right one (any case of the name) builds; #sha1= cannot be checked and says so",
          arguments: ["sha256", "sha384", "sha512", "md5"])
    func fragmentsAreChecked(_ algorithm: String) throws {
        let setup = try RequirementsFileTests.Setup()
        let file = setup.cli.scratch.path + "/dists/fakepkg2-1.0.tar.gz"
        let url = setup.server.url + "/files/fakepkg2-1.0.tar.gz"
        let right = try URLFragmentHashTests.digest(file, algorithm)
        let wrong = String(right.reversed())
        let (refused, failed) = try setup.cli.build([url + "#\(algorithm)=\(wrong)"])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect((failed.first?["error"] as? String)?.contains(algorithm == "sha256" ? "which is not the expected" : "matches none of its hashes") == true,
                "\(failed)")
        #expect(setup.cli.entries.isEmpty)
        let (built, results) = try setup.cli.build([url + "#\(algorithm.uppercased())=\(right)"])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(results.first?["status"] as? String == "built")
    }

    @Test("#sha1= is refused as a hash wheelcache cannot check, before anything runs")
    func uncheckableAlgorithm() throws {
        let setup = try RequirementsFileTests.Setup()
        let result = try setup.cli.run(["build", setup.server.url + "/files/fakepkg2-1.0.tar.gz#sha1=abcdef"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("its #sha1= cannot be checked; give #sha256= (or sha384, sha512, md5)"), "\(result.stderr)")
    }

    @Test("--hash=sha512:… on a URL or path line is checked like the fragments")
    func otherAlgorithmsOnLines() throws {
        let setup = try RequirementsFileTests.Setup()
        let file = setup.cli.scratch.path + "/dists/fakepkg2-1.0.tar.gz"
        let sha512 = try URLFragmentHashTests.digest(file, "sha512")
        let lines = setup.cli.scratch.path + "/sha512.txt"
        try "\(file) --hash=sha512:\(String(sha512.reversed()))\n".write(toFile: lines, atomically: true, encoding: .utf8)
        let (refused, _) = try setup.cli.build(["-r", lines])
        #expect(refused.status == 2, "\(refused.stderr)")
        try "\(file) --hash=sha512:\(sha512)\n".write(toFile: lines, atomically: true, encoding: .utf8)
        let (built, _) = try setup.cli.build(["-r", lines])
        #expect(built.status == 0, "\(built.stderr)")
    }
}

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

@Suite("PEP 751 input: -r pylock.toml as uv and pip write it")
struct PylockInputTests {
    /// Writes a lock of `lines` with `uv pip compile -o pylock.toml` against the setup's index.
    func uvLock(_ setup: RequirementsFileTests.Setup, _ lines: [String]) throws -> String {
        let input = setup.cli.scratch.path + "/in.txt"
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let lock = setup.cli.scratch.path + "/pylock.toml"
        var env = TestFixtures.hermeticEnvironment()
        env["UV_NO_CONFIG"] = "1"
        env["UV_CACHE_DIR"] = setup.cli.scratch.path + "/uv-cache"
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
        var env = TestFixtures.hermeticEnvironment()
        env["UV_NO_CONFIG"] = "1"
        env["UV_CACHE_DIR"] = setup.cli.scratch.path + "/uv-cache-2"
        let install = try run(InstallManifestTests.uv, ["pip", "install", "--offline", "--no-index", "-r", setup.cli.wheels + "/pylock.toml",
                                                        "--python", venv + "/bin/python"], environment: env)
        #expect(install.status == 0, "\(install.stderr)")
        #expect(try run(venv + "/bin/python", ["-c", "import fakepkg3, demo, gitpkg"]).status == 0)
        // A second run from the same lock is all hits, with the index gone.
        let (again, hits) = try setup.cli.build(["-r", lock])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(hits.map { $0["status"] as? String } == ["hit", "hit", "hit"])
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

@Suite("binary choices for pins: --only-binary, and pip's --no-binary inside requirements files")
struct BinaryChoiceTests {
    /// The setup's index with a wheel of fakepkg3 beside its sdist.
    func setupWithWheelAndSdist() throws -> RequirementsFileTests.Setup {
        let setup = try RequirementsFileTests.Setup()
        let other = CLI()
        let (built, results) = try other.build([CacheCommandTests.variant(3)])
        #expect(built.status == 0, "\(built.stderr)")
        let wheel = try #require(results.first?["wheel"] as? String)
        try FileManager.default.copyItem(atPath: wheel, toPath: setup.server.root + "/" + (wheel as NSString).lastPathComponent)
        return setup
    }

    func file(_ setup: RequirementsFileTests.Setup, _ lines: [String]) throws -> String {
        let path = setup.cli.scratch.path + "/choices-\(UUID().uuidString).txt"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("--only-binary takes the wheel, and a pin with only an sdist is one error naming it, exit 2, nothing written; from the command line or a file")
    func onlyBinary() throws {
        let setup = try RequirementsFileTests.Setup()
        let (wheel, taken) = try setup.cli.build(["demo==1.0", "-i", setup.server.simple, "--only-binary", ":all:"])
        #expect(wheel.status == 0, "\(wheel.stderr)")
        #expect(taken.first?["status"] as? String == "downloaded")
        let refused = try setup.cli.run(["build", "fakepkg3==1.0", "-i", setup.server.simple, "--only-binary", "fakepkg3",
                                         "-w", setup.cli.scratch.path + "/none"])
        #expect(refused.status == 2)
        #expect(refused.stderr.hasPrefix("error: source 'fakepkg3==1.0': --only-binary names it, and no wheel of it on the index fits"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: setup.cli.scratch.path + "/none"))
        let lines = try file(setup, ["--only-binary :all:", "fakepkg3==1.0"])
        let fromFile = try setup.cli.run(["build", "-r", lines, "-i", setup.server.simple])
        #expect(fromFile.status == 2)
        #expect(fromFile.stderr.contains("--only-binary names it"), "\(fromFile.stderr)")
    }

    @Test("in a requirements file --no-binary means pip's (build the sdist, and the build is cached), unlike the command line's forced rebuild; naming a project in both is a conflict")
    func noBinaryInAFile() throws {
        let setup = try setupWithWheelAndSdist()
        let (plain, downloaded) = try setup.cli.build(["fakepkg3==1.0", "-i", setup.server.simple])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(downloaded.first?["status"] as? String == "downloaded")
        let lines = try file(setup, ["--no-binary fakepkg3", "fakepkg3==1.0"])
        let (first, built) = try setup.cli.build(["-r", lines, "-i", setup.server.simple])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(built.first?["status"] as? String == "built")
        let (second, hit) = try setup.cli.build(["-r", lines, "-i", setup.server.simple])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(hit.first?["status"] as? String == "hit")
        let (forced, rebuilt) = try setup.cli.build(["fakepkg3==1.0", "-i", setup.server.simple, "--no-binary", "fakepkg3"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(rebuilt.first?["status"] as? String == "rebuilt")
        let conflict = try file(setup, ["--only-binary fakepkg3", "fakepkg3==1.0"])
        let both = try setup.cli.run(["build", "-r", conflict, "-i", setup.server.simple, "--no-binary", "fakepkg3"])
        #expect(both.status == 2)
        #expect(both.stderr.contains("both --no-binary and --only-binary name it; drop one"), "\(both.stderr)")
    }
}

@Suite("-c constraints files apply to pins as in pip")
struct PinConstraintTests {
    @Test("a pin a -c constraint excludes is one error naming the pin, the constraint and its file, before anything runs; one it allows builds; markers that do not apply are ignored")
    func constraintsOnPins() throws {
        let setup = try RequirementsFileTests.Setup()
        let constraints = setup.cli.scratch.path + "/constraints.txt"
        try "# limits\ndemo<1.0\nfakepkg3>=1 ; sys_platform == 'win32'\n".write(toFile: constraints, atomically: true, encoding: .utf8)
        let file = setup.cli.scratch.path + "/pins.txt"
        try "-c constraints.txt\nfakepkg3==1.0\ndemo==1.0\n".write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try setup.cli.run(["build", "-r", file, "-i", setup.server.simple, "-w", setup.cli.wheels])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("error: \(file):3: source 'demo==1.0': the constraint 'demo<1.0' in \(constraints) excludes this version; change the pin or the constraint"),
                "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: setup.cli.wheels))
        try "demo<=1.0\nfakepkg3<1 ; sys_platform == 'win32'\n".write(toFile: constraints, atomically: true, encoding: .utf8)
        let (built, _) = try setup.cli.build(["-r", file, "-i", setup.server.simple])
        #expect(built.status == 0, "\(built.stderr)")
    }
}
