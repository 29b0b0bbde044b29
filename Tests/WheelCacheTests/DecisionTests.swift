import Foundation
import Testing
import TestSupport
@testable import WheelCache
import WheelModel
import WheelStore
import WheelSystem

@Suite("stage 2: the decision build acts on and plan reports")
struct DecisionTests {
    @Test("a verified entry is a hit, a missing one a build, a corrupt one a build that replaces it, with the reason")
    func hitMissCorrupt() throws {
        let box = PipelineSandbox()
        let pipeline = try box.pipeline()
        let source = box.keyed(.build(.sdistFile(path: "/nonexistent.tar.gz")))
        #expect(summary(pipeline.decide(source)) == "build (miss)")
        let entry = try box.publish()
        #expect(summary(pipeline.decide(source)) == "hit demo")
        box.corrupt(entry)
        #expect(summary(pipeline.decide(source))
                == "build (corrupt: its wheel \(PathText.lastComponent(box.wheel)) does not match the SHA-256 in its manifest)")
    }

    @Test("deciding counts no use: the manifest's time (what pruning reads) is untouched")
    func decidingCountsNoUse() throws {
        let box = PipelineSandbox()
        let entry = try box.publish()
        let manifest = entry.path + "/entry.json"
        let old = Date(timeIntervalSince1970: 1_000_000)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: manifest)
        _ = try box.pipeline().decide(box.keyed(.build(.sdistFile(path: "/x.tar.gz"))))
        let after = try FileManager.default.attributesOfItem(atPath: manifest)[.modificationDate] as? Date
        #expect(after == old)
    }

    @Test("--no-binary forces a rebuild of a good entry of the project it names, and then the remote is not asked")
    func noBinaryForces() throws {
        let box = PipelineSandbox()
        try box.publish()
        let remote = RemoteSettings(url: "http://127.0.0.1:9/cache/", endpoint: nil, write: false)
        let source = box.keyed(.build(.sdistFile(path: "/x.tar.gz")))
        #expect(summary(try box.pipeline(noBinary: ["demo"], remote: remote).decide(source)) == "build (forced)")
        #expect(summary(try box.pipeline(noBinary: ["other"], remote: remote).decide(source)) == "hit demo")
        #expect(summary(try box.pipeline(noBinary: [":all:"]).decide(source)) == "build (forced)")
    }

    @Test("with a remote configured, a miss and a corrupt entry ask the remote before building")
    func remoteAskedOnMiss() throws {
        let box = PipelineSandbox()
        let pipeline = try box.pipeline(remote: RemoteSettings(url: "http://127.0.0.1:9/cache/", endpoint: nil, write: false))
        let source = box.keyed(.build(.sdistFile(path: "/x.tar.gz")))
        #expect(summary(pipeline.decide(source)) == "build (miss) after the remote")
        box.corrupt(try box.publish())
        #expect(summary(pipeline.decide(source)).hasSuffix(" after the remote"))
    }

    @Test("on a local miss, --no-binary :all: or naming the project asked for builds without asking the remote")
    func noBinaryMissSkipsTheRemote() throws {
        let box = PipelineSandbox()
        let remote = RemoteSettings(url: "http://127.0.0.1:9/cache/", endpoint: nil, write: false)
        let named = box.keyed(.build(.sdistFile(path: "/x.tar.gz")), expectation: Expectation(name: "Demo"))
        #expect(summary(try box.pipeline(noBinary: [":all:"], remote: remote).decide(named)) == "build (miss)")
        #expect(summary(try box.pipeline(noBinary: ["demo"], remote: remote).decide(named)) == "build (miss)")
        #expect(summary(try box.pipeline(noBinary: ["other"], remote: remote).decide(named)) == "build (miss) after the remote")
    }

    @Test("local folders, and every source under --no-cache-dir, are built uncached")
    func uncached() throws {
        let box = PipelineSandbox()
        try box.publish()
        #expect(summary(try box.pipeline().decide(box.keyed(.build(.directory(path: "/p")), key: nil))) == "uncached")
        #expect(summary(try box.pipeline(cache: false).decide(box.keyed(.build(.sdistFile(path: "/x.tar.gz"))))) == "uncached")
    }

    @Test("a wheel is a hit when its key is cached, else a download (replacing a corrupt entry); --no-binary does not apply")
    func wheels() throws {
        let box = PipelineSandbox()
        let wheel = WheelDownload(url: "https://host/demo-1.0-py3-none-any.whl", filename: "demo-1.0-py3-none-any.whl", expected: [])
        let pipeline = try box.pipeline(noBinary: [":all:"])
        #expect(summary(pipeline.decide(box.keyed(.wheel(wheel)))) == "download")
        #expect(summary(pipeline.decide(box.keyed(.wheel(wheel), key: nil))) == "download")
        let entry = try box.publish()
        #expect(summary(pipeline.decide(box.keyed(.wheel(wheel)))) == "hit demo")
        box.corrupt(entry)
        #expect(summary(pipeline.decide(box.keyed(.wheel(wheel)))).hasPrefix("download (corrupt: its wheel"))
        #expect(summary(try box.pipeline(cache: false).decide(box.keyed(.wheel(wheel)))) == "download")
    }

    @Test("a key not known without a download is unavailable with the reason; a --hash entry keying verified is a hit as it is")
    func unavailable() throws {
        let box = PipelineSandbox()
        let pipeline = try box.pipeline()
        #expect(summary(pipeline.decide(box.keyed(.unknown(reason: "known once downloaded"), key: nil)))
                == "unavailable: known once downloaded")
        let entry = try box.publish()
        #expect(summary(pipeline.decide(box.keyed(.cached(entry)))) == "hit demo")
    }
}
