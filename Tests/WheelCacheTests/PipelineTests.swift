import Foundation
import Testing
import TestSupport
@testable import WheelCache
import WheelModel

@Suite("pipeline: sources and reports")
struct PipelineTests {
    @Test("sources are classified: a folder, a file, a missing path, git URLs, URLs, pins; other forms are refused")
    func classification() throws {
        let dir = TemporaryDirectory("spec")
        let file = dir.path + "/pkg-1.0.tar.gz"
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        #expect(try SourceSpec.classify(dir.path) == .directory(path: dir.path))
        #expect(try SourceSpec.classify(file) == .sdistFile(path: file))
        #expect(throws: PipelineError.missingSource(dir.path + "/nope.tar.gz")) {
            try SourceSpec.classify(dir.path + "/nope.tar.gz")
        }
        for url in ["hg+https://host/repo", "git+host:repo", "no-such-file.tar.gz", "requests>=2"] {
            #expect(throws: PipelineError.self) { try SourceSpec.classify(url) }
        }
        #expect(try SourceSpec.classify("https://host/pkg-1.0.tar.gz#sha256=ab") == .url("https://host/pkg-1.0.tar.gz#sha256=ab", name: nil))
        #expect(try SourceSpec.classify("pkg @ file:///tmp/x.tar.gz") == .url("file:///tmp/x.tar.gz", name: "pkg"))
        #expect(try SourceSpec.classify("Requests==2.31.0") == .pin(name: "Requests", version: "2.31.0"))
        #expect(try SourceSpec.classify("git+https://host/repo@main") == .git(try GitURL("git+https://host/repo@main"), name: nil))
        #expect(try SourceSpec.classify("git+https://host/repo#egg=pkg") == .git(try GitURL("git+https://host/repo#egg=pkg"), name: "pkg"))
    }

    @Test("a source that is no path is read as PEP 508: an unpinned requirement says so; what looks like a path is missing")
    func commandLineRequirements() throws {
        let unpinned = "not pinned to one version; wheelcache builds exact pins (name==version), as pip-compile and uv pip compile write them"
        #expect(throws: PipelineError.unsupportedSource("requests>=2", unpinned)) { try SourceSpec.classify("requests>=2") }
        #expect(throws: PipelineError.unsupportedSource("requests", unpinned)) { try SourceSpec.classify("requests") }
        #expect(throws: PipelineError.missingSource("dist/requests-2.0.tar.gz")) { try SourceSpec.classify("dist/requests-2.0.tar.gz") }
        #expect(throws: PipelineError.missingSource("requests-2.0.tar.gz")) { try SourceSpec.classify("requests-2.0.tar.gz") }
    }

    @Test("PEP 508 direct references: 'name [extras] @ URL' gives the name; markers and trailing text are refused")
    func directReferences() throws {
        #expect(try SourceSpec.classify("Pkg @ git+https://host/repo@v1") == .git(try GitURL("git+https://host/repo@v1"), name: "Pkg"))
        #expect(try SourceSpec.classify("pkg[a,b]@git+ssh://git@host/repo") == .git(try GitURL("git+ssh://git@host/repo"), name: "pkg"))
        for text in ["pkg @ git+https://host/repo ; python_version>'3'", "pkg @ git+https://host/repo extra", "pkg @ ./local/path"] {
            #expect(throws: PipelineError.self, "\(text)") { try SourceSpec.classify(text) }
        }
        // A file named like 'name@version' is a path, not a direct reference.
        let dir = TemporaryDirectory("spec")
        let file = dir.path + "/pkg@1.0.tar.gz"
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        #expect(try SourceSpec.classify(file) == .sdistFile(path: file))
    }

    @Test("the exit code is 2 when any input was bad, 1 when a build failed, 0 otherwise")
    func exitCodes() {
        var ok = SourceResult(source: "a", status: .hit, seconds: 0)
        var failedBuild = SourceResult(source: "b", status: .failed, seconds: 0)
        failedBuild.failure = .build
        var badInput = SourceResult(source: "c", status: .failed, seconds: 0)
        badInput.failure = .input
        #expect(BuildReport(results: [ok]).exitCode == 0)
        #expect(BuildReport(results: [ok, failedBuild]).exitCode == 1)
        #expect(BuildReport(results: [failedBuild, badInput]).exitCode == 2)
        ok.status = .uncached
        #expect(BuildReport(results: [ok]).exitCode == 0)
    }

    @Test("a missing source fails the whole run before anything is built")
    func missingSourceStopsEverything() {
        let dir = TemporaryDirectory("pipe")
        let request = BuildRequest(
            sources: [TestFixtures.sdist("fakepkg-1.0.tar.gz"), dir.path + "/missing.tar.gz"],
            wheelDirectory: dir.path + "/wheels", cacheRoot: dir.path + "/cache", noBinary: .init(),
            python: TestFixtures.python, options: .init(), index: .init(), environment: TestFixtures.hermeticEnvironment())
        let report = BuildPipeline(request: request, notice: { _ in }).run()
        #expect(report.results.map(\.status) == [.failed, .failed])
        #expect(report.exitCode == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/cache"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/wheels"))
    }
}
