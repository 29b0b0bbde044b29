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

    /// A hermetic environment for uv: no configuration files, its cache in the test's folder.
    static func uvEnvironment(cache: String) -> [String: String] {
        TestFixtures.hermeticEnvironment(["UV_NO_CONFIG": "1", "UV_CACHE_DIR": cache])
    }

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
        let uvEnv = InstallManifestTests.uvEnvironment(cache: lock.setup.cli.scratch.path + "/uv-cache")
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
        let env = InstallManifestTests.uvEnvironment(cache: lock.setup.cli.scratch.path + "/uv-cache")
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
