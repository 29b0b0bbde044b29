import Foundation
import Testing
import TestSupport

@Suite("wheelcache build: real backends, offline from a local wheelhouse")
struct BackendTests {
    @Test("setuptools (setup.py only and pyproject), hatchling, flit-core and a C extension each build a valid wheel",
          arguments: [("legacy-setuppy-0.1.tar.gz", "legacy_setuppy-0.1-py3-none-any.whl"),
                      ("pyproj-setuptools-0.2.tar.gz", "pyproj_setuptools-0.2-py3-none-any.whl"),
                      ("hatch-pkg-0.3.tar.gz", "hatch_pkg-0.3-py3-none-any.whl"),
                      ("flit-pkg-0.4.tar.gz", "flit_pkg-0.4-py3-none-any.whl"),
                      ("cext-pkg-0.5.tar.gz", "cext_pkg-0.5-cp311-cp311-linux_x86_64.whl"),
                      ("sampleproject-1.0.0.zip", "sampleproject-1.0.0-py3-none-any.whl")])
    func realBackend(sdist: String, wheel: String) throws {
        let cli = CLI()
        let (result, results) = try cli.build([TestFixtures.sdist(sdist)], CLI.offline + ["--python", TestFixtures.python])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(results.first?["status"] as? String == "built")
        let built = try #require(results.first?["wheel"] as? String)
        let expected: String
        if wheel.contains("cp311") {
            // The C extension's tags follow the interpreter the tests run with.
            let tag = try run(TestFixtures.python, ["-c", "import sys, sysconfig; print('cp%d%d-cp%d%d-%s' % (sys.version_info[:2] * 2 + (sysconfig.get_platform().replace('-', '_').replace('.', '_'),)))"])
            expected = "cext_pkg-0.5-" + tag.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + ".whl"
        } else {
            expected = wheel
        }
        #expect((built as NSString).lastPathComponent == expected)
        // The entry records the backend and what was installed to build it.
        let manifest = try #require(cli.entries.first)
        let text = try String(contentsOfFile: cli.cache + "/wheels-v1/" + manifest, encoding: .utf8)
        #expect(text.contains("\"build_requirements\""))
        #expect(text.contains("\"backend\""))
    }
}
