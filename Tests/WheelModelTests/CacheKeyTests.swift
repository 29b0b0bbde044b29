import Testing
import WheelModel

@Suite("CacheKey")
struct CacheKeyTests {
    static let sha = "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"

    static let interpreter = Interpreter(
        executable: "/usr/bin/python3.11", implementation: "cpython", version: "3.11.7", pythonVersion: "3.11",
        pythonTag: "cp311", abiTag: "cp311", platformTag: "linux_x86_64", freeThreaded: false, pipVersion: "24.0")

    static let options = BuildOptions(
        configSettings: ["--build-option": ["--plat-name", "x"], "editable_mode": ["compat"]], isolation: true)

    static func key(sha256: String = sha, name: String? = nil, version: String? = nil,
                    options: BuildOptions = options, interpreter: Interpreter = interpreter) -> CacheKey {
        CacheKey(source: .sdist(sha256: sha256), name: name, version: version, options: options, interpreter: interpreter)
    }

    @Test("golden: fixed inputs give this exact canonical text and digest")
    func golden() {
        let key = Self.key()
        #expect(key.canonicalText == #"{"build":{"config_settings":{"--build-option":["--plat-name","x"],"editable_mode":["compat"]},"isolation":true},"interpreter":{"abi":"cp311","free_threaded":false,"implementation":"cpython","platform":"linux_x86_64","python":"3.11"},"name":null,"schema":1,"source":{"kind":"sdist","sha256":"5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"},"version":null}"#)
        #expect(key.digest == "0c2ed5dc2dabc14bb181f5ae76365fdf027dfc37917761d343687f40b8bbe35c")
        #expect(key.description == key.digest)
        #expect(key.inputs.text == key.canonicalText)
        #expect(CacheKey.schemaVersion == 1)
    }

    @Test("golden: a pinned name and version are normalized into the key")
    func goldenWithName() {
        let key = Self.key(name: "Demo_Pkg", version: "1.0", options: BuildOptions())
        #expect(key.name == "demo-pkg")
        #expect(key.canonicalText == #"{"build":{"config_settings":{},"isolation":true},"interpreter":{"abi":"cp311","free_threaded":false,"implementation":"cpython","platform":"linux_x86_64","python":"3.11"},"name":"demo-pkg","schema":1,"source":{"kind":"sdist","sha256":"5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"},"version":"1.0"}"#)
        #expect(key.digest == "a228d33fe6285e9bc2788d5eb0e4c236596e973f21c89bd9cb27550f1a3877fe")
    }

    @Test("the digest is 64 lowercase hex digits")
    func digestShape() {
        let digest = Self.key().digest
        #expect(digest.count == 64)
        #expect(digest.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) })
    }

    @Test("each key input changes the digest")
    func inputsChangeDigest() {
        let base = Self.key().digest
        var others: [String: String] = [:]
        others["sha256"] = Self.key(sha256: String(Self.sha.dropLast()) + "0").digest
        var setting = Self.options
        setting.configSettings["editable_mode"] = ["strict"]
        others["config value"] = Self.key(options: setting).digest
        var added = Self.options
        added.configSettings["new"] = ["1"]
        others["config key"] = Self.key(options: added).digest
        var order = Self.options
        order.configSettings["--build-option"] = ["x", "--plat-name"]
        others["config value order"] = Self.key(options: order).digest
        var isolation = Self.options
        isolation.isolation = false
        others["isolation"] = Self.key(options: isolation).digest
        var abi = Self.interpreter
        abi.abiTag = "cp311d"
        others["abi"] = Self.key(interpreter: abi).digest
        var platform = Self.interpreter
        platform.platformTag = "linux_aarch64"
        others["platform"] = Self.key(interpreter: platform).digest
        var threaded = Self.interpreter
        threaded.freeThreaded = true
        others["free-threaded"] = Self.key(interpreter: threaded).digest
        var python = Self.interpreter
        python.pythonVersion = "3.12"
        others["python version"] = Self.key(interpreter: python).digest
        var implementation = Self.interpreter
        implementation.implementation = "pypy"
        others["implementation"] = Self.key(interpreter: implementation).digest
        others["name"] = Self.key(name: "demo").digest
        others["version"] = Self.key(version: "1.0").digest

        for (input, digest) in others {
            #expect(digest != base, "changing \(input) must change the digest")
        }
        #expect(Set(others.values).count == others.count, "every change gives its own digest")
    }

    @Test("the executable path, patch version, python tag and pip version are not key inputs")
    func provenanceIsNotKeyed() {
        var other = Self.interpreter
        other.executable = "/opt/python/bin/python3"
        other.version = "3.11.9"
        other.pipVersion = nil
        #expect(Self.key(interpreter: other) == Self.key(interpreter: other))
        #expect(Self.key(interpreter: other).digest == Self.key().digest)
    }

    @Test("spellings of one project name give the same key")
    func nameSpellings() {
        #expect(Self.key(name: "Foo.Bar").digest == Self.key(name: "foo_bar").digest)
    }

    @Test("the digest does not depend on dictionary insertion order")
    func insertionOrder() {
        let names = (0..<64).map { "setting-\($0)" }
        var forward: [String: [String]] = [:]
        for n in names { forward[n] = [n, "v"] }
        var backward: [String: [String]] = [:]
        for n in names.reversed() { backward[n] = [n, "v"] }
        let a = Self.key(options: BuildOptions(configSettings: forward))
        let b = Self.key(options: BuildOptions(configSettings: backward))
        #expect(a.canonicalText == b.canonicalText)
        #expect(a.digest == b.digest)
    }

    @Test("plainDigest is the SHA-256 hex of the text")
    func plainDigest() {
        #expect(CacheKey.plainDigest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(CacheKey.plainDigest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}

@Suite("Interpreter")
struct InterpreterTests {
    static func with(pip: String?) -> Interpreter {
        Interpreter(executable: "/p", implementation: "cpython", version: "3.11.7", pythonVersion: "3.11",
                    pythonTag: "cp311", abiTag: "cp311", platformTag: "linux_x86_64", freeThreaded: false, pipVersion: pip)
    }

    @Test("pip --python needs pip 22.3 or later",
          arguments: [("22.3", true), ("22.3.1", true), ("23.0", true), ("24", true), ("22.2.2", false),
                      ("21.3", false), ("9.0.1", false), ("22", false), ("25.1b1", true)])
    func pipPythonOption(version: String, supported: Bool) {
        #expect(Self.with(pip: version).pipSupportsPythonOption == supported)
    }

    @Test("no pip means no pip --python")
    func noPip() {
        #expect(!Self.with(pip: nil).pipSupportsPythonOption)
    }
}
