import Foundation
import Testing
import TestSupport
@testable import WheelCache
import WheelModel
import WheelStore
import WheelSystem

@Suite("plan and build share the decision")
struct PlanAgreesWithBuildTests {
    /// What build's status is for each plan action.
    static let outcome: [PlanEntry.Action: SourceStatus] = [
        .hit: .hit, .build: .built, .rebuild: .rebuilt, .buildUncached: .uncached, .download: .downloaded,
        .remoteHit: .remoteHit,
    ]

    @Test("over a miss, a hit, --no-binary, a corrupt entry, a folder, --no-cache-dir and a wheel URL, plan says what build then does, with the same key")
    func planThenBuild() throws {
        let box = PipelineSandbox()
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let folder = TestFixtures.repository + "/Fixtures/packages/fakepkg"
        // With its hash, so its key is known before the download (without, plan cannot know).
        let wheelURL = URL(fileURLWithPath: box.wheel).absoluteString + "#sha256=" + (try FileDigest.sha256(box.wheel)).hex
        var seen: [String] = []
        func step(_ sources: [String], noBinary: [String] = [], cache: Bool = true, corrupting: Bool = false) throws {
            let request = try box.request(sources, noBinary: noBinary, cache: cache)
            let planned = BuildPipeline(request: request, notice: { _ in }).plan().plan
            if corrupting, let key = planned.first?.key, case .hit(let entry) = box.store.lookup(key) {
                box.corrupt(entry)
                return try step(sources, noBinary: noBinary, cache: cache)
            }
            let report = BuildPipeline(request: request, notice: { _ in }).run()
            try #require(planned.count == report.results.count)
            for (plan, result) in zip(planned, report.results) {
                #expect(PlanAgreesWithBuildTests.outcome[plan.action] == result.status,
                        "\(plan.source): plan \(plan.action), build \(result.status) (\(result.error ?? ""))")
                if let key = plan.key { #expect(key == result.key, "\(plan.source)") }
                seen.append("\(plan.action.rawValue)/\(result.status.rawValue)")
            }
        }
        try step([sdist])
        try step([sdist])
        try step([sdist], noBinary: [":all:"])
        try step([sdist], corrupting: true)
        try step([folder])
        try step([sdist], cache: false)
        try step([wheelURL])
        try step([wheelURL])
        #expect(seen == ["build/built", "hit/hit", "rebuild/rebuilt", "rebuild/rebuilt", "build-uncached/uncached",
                         "build-uncached/uncached", "download/downloaded", "hit/hit"])
    }
}
