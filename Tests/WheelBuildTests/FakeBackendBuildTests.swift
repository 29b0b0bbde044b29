import Foundation
import Testing
import TestSupport
import WheelArchive
import WheelBuild
import WheelModel
import WheelStore
import WheelSystem

/// The test interpreter, probed once per process.
enum BuildFixtures {
    static let interpreter: Result<Interpreter, BuildError> = Result { () throws(BuildError) -> Interpreter in
        try InterpreterProbe(memory: nil, environment: TestFixtures.hermeticEnvironment()).interpreter(TestFixtures.python)
    }

    /// The text of one member of a wheel, read with Python's zipfile.
    static func member(_ wheel: String, _ name: String) throws -> String {
        let result = try run(TestFixtures.python, ["-c", "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())", wheel, name])
        try #require(result.status == 0, "\(result.stderr)")
        return result.stdout
    }
}

/// A fresh copy of a generated sdist, unpacked with SdistUnpacker, with a work folder and log.
struct BuildSandbox {
    let tmp = TemporaryDirectory("build")
    let tree: String
    var work: String { tmp.path + "/work" }
    var log: String { tmp.path + "/build.log" }

    init(_ sdist: String = "fakepkg-1.0.tar.gz") throws {
        try FileManager.default.createDirectory(atPath: tmp.path + "/src", withIntermediateDirectories: true)
        tree = try SdistUnpacker().unpack(TestFixtures.sdist(sdist), into: tmp.path + "/src")
    }

    func build(isolation: Bool, settings: [String: [String]] = [:], mode: String = "succeed",
               environment extra: [String: String] = [:], index: IndexOptions = IndexOptions(noIndex: true)) throws -> BuildOutcome {
        var env = TestFixtures.hermeticEnvironment(extra)
        env["WHEELCACHE_FAKE_MODE"] = mode
        let builder = WheelBuilder(
            interpreter: try BuildFixtures.interpreter.get(),
            options: BuildOptions(configSettings: settings, isolation: isolation), index: index, environment: env)
        return try builder.build(tree: tree, work: work, log: log)
    }

    /// Runs a build that must fail and returns its failure.
    func failure(isolation: Bool, mode: String) throws -> BuildFailure {
        let error = try #require(throws: BuildError.self) { try build(isolation: isolation, mode: mode) }
        guard case .failed(let failure) = error else {
            Issue.record("expected .failed, got \(error)")
            throw error
        }
        return failure
    }
}

@Suite("WheelBuilder with the fake backend")
struct FakeBackendBuildTests {
    @Test("a succeeding backend produces a valid wheel in the work folder", arguments: [false, true])
    func succeeds(isolation: Bool) throws {
        let box = try BuildSandbox()
        let outcome = try box.build(isolation: isolation)
        #expect(outcome.wheel == box.work + "/dist/fakepkg-1.0-py3-none-any.whl")
        #expect(outcome.backend == "fakebackend")
        #expect(outcome.requirements == [])
        #expect(outcome.seconds > 0)
        let wheel = try WheelValidator().validate(outcome.wheel)
        #expect(wheel.name == "fakepkg")
        #expect(wheel.version == "1.0")
        // Isolation builds in a fresh venv inside the work folder; without it there is none.
        #expect(FileManager.default.fileExists(atPath: box.work + "/env/bin/python") == isolation)
        #expect(FileManager.default.fileExists(atPath: box.log))
    }

