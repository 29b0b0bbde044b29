import Foundation
import Testing
import TestSupport
@testable import WheelFetch

@Suite("HTTP cache and simple index against scripts/index-server")
struct HTTPCacheTests {
    static func served() throws -> (TemporaryDirectory, IndexServer) {
        let dir = TemporaryDirectory("index")
        try FileManager.default.createDirectory(atPath: dir.path + "/dists", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestFixtures.sdist("fakepkg-1.0.tar.gz"), toPath: dir.path + "/dists/fakepkg-1.0.tar.gz")
        try FileManager.default.copyItem(atPath: TestFixtures.wheel("good"), toPath: dir.path + "/dists/demo-1.0-py3-none-any.whl")
        return (dir, try IndexServer(serving: dir.path + "/dists"))
    }

    @Test("a cached response is revalidated with If-None-Match and its body reused on 304")
    func revalidates() throws {
        let (dir, server) = try Self.served()
        let cache = HTTPCache(folder: dir.path + "/http", client: HTTPClient())
        let url = server.url + "/files/fakepkg-1.0.tar.gz"
        let first = try cache.fetch(url, to: dir.path + "/a")
        #expect(first.origin == .network)
        let second = try cache.fetch(url, to: dir.path + "/b")
        #expect(second.origin == .revalidated)
        #expect(FileManager.default.contentsEqual(atPath: dir.path + "/b", andPath: TestFixtures.sdist("fakepkg-1.0.tar.gz")))
        #expect(server.requests.map(\.status) == [200, 304])
        // The file changes: the next fetch gets the new body.
        try Data("changed".utf8).write(to: URL(fileURLWithPath: server.root + "/fakepkg-1.0.tar.gz"))
        let third = try cache.fetch(url, to: dir.path + "/c")
        #expect(third.origin == .network)
        #expect(try String(contentsOfFile: dir.path + "/c", encoding: .utf8) == "changed")
    }

    @Test("a fresh response (max-age) is used without asking; a stopped server then does not matter")
    func freshWithoutRequest() throws {
        let dir = TemporaryDirectory("index")
        try FileManager.default.createDirectory(atPath: dir.path + "/dists", withIntermediateDirectories: true)
        try Data("body".utf8).write(to: URL(fileURLWithPath: dir.path + "/dists/x-1.0.tar.gz"))
        let server = try IndexServer(serving: dir.path + "/dists", maxAge: 3600)
        let cache = HTTPCache(folder: dir.path + "/http", client: HTTPClient())
        let url = server.url + "/files/x-1.0.tar.gz"
        #expect(try cache.fetch(url, to: dir.path + "/a").origin == .network)
        server.stop()
        #expect(try cache.fetch(url, to: dir.path + "/b").origin == .cache)
        #expect(throws: FetchError.self) { try HTTPCache(folder: nil, client: HTTPClient()).fetch(url, to: dir.path + "/c") }
    }

    @Test("errors: 404 is a status error, a refused connection is unreachable")
    func errors() throws {
        let (dir, server) = try Self.served()
        let cache = HTTPCache(folder: dir.path + "/http", client: HTTPClient())
        #expect(throws: FetchError.status(url: server.url + "/files/none.tar.gz", code: 404)) {
            try cache.fetch(server.url + "/files/none.tar.gz", to: dir.path + "/a")
        }
        server.stop()
        do {
            _ = try cache.fetch(server.url + "/files/fakepkg-1.0.tar.gz", to: dir.path + "/b")
            Issue.record("a stopped server should be unreachable")
        } catch {
            guard case .unreachable = error else { Issue.record("\(error)"); return }
        }
    }

    @Test("the simple index is read as PEP 691 JSON, or PEP 503 HTML when that is all there is")
    func simpleIndex() throws {
        let (dir, server) = try Self.served()
        let html = try IndexServer(serving: server.root, htmlOnly: true)
        for index in [server.simple, html.simple] {
            let files = try SimpleIndex(cache: HTTPCache(folder: dir.path + "/http", client: HTTPClient()))
                .files(project: "FakePkg", index: index, scratch: dir.path)
            #expect(files.map(\.filename) == ["fakepkg-1.0.tar.gz"])
            #expect(files.first?.url == index.replacingOccurrences(of: "/simple/", with: "/files/fakepkg-1.0.tar.gz"))
            #expect(files.first?.sha256?.count == 64)
            #expect(files.first?.nameAndVersion?.name == "fakepkg")
            #expect(try SimpleIndex(cache: HTTPCache(folder: nil, client: HTTPClient())).files(project: "nothing", index: index, scratch: dir.path).isEmpty)
        }
        #expect(server.requests.contains { $0.path == "/simple/fakepkg/" })
    }

    @Test("HTML anchors: entities, relative links, hashes, requires-python and yanked")
    func htmlParsing() {
        let page = #"""
            <a href="../../f/a-1.0.tar.gz#sha256=ABC" data-requires-python="&gt;=3.8">a-1.0.tar.gz</a>
            <A HREF='https://other/b-1.0-py3-none-any.whl' data-yanked>b-1.0-py3-none-any.whl</A>
            """#
        let files = SimpleIndex.parseHTML(page, pageURL: "https://host/simple/a/")
        #expect(files.count == 2)
        #expect(files[0].url == "https://host/f/a-1.0.tar.gz")
        #expect(files[0].sha256 == "abc")
        #expect(files[0].requiresPython == ">=3.8")
        #expect(!files[0].yanked)
        #expect(files[1].yanked)
        #expect(files[1].nameAndVersion?.version == "1.0")
    }

    @Test("an index's credentials go to its files on the same host, never to another host")
    func credentialsFollowTheIndexHost() {
        let index = "https://user:tok@pkgs.example/simple/"
        #expect(SimpleIndex.carryCredentials(from: index, to: "https://pkgs.example/files/a-1.0.tar.gz") == "https://user:tok@pkgs.example/files/a-1.0.tar.gz")
        #expect(SimpleIndex.carryCredentials(from: index, to: "https://cdn.example/files/a-1.0.tar.gz") == "https://cdn.example/files/a-1.0.tar.gz")
        #expect(SimpleIndex.carryCredentials(from: index, to: "http://pkgs.example/files/a.tar.gz") == "http://pkgs.example/files/a.tar.gz")
        #expect(SimpleIndex.carryCredentials(from: "https://pkgs.example/simple/", to: "https://pkgs.example/f") == "https://pkgs.example/f")
    }
}
