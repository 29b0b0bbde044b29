import Foundation
import Testing
import TestSupport
import WheelModel

/// Mutation fuzzing of the parsers that read outside input: from valid seeds, thousands of
/// mutated inputs (bytes flipped, inserted, deleted, duplicated, truncated; separators and
/// odd characters spliced in). A parser may refuse any of them but must never trap: a trap
/// ends the test process, and the run fails. The generator is seeded, so a failure repeats;
/// `WHEELCACHE_FUZZ_ITERATIONS` runs longer.
@Suite("parsers of outside input survive mutated input")
struct ParserFuzzTests {
    static let iterations = Int(ProcessInfo.processInfo.environment["WHEELCACHE_FUZZ_ITERATIONS"] ?? "") ?? 3000
    static let splices: [[UInt8]] = ["\\", "\"", "'", ",", ";", ":", "=", "==", "@", "#", "[", "]", "{", "}", "(", ")", "-", "_",
                                     ".", "/", "..", "%", "%2F", "\n", "\r\n", "\t", " ", "\u{0}", "é", "😀", "\u{FEFF}",
                                     "\\u", "\\ud800", "0", "9999999999999999999999", "-1", "and", "or", "in", "not"].map { Array($0.utf8) }

    static func mutated(_ seed: [UInt8], _ random: inout SplitMix) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where at < bytes.count: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.insert(contentsOf: splices.randomElement(using: &random)!, at: at)
            case 2 where at < bytes.count: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &random)))
            case 3 where at < bytes.count: bytes.insert(contentsOf: bytes[at...].prefix(16), at: at)
            case 4: bytes = Array(bytes.prefix(at))
            default: bytes.insert(UInt8.random(in: 0...127, using: &random), at: at)
            }
        }
        return bytes
    }

    /// Feeds `iterations` mutations of the seeds to `parse` (text decoded leniently, as files are).
    static func fuzz(_ seeds: [String], seed: UInt64, _ parse: (String, [UInt8]) -> Void) {
        var random = SplitMix(seed: seed)
        let corpus = seeds.map { Array($0.utf8) }
        for _ in 0..<iterations {
            let bytes = mutated(corpus.randomElement(using: &random)!, &random)
            parse(String(decoding: bytes, as: UTF8.self), bytes)
        }
    }

    @Test("requirement lines, markers and version specifiers")
    func requirements() {
        let seeds = ["requests==2.32.3", "six==1.16.0 ; python_version >= '3.8' and sys_platform != \"win32\"",
                     "pkg[extra1,extra2]==1.0.post1+local.7", "name @ https://host/p-1.0.tar.gz#sha256=" + String(repeating: "ab", count: 32),
                     "name @ git+https://host/r.git@v1#subdirectory=python", "attrs===23.1.0", "x==1.0 --hash=sha256:abc"]
        let environment = ["python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux",
                           "platform_machine": "x86_64", "implementation_name": "cpython", "os_name": "posix"]
        Self.fuzz(seeds, seed: 1) { text, _ in
            _ = try? RequirementsFile.requirement(text, hashes: [], location: "fuzz:1")
            if let marker = try? Marker(text) { _ = marker.evaluate(environment) }
            if let version = Version(text.split(separator: "=").last.map(String.init) ?? text) {
                _ = VersionSpecifier.satisfies(version, text)
                _ = version < Version("1.0")!
            }
        }
    }

    @Test("wheel file names and versions")
    func wheelNames() {
        let seeds = ["pkg-1.0-py3-none-any.whl", "numpy-2.1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                     "a_b-1.0.0rc1-1build-py2.py3-none-any.whl", "x-0.1.dev3+g123-cp313-cp313t-linux_aarch64.whl"]
        Self.fuzz(seeds, seed: 2) { text, _ in
            if let name = try? WheelFileName(text) { _ = name.expandedTags }
            _ = Version(text)
            _ = VersionText.canonical(text)
        }
    }

    @Test("RECORD, METADATA headers and base64 digests")
    func recordAndHeaders() {
        let seeds = ["pkg/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\r\npkg-1.0.dist-info/RECORD,,\n",
                     "\"quoted, name.py\",sha256=abc,12\npkg/a.py,,\n",
                     "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\nClassifier: A\n  continued\n\nbody"]
        Self.fuzz(seeds, seed: 3) { text, _ in
            _ = try? Record.parse(text)
            _ = HeaderFields(text).fields.count
            _ = Record.decodeURLSafeBase64(text)
        }
    }

    @Test("git URLs and URL redaction")
    func urls() {
        let seeds = ["git+https://user:pa%40ss@github.com/org/repo.git@" + String(repeating: "a", count: 40) + "#subdirectory=py&egg=name",
                     "git+ssh://git@host:22/r.git@main", "git+file:///tmp/repo@v1.0", "https://u:p@host/simple/x/"]
        Self.fuzz(seeds, seed: 4) { text, _ in
            _ = try? GitURL(text)
            _ = URLRedaction.redact(text)
            _ = URLRedaction.strip(text)
        }
    }

    @Test("TOML (pyproject.toml) and JSON")
    func tomlAndJSON() {
        let seeds = ["[build-system]\nrequires = [\"setuptools>=61\", 'wheel']\nbuild-backend = \"setuptools.build_meta\"\nbackend-path = [\".\"]\n[project]\nname = \"x\"\n",
                     "a = { b = 1, c = [1.5, true, 1979-05-27T07:32:00Z] }\n'''\nmulti'''\n",
                     #"{"schema": 1, "key": "k", "list": [1, -2.5e3, "\u00e9\ud83d\ude00", null, true]}"#]
        Self.fuzz(seeds, seed: 5) { text, bytes in
            _ = try? TOMLParser.parse(text)
            _ = JSONValue.parse(bytes)
            _ = try? BuildSystem.parse(pyproject: text)
        }
    }
}