    @Test("without a cache, isolation uses private environments made by wheelcache's installer and left uncompiled; what get_requires_for_build_wheel adds gets a second one")
    func privateEnvironments() throws {
        let box = try BuildSandbox()
        let hooks = box.tmp.path + "/hooks"
        let outcome = try box.build(isolation: true, environment: ["WHEELCACHE_FAKE_HOOK_LOG": hooks, "WHEELCACHE_FAKE_REQUIRES": "flit_core"],
                                    index: IndexOptions(findLinks: [TestFixtures.wheelhouse], noIndex: true))
        #expect(outcome.requirements.contains { $0.hasPrefix("flit_core==") }, "\(outcome.requirements)")
        // Each hook line is "HOOK PID SYS_PREFIX".
        let prefixes = try String(contentsOfFile: hooks, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
        #expect(prefixes.map { String($0[0]) } == ["get_requires_for_build_wheel", "build_wheel"])
        #expect(prefixes.map { ($0[2] as Substring).hasSuffix("/work/env") } == [true, false])
        #expect(prefixes.last.map { ($0[2] as Substring).hasSuffix("/work/env-extra") } == true)
        let site = try #require(FileManager.default.enumerator(atPath: box.work + "/env-extra/lib")?
            .compactMap { $0 as? String }.first { $0.hasSuffix("site-packages") })
        let packages = box.work + "/env-extra/lib/" + site
        let distInfo = try #require(try FileManager.default.contentsOfDirectory(atPath: packages).first { $0.hasPrefix("flit_core-") && $0.hasSuffix(".dist-info") })
        #expect(try String(contentsOfFile: packages + "/" + distInfo + "/INSTALLER", encoding: .utf8) == "wheelcache\n")
        #expect(!box.tmp.files("work/env-extra").contains { $0.hasPrefix("lib/") && $0.contains("/flit_core/__pycache__/") },
                "a private environment is not compiled ahead")
    }

    @Test("a build without isolation reports only the named build requirements, with their installed versions")
    func reportsNamedRequirementsOnly() throws {
        let box = try BuildSandbox()
        let pyproject = box.tree + "/pyproject.toml"
        let text = try String(contentsOfFile: pyproject, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "requires = []", with: "requires = [\"pip\"]").utf8)
            .write(to: URL(fileURLWithPath: pyproject))
        let pip = try #require(try BuildFixtures.interpreter.get().pipVersion)
        let outcome = try box.build(isolation: false)
        #expect(outcome.requirements == ["pip==\(pip)"])
    }

    @Test("a failing backend gives a build_wheel failure with its status, message and log tail", arguments: [false, true])
    func fails(isolation: Bool) throws {
        let box = try BuildSandbox()
        let failure = try box.failure(isolation: isolation, mode: "fail")
        #expect(failure.step == .buildWheel)
        #expect(failure.status != 0)
        #expect(failure.message == "the backend exited with status 3")
        #expect(failure.tail.contains { $0.contains("fakebackend: failing on purpose") })
        #expect(failure.tail.count <= 20)
        #expect(failure.log == box.log)
        let log = try String(contentsOfFile: box.log, encoding: .utf8)
        #expect(log.contains("fakebackend: log line 30"))
        #expect(log.contains("fakebackend: failing on purpose"))
        #expect(!FileManager.default.fileExists(atPath: box.work + "/dist/fakepkg-1.0-py3-none-any.whl"))
    }

    @Test("a backend that prints junk and wheel-like names to stdout still builds: results travel through a file")
    func printsToStdout() throws {
        let box = try BuildSandbox()
        let outcome = try box.build(isolation: false, mode: "print-stdout")
        #expect((outcome.wheel as NSString).lastPathComponent == "fakepkg-1.0-py3-none-any.whl")
        _ = try WheelValidator().validate(outcome.wheel)
        let log = try String(contentsOfFile: box.log, encoding: .utf8)
        #expect(log.contains("fakebackend junk 1999"))
        #expect(log.contains("not-the-real-result-1.0-py3-none-any.whl"))
    }

    @Test("a backend that names a wheel it never wrote fails at build_wheel")
    func noWheel() throws {
        let box = try BuildSandbox()
        let failure = try box.failure(isolation: false, mode: "no-wheel")
        #expect(failure.step == .buildWheel)
        #expect(failure.message.hasPrefix("the backend did not write the wheel it named"))
        #expect(failure.message.contains("fakepkg-1.0-py3-none-any-does-not-exist.whl"))
    }

    @Test("an unknown mode makes the backend raise, which is a build_wheel failure naming the exception")
    func backendRaises() throws {
        let box = try BuildSandbox()
        let failure = try box.failure(isolation: false, mode: "no-such-mode")
        #expect(failure.step == .buildWheel)
        #expect(failure.message.hasPrefix("RuntimeError: fakebackend: unknown WHEELCACHE_FAKE_MODE"))
        #expect(failure.status != 0)
    }

    @Test("config settings reach the backend: different settings give different wheels")
    func configSettings() throws {
        let first = try BuildSandbox()
        let a = try first.build(isolation: false, settings: ["flavor": ["vanilla"]])
        let second = try BuildSandbox()
        let b = try second.build(isolation: true, settings: ["flavor": ["chocolate"], "opt": ["1", "2"]])
        #expect(!FileManager.default.contentsEqual(atPath: a.wheel, andPath: b.wheel))
        let moduleA = try BuildFixtures.member(a.wheel, "fakepkg/__init__.py")
        let moduleB = try BuildFixtures.member(b.wheel, "fakepkg/__init__.py")
        #expect(moduleA.contains(#"{"flavor": "vanilla"}"#))
        // A key given once is a string; a repeated key is a list, as pip passes them.
        #expect(moduleB.contains(#"{"flavor": "chocolate", "opt": ["1", "2"]}"#))
    }

    @Test("credentials in the builder's environment never reach the backend; ordinary variables do",
          arguments: [false, true])
    func secretsStripped(isolation: Bool) throws {
        let box = try BuildSandbox()
        let dump = box.tmp.path + "/env.json"
        _ = try box.build(isolation: isolation, environment: [
            "AWS_SECRET_ACCESS_KEY": "aws-secret-value", "GITHUB_TOKEN": "ghp_secret", "MY_API_KEY": "k",
            "WHEELCACHE_TEST_ORDINARY": "plain-value", "WHEELCACHE_FAKE_ENV_DUMP": dump,
        ])
        let data = try #require(FileManager.default.contents(atPath: dump))
        let env = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(env["AWS_SECRET_ACCESS_KEY"] == nil)
        #expect(env["GITHUB_TOKEN"] == nil)
        #expect(env["MY_API_KEY"] == nil)
        #expect(env["WHEELCACHE_TEST_ORDINARY"] == "plain-value")
        #expect(!String(decoding: data, as: UTF8.self).contains("aws-secret-value"))
        #expect(!String(decoding: data, as: UTF8.self).contains("ghp_secret"))
    }

    /// A builder without isolation whose interpreter finds fakebackend, and a `markerbackend`
    /// beside it that creates the file `$WHEELCACHE_TEST_IMPORTED` when imported, then builds
    /// as fakebackend: both outside any source tree, as installed backends are.
    static func outsideBackends(_ tmp: TemporaryDirectory, extra: [String: String] = [:]) throws -> WheelBuilder {
        let shim = tmp.path + "/shim"
        try FileManager.default.createDirectory(atPath: shim, withIntermediateDirectories: true)
        try Data("import os\nopen(os.environ['WHEELCACHE_TEST_IMPORTED'], 'w').close()\nfrom fakebackend import *\n".utf8)
            .write(to: URL(fileURLWithPath: shim + "/markerbackend.py"))
        var env = TestFixtures.hermeticEnvironment(extra)
        env["PYTHONPATH"] = shim + ":" + TestFixtures.repository + "/Fixtures/packages/fakepkg/_backend"
        return WheelBuilder(interpreter: try BuildFixtures.interpreter.get(), options: BuildOptions(isolation: false),
                            index: IndexOptions(noIndex: true), environment: env)
    }

    @Test("an installed backend is imported while the source tree is still being written; its hooks run in the tree once it is there")
    func backendStartsBeforeTheTree() throws {
        let tmp = TemporaryDirectory("build")
        let marker = tmp.path + "/imported"
        let builder = try FakeBackendBuildTests.outsideBackends(tmp, extra: ["WHEELCACHE_TEST_IMPORTED": marker])
        let src = tmp.path + "/src"
        // The tree is written only after the backend has been imported: a builder that waited
        // for the tree before starting the backend would leave this waiting until the deadline.
        let writing = Pending { () throws -> String in
            let deadline = Date().addingTimeInterval(120)
            while !FileManager.default.fileExists(atPath: marker) {
                guard Date() < deadline else { throw CocoaError(.fileReadNoSuchFile) }
                usleep(10_000)
            }
            try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
            return try SdistUnpacker().unpack(TestFixtures.sdist("fakepkg-1.0.tar.gz"), into: src)
        }
        let source = SourceTree(system: BuildSystem(requires: [], backend: "markerbackend"), writing: writing)
        let outcome = try builder.build(source: source, work: tmp.path + "/work", log: tmp.path + "/log")
        #expect(source.failure == nil)
        #expect(outcome.backend == "markerbackend")
        // fakebackend read the project's name and version from pyproject.toml in the working folder.
        let wheel = try WheelValidator().validate(outcome.wheel)
        #expect(wheel.name == "fakepkg")
        #expect(wheel.version == "1.0")
    }

    @Test("a source tree that cannot be written stops the build before any hook runs, and the writer keeps its error")
    func treeNotWritten() throws {
        struct Unwritable: Error {}
        let tmp = TemporaryDirectory("build")
        let hooks = tmp.path + "/hooks"
        let builder = try FakeBackendBuildTests.outsideBackends(tmp, extra: [
            "WHEELCACHE_TEST_IMPORTED": tmp.path + "/imported", "WHEELCACHE_FAKE_HOOK_LOG": hooks,
        ])
        let source = SourceTree(system: BuildSystem(requires: [], backend: "markerbackend"),
                                writing: Pending { () throws -> String in throw Unwritable() })
        let error = try #require(throws: BuildError.self) {
            try builder.build(source: source, work: tmp.path + "/work", log: tmp.path + "/log")
        }
        guard case .io = error else {
            Issue.record("expected .io, got \(error)")
            return
        }
        #expect(source.failure is Unwritable)
        #expect(!FileManager.default.fileExists(atPath: hooks), "no hook ran")
        #expect(tmp.files("work").filter { $0.hasSuffix("output.json") }.isEmpty, "the runner reported nothing")
    }

    @Test("a backend that cannot be imported is a loading failure")
    func missingBackend() throws {
        let tmp = TemporaryDirectory("build")
        let tree = tmp.path + "/tree"
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        try Data("[build-system]\nrequires = []\nbuild-backend = \"no_such_backend_for_wheelcache\"\n".utf8)
            .write(to: URL(fileURLWithPath: tree + "/pyproject.toml"))
        let builder = WheelBuilder(interpreter: try BuildFixtures.interpreter.get(), options: BuildOptions(isolation: false),
                                   index: IndexOptions(noIndex: true), environment: TestFixtures.hermeticEnvironment())
        let error = try #require(throws: BuildError.self) {
            try builder.build(tree: tree, work: tmp.path + "/work", log: tmp.path + "/log")
        }
        guard case .failed(let failure) = error else {
            Issue.record("expected .failed, got \(error)")
            return
        }
        #expect(failure.step == .loadBackend)
        #expect(failure.message.contains("no_such_backend_for_wheelcache"))
    }

    @Test("a folder without pyproject.toml or setup.py is not a Python project")
    func notAProject() {
        let tmp = TemporaryDirectory("build")
        #expect(throws: BuildError.badProject(path: tmp.path, reason: "no pyproject.toml or setup.py here, so this is not a Python project")) {
            try WheelBuilder.buildSystem(of: tmp.path)
        }
    }

    @Test("a malformed pyproject.toml is bad input that says where")
    func malformedPyproject() throws {
        let tmp = TemporaryDirectory("build")
        try Data("[build-system]\nrequires = [\n".utf8).write(to: URL(fileURLWithPath: tmp.path + "/pyproject.toml"))
        let error = try #require(throws: BuildError.self) { try WheelBuilder.buildSystem(of: tmp.path) }
        guard case .badProject(let path, let reason) = error else {
            Issue.record("expected badProject, got \(error)")
            return
        }
        #expect(path == tmp.path + "/pyproject.toml")
        #expect(reason.hasPrefix("pyproject.toml line "))
        #expect(error.isInputError)
    }
}
