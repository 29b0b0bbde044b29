import Foundation
import Testing
import TestSupport
import WheelBuild
import WheelModel

@Suite("InterpreterProbe")
struct InterpreterProbeTests {
    static let environment = TestFixtures.hermeticEnvironment()

    /// What the interpreter says about itself, asked directly.
    static func facts(_ python: String) throws -> [String] {
        let result = try run(python, ["-c", "import os, sys; print('%d.%d' % sys.version_info[:2]); print('%d.%d.%d' % sys.version_info[:3]); print(os.path.realpath(sys.executable))"])
        try #require(result.status == 0)
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// An executable shell script in `folder`.
    static func script(_ folder: String, _ name: String, _ body: String) throws -> String {
        let path = folder + "/" + name
        try Data(body.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test("probing the test Python reports cpython, its version, a cp3XX ABI and a linux platform")
    func probesFacts() throws {
        let interpreter = try InterpreterProbe(memory: nil, environment: Self.environment).interpreter(TestFixtures.python)
        let facts = try Self.facts(TestFixtures.python)
        #expect(interpreter.implementation == "cpython")
        #expect(interpreter.pythonVersion == facts[0])
        #expect(interpreter.version == facts[1])
        #expect(interpreter.executable == facts[2])
        let nodot = interpreter.pythonVersion.replacingOccurrences(of: ".", with: "")
        #expect(interpreter.pythonTag == "cp" + nodot)
        #expect(interpreter.abiTag.hasPrefix("cp" + nodot))
        #expect(interpreter.abiTag.hasPrefix("cp3"))
        #expect(interpreter.freeThreaded == interpreter.abiTag.contains("t"))
        #expect(interpreter.platformTag.hasPrefix("linux_"))
    }

    @Test("with a memory folder the second probe reads the record instead of running Python")
    func memoryIsReused() throws {
        let tmp = TemporaryDirectory("probe")
        let counter = tmp.path + "/counter"
        let wrapper = try Self.script(tmp.path, "python-wrapper", "#!/bin/sh\necho run >> '\(counter)'\nexec '\(TestFixtures.python)' \"$@\"\n")
        let probe = InterpreterProbe(memory: tmp.path + "/memory", environment: Self.environment)

        let first = try probe.interpreter(wrapper)
        let second = try probe.interpreter(wrapper)
        #expect(second == first)
        #expect(try String(contentsOfFile: counter, encoding: .utf8) == "run\n")
        #expect(first.executable == (try Self.facts(TestFixtures.python))[2])
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path + "/memory").filter { $0.hasSuffix(".json") && !$0.hasSuffix(".tags.json") }.count == 1)

        // A changed wrapper is another interpreter as far as the memory goes.
        _ = try Self.script(tmp.path, "python-wrapper", "#!/bin/sh\n# changed\necho run >> '\(counter)'\nexec '\(TestFixtures.python)' \"$@\"\n")
        #expect(try probe.interpreter(wrapper) == first)
        #expect(try String(contentsOfFile: counter, encoding: .utf8) == "run\nrun\n")
    }

    @Test("without a memory folder every probe runs the interpreter")
    func noMemory() throws {
        let tmp = TemporaryDirectory("probe")
        let counter = tmp.path + "/counter"
        let wrapper = try Self.script(tmp.path, "python-wrapper", "#!/bin/sh\necho run >> '\(counter)'\nexec '\(TestFixtures.python)' \"$@\"\n")
        let probe = InterpreterProbe(memory: nil, environment: Self.environment)
        _ = try probe.interpreter(wrapper)
        _ = try probe.interpreter(wrapper)
        #expect(try String(contentsOfFile: counter, encoding: .utf8) == "run\nrun\n")
    }

    @Test("a program that exits 0 without writing facts is not a Python")
    func trueIsNotPython() {
        #expect(throws: BuildError.notAPython(path: "/bin/true", reason: "it printed no interpreter facts")) {
            try InterpreterProbe(memory: nil, environment: Self.environment).interpreter("/bin/true")
        }
    }

    @Test("a missing path is not a Python")
    func missingPath() {
        let path = "/nonexistent/wheelcache/python3"
        #expect(throws: BuildError.notAPython(path: path, reason: "no such executable")) {
            try InterpreterProbe(memory: nil, environment: Self.environment).interpreter(path)
        }
    }

    @Test("a plain text file is not a Python")
    func textFile() throws {
        let tmp = TemporaryDirectory("probe")
        let path = tmp.path + "/notes.txt"
        try Data("just some text\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: BuildError.notAPython(path: path, reason: "no such executable")) {
            try InterpreterProbe(memory: tmp.path + "/memory", environment: Self.environment).interpreter(path)
        }
    }

    @Test("an executable text file without a #! line is not a Python")
    func executableTextFile() throws {
        let tmp = TemporaryDirectory("probe")
        let path = try Self.script(tmp.path, "notes", "just some text\n")
        #expect(throws: BuildError.notAPython(path: path, reason: "it cannot be run as a program")) {
            try InterpreterProbe(memory: nil, environment: Self.environment).interpreter(path)
        }
    }

    @Test("a program that fails reports its last line of output as the reason")
    func failingProgram() throws {
        let tmp = TemporaryDirectory("probe")
        let path = try Self.script(tmp.path, "broken-python", "#!/bin/sh\necho 'broken-python: cannot start' >&2\nexit 7\n")
        #expect(throws: BuildError.notAPython(path: path, reason: "broken-python: cannot start")) {
            try InterpreterProbe(memory: tmp.path + "/memory", environment: Self.environment).interpreter(path)
        }
        let remembered = (try? FileManager.default.contentsOfDirectory(atPath: tmp.path + "/memory")) ?? []
        #expect(remembered.isEmpty)
    }

    @Test("no python3 on PATH is reported as not found on PATH")
    func notOnPath() {
        let tmp = TemporaryDirectory("probe")
        var env = Self.environment
        env["PATH"] = tmp.path
        env.removeValue(forKey: "WHEELCACHE_PYTHON")
        #expect(throws: BuildError.notAPython(path: "python3", reason: "not found on PATH")) {
            try InterpreterProbe(memory: nil, environment: env).interpreter(nil)
        }
    }

    @Test("without a requested path WHEELCACHE_PYTHON names the interpreter")
    func wheelcachePythonVariable() throws {
        var env = Self.environment
        env["PATH"] = "/nonexistent"
        env["WHEELCACHE_PYTHON"] = TestFixtures.python
        let interpreter = try InterpreterProbe(memory: nil, environment: env).interpreter(nil)
        #expect(interpreter.executable == (try Self.facts(TestFixtures.python))[2])
    }

    @Test("notAPython is bad input, a failed build is not")
    func inputErrors() {
        #expect(BuildError.notAPython(path: "p", reason: "r").isInputError)
        #expect(BuildError.badProject(path: "p", reason: "r").isInputError)
        #expect(!BuildError.io(path: "p", reason: "r").isInputError)
        #expect(!BuildError.failed(BuildFailure(step: .buildWheel, status: 1, message: "m", log: "l", tail: [])).isInputError)
    }
}
