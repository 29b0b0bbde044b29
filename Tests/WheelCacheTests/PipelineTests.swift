import Foundation
import Testing
import TestSupport
@testable import WheelCache

@Suite("pipeline: sources and reports")
struct PipelineTests {
    @Test("sources are classified: a folder, a file, a missing path, and URL forms not taken yet")
    func classification() throws {
        let dir = TemporaryDirectory("spec")
        let file = dir.path + "/pkg-1.0.tar.gz"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        #expect(try SourceSpec.classify(dir.path) == .directory(path: dir.path))
        #expect(try SourceSpec.classify(file) == .sdistFile(path: file))
        #expect(throws: PipelineError.missingSource(dir.path + "/nope.tar.gz")) {
            try SourceSpec.classify(dir.path + "/nope.tar.gz")
        }
        for url in ["https://host/pkg-1.0.tar.gz", "git+https://host/repo@main", "file:///tmp/x.tar.gz"] {
            #expect(throws: PipelineError.self) { try SourceSpec.classify(url) }
        }
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
