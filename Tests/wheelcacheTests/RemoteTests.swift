import Foundation
import Testing
import TestSupport

/// The shared remote tier against real servers on 127.0.0.1: nginx WebDAV and moto's S3.
@Suite("wheelcache build --remote: a shared cache over WebDAV (nginx) and S3 (moto)")
struct RemoteTests {
    enum Kind: String, CaseIterable, Sendable { case webdav, s3 }

    /// A started server with how to point wheelcache at it and how to list what it holds.
    struct Remote {
        let server: RemoteServer
        let url: String
        let arguments: [String]
        let environment: [String: String]
        let kind: Kind
        static let secret = "s3cr3t-k3y-value"

        init(_ kind: Kind, scratch: String) throws {
            self.kind = kind
            switch kind {
            case .webdav:
                server = try RemoteServer.webdav(root: scratch + "/dav")
                url = server.url + "/cache/"
                arguments = ["--remote", url]
                environment = [:]
            case .s3:
                server = try RemoteServer.s3(bucket: "wheels")
                url = "s3://wheels/team"
                arguments = ["--remote", url, "--remote-endpoint", server.url]
                environment = ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": Remote.secret, "AWS_REGION": "us-east-1"]
            }
        }

        /// Every object the remote holds, relative to the remote URL.
        func listing() throws -> [String] {
            switch kind {
            case .webdav:
                return TemporaryDirectory.listing(server.root! + "/cache").filter { $0.hasSuffix(".whl") || $0.hasSuffix(".json") }
            case .s3:
                let script = """
                    import sys, boto3
                    s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="x")
                    for item in s3.list_objects_v2(Bucket="wheels").get("Contents", []): print(item["Key"])
                    """
                let result = try run(TestFixtures.remotePython, ["-c", script, server.url])
                return result.stdout.split(separator: "\n").map { String($0.dropFirst("team/".count)) }.sorted()
            }
        }
    }

    @Test("a remote record that maps a key to another project's self-consistent wheel is a warning and a local build for a source that names its project; nothing of it is stored")
    func poisonedRecordForANamedSource() throws {
        let a = CLI(), b = CLI()
        let remote = try Remote(.webdav, scratch: a.scratch.path)
        let (built, results) = try a.build([CacheCommandTests.variant(1), CacheCommandTests.variant(2)], remote.arguments + ["--remote-write"])
        #expect(built.status == 0, "\(built.stderr)")
        let first = try #require(results.first?["key"] as? String), second = try #require(results.last?["key"] as? String)
        // The record for fakepkg2's key now names fakepkg1's wheel, consistently.
        let keys = remote.server.root! + "/cache/v1/keys/"
        var record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: keys + first + ".json"))) as? [String: Any])
        var manifest = try #require(record["manifest"] as? [String: Any])
        record["key"] = second
        manifest["key"] = second
        record["manifest"] = manifest
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: keys + second + ".json"))

        let url = URL(fileURLWithPath: CacheCommandTests.variant(2)).absoluteString
        let (again, got) = try b.build(["fakepkg2 @ " + url], remote.arguments)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(got.first?["status"] as? String == "built")
        #expect(got.first?["name"] as? String == "fakepkg2")
        #expect(again.stderr.contains("that is not what was asked"), "\(again.stderr)")
        #expect(!b.entries.contains { (try? String(contentsOfFile: b.scratch.path + "/" + $0, encoding: .utf8))?.contains("fakepkg1") == true })
    }

    @Test("--no-binary asks for a build: with the project named or :all:, runner B builds although the remote has the wheel")
    func noBinaryBuildsDespiteTheRemote() throws {
        let a = CLI(), b = CLI()
        let remote = try Remote(.webdav, scratch: a.scratch.path)
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let (built, _) = try a.build([sdist], remote.arguments + ["--remote-write"])
        #expect(built.status == 0, "\(built.stderr)")
        for selection in ["fakepkg", ":all:"] {
            let (rebuilt, results) = try b.build([sdist], remote.arguments + ["--no-binary", selection])
            #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
            #expect(results.first?["status"] as? String == (selection == "fakepkg" ? "built" : "rebuilt"), "\(selection)")
        }
        let human = try b.run(["cache", "info", "--cache-dir", b.cache])
        #expect(human.stdout.contains("remote: hits 0"), "\(human.stdout)")
    }

    @Test("runner A builds and uploads; runner B, with an empty cache and a failing backend, gets a remote-hit and the same wheel", arguments: Kind.allCases)
    func sharedBetweenRunners(_ kind: Kind) throws {
        let a = CLI(), b = CLI()
        let remote = try Remote(kind, scratch: a.scratch.path)
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let (built, first) = try a.build([sdist], remote.arguments + ["--remote-write"], env: remote.environment)
        #expect(built.status == 0, "\(built.stderr)")
        #expect(first.first?["status"] as? String == "built")
        let key = try #require(first.first?["key"] as? String)
        let sha = try #require(first.first?["sha256"] as? String)
        #expect(try remote.listing() == ["v1/blobs/sha256/\(sha).whl", "v1/keys/\(key).json"])

        let (fetched, second) = try b.build([sdist], remote.arguments, env: remote.environment.merging(["WHEELCACHE_FAKE_MODE": "fail"]) { $1 })
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(second.first?["status"] as? String == "remote-hit")
        #expect(second.first?["sha256"] as? String == sha)
        #expect(FileManager.default.contentsEqual(atPath: a.wheels + "/fakepkg-1.0-py3-none-any.whl", andPath: b.wheels + "/fakepkg-1.0-py3-none-any.whl"))
        let (_, third) = try b.build([sdist], remote.arguments, env: remote.environment)
        #expect(third.first?["status"] as? String == "hit")
        let human = try b.run(["cache", "info", "--cache-dir", b.cache])
        #expect(human.stdout.contains("remote: hits 1, misses 0, errors 0"), "\(human.stdout)")
        #expect(try b.run(["cache", "verify", "--cache-dir", b.cache]).status == 0)
    }

    @Test("read-only by default: a build uploads nothing, and the next runner's miss builds locally", arguments: Kind.allCases)
    func readOnlyByDefault(_ kind: Kind) throws {
        let a = CLI(), b = CLI()
        let remote = try Remote(kind, scratch: a.scratch.path)
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let (built, _) = try a.build([sdist], remote.arguments, env: remote.environment)
        #expect(built.status == 0, "\(built.stderr)")
        #expect(try remote.listing().isEmpty)
        let (again, second) = try b.build([sdist], remote.arguments, env: remote.environment)
        #expect(again.status == 0)
        #expect(second.first?["status"] as? String == "built")
        let info = try b.run(["cache", "info", "--cache-dir", b.cache])
        #expect(info.stdout.contains("remote: hits 0, misses 1, errors 0"), "\(info.stdout)")
    }

    @Test("faults cost a warning, never the job: a refused connection and a corrupted blob mean a local build, and the bad blob is not stored")
    func faultsBuildLocally() throws {
        let a = CLI(), b = CLI(), c = CLI()
        let remote = try Remote(.webdav, scratch: a.scratch.path)
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        // Nothing listens on the remote's port once it is stopped.
        let refused = try Remote(.webdav, scratch: c.scratch.path)
        refused.server.stop()
        let (down, builtDown) = try c.build([sdist], refused.arguments)
        #expect(down.status == 0, "\(down.stderr)")
        #expect(builtDown.first?["status"] as? String == "built")
        #expect(down.stderr.contains("warning: remote cache") && down.stderr.contains("building locally"), "\(down.stderr)")

        let (built, first) = try a.build([sdist], remote.arguments + ["--remote-write"])
        #expect(built.status == 0, "\(built.stderr)")
        let sha = try #require(first.first?["sha256"] as? String)
        let blob = remote.server.root! + "/cache/v1/blobs/sha256/\(sha).whl"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: blob))
        bytes[bytes.count / 2] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: blob))
        let (local, second) = try b.build([sdist], remote.arguments)
        #expect(local.status == 0, "\(local.stderr)")
        #expect(second.first?["status"] as? String == "built")
        #expect(local.stderr.contains("does not match its SHA-256"), "\(local.stderr)")
        #expect(try b.run(["cache", "verify", "--cache-dir", b.cache]).status == 0)
        let info = try b.run(["cache", "info", "--cache-dir", b.cache])
        #expect(info.stdout.contains("errors 1"), "\(info.stdout)")
    }

    @Test("a remote record that maps an unnamed sdist's key to another project's valid wheel is refused by the sdist's file name: a warning, a local build, nothing of it stored, and later runs hit the right project")
    func poisonedRecordForAnUnnamedSdist() throws {
        let a = CLI(), b = CLI()
        let remote = try Remote(.webdav, scratch: a.scratch.path)
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let (built, results) = try a.build([CacheCommandTests.variant(1), sdist], remote.arguments + ["--remote-write"])
        #expect(built.status == 0, "\(built.stderr)")
        let other = try #require(results.first?["key"] as? String), wanted = try #require(results.last?["key"] as? String)
        let keys = remote.server.root! + "/cache/v1/keys/"
        var record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: keys + other + ".json"))) as? [String: Any])
        var manifest = try #require(record["manifest"] as? [String: Any])
        record["key"] = wanted
        manifest["key"] = wanted
        record["manifest"] = manifest
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: keys + wanted + ".json"))

        let (again, got) = try b.build([sdist], remote.arguments)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(got.first?["status"] as? String == "built")
        #expect(got.first?["name"] as? String == "fakepkg")
        #expect(again.stderr.contains("the sdist fakepkg-1.0.tar.gz is fakepkg 1.0") && again.stderr.contains("building locally"), "\(again.stderr)")
        let (hit, served) = try b.build([sdist], remote.arguments)
        #expect(hit.status == 0)
        #expect(served.first?["status"] as? String == "hit")
        #expect(served.first?["name"] as? String == "fakepkg")
    }

    @Test("a hostile remote is bounded: a record or blob announced as 4 GB, a blob sent past its record's size without a length, and a record trickled slowly each cost a warning and a local build, within seconds, with nothing big written")
    func hostileRemoteIsBounded() throws {
        let a = CLI()
        let remote = try Remote(.webdav, scratch: a.scratch.path)
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let (uploaded, _) = try a.build([sdist], remote.arguments + ["--remote-write"])
        try #require(uploaded.status == 0, "\(uploaded.stderr)")
        let root = remote.server.root!
        let cases: [(String, [String], String)] = [
            ("record announced as 4 GB", ["--fault-path", "/keys/", "--flood", "4294967296"], "larger than"),
            ("blob announced as 4 GB", ["--fault-path", "/blobs/", "--flood", "4294967296"], "larger than"),
            ("blob past its size, unannounced", ["--fault-path", "/blobs/", "--flood", "50000000", "--no-length"], "larger than"),
            ("record trickled at 1.5 kB/s", ["--fault-path", "/keys/", "--flood", "60000", "--trickle", "1500"], "timed out"),
        ]
        for (label, fault, words) in cases {
            let server = try IndexServer(serving: root, fault: fault)
            defer { server.stop() }
            let b = CLI()
            let started = Date()
            let (result, built) = try b.build([sdist], ["--remote", server.url + "/tree/cache/"], env: ["WHEELCACHE_REMOTE_TIMEOUT": "1"])
            #expect(result.status == 0, "\(label): \(result.stderr)")
            #expect(built.first?["status"] as? String == "built", "\(label)")
            #expect(result.stderr.contains(words) && result.stderr.contains("building locally"), "\(label): \(result.stderr)")
            #expect(Date().timeIntervalSince(started) < 20, "\(label)")
            let sizes = TemporaryDirectory.listing(b.cache).map { (try? FileManager.default.attributesOfItem(atPath: b.cache + "/" + $0)[.size] as? Int) ?? 0 }
            #expect(sizes.allSatisfy { $0 < 1_000_000 }, "\(label)")
        }
    }

    @Test("a remote answering 500 is retried twice, then a warning; a remote that hangs times out; both build locally")
    func serverErrorsAndHangs() throws {
        let cli = CLI()
        let empty = cli.scratch.path + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let failing = try IndexServer(serving: empty, status: 500)
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let (result, built) = try cli.build([sdist], ["--remote", failing.url + "/cache/"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(built.first?["status"] as? String == "built")
        #expect(result.stderr.contains("HTTP 500") && result.stderr.contains("building locally"), "\(result.stderr)")
        #expect(failing.requests.count == 3, "one request and two retries: \(failing.requests)")

        let other = CLI()
        let hanging = try IndexServer(serving: empty, hang: true)
        let started = Date()
        let (slow, builtSlow) = try other.build([sdist], ["--remote", hanging.url + "/cache/"], env: ["WHEELCACHE_REMOTE_TIMEOUT": "1"])
        #expect(slow.status == 0, "\(slow.stderr)")
        #expect(builtSlow.first?["status"] as? String == "built")
        #expect(slow.stderr.contains("cannot be reached"), "\(slow.stderr)")
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test("a bearer token reaches the WebDAV server, a wrong one is a warning; S3 credentials never reach the backend or the output")
    func credentials() throws {
        let a = CLI(), b = CLI()
        let server = try RemoteServer.webdav(root: a.scratch.path + "/dav", token: "good-token")
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let remote = ["--remote", server.url + "/cache/", "--remote-write"]
        let (wrong, _) = try a.build([sdist], remote, env: ["WHEELCACHE_REMOTE_TOKEN": "bad-token"])
        #expect(wrong.status == 0)
        #expect(wrong.stderr.contains("HTTP 401"), "\(wrong.stderr)")
        #expect(TemporaryDirectory.listing(a.scratch.path + "/dav").filter { $0.hasSuffix(".whl") }.isEmpty)
        let (right, _) = try b.build([sdist], remote, env: ["WHEELCACHE_REMOTE_TOKEN": "good-token"])
        #expect(right.status == 0)
        #expect(!right.stderr.contains("warning"), "\(right.stderr)")
        #expect(TemporaryDirectory.listing(a.scratch.path + "/dav").contains { $0.hasSuffix(".whl") })

        let c = CLI()
        let s3 = try Remote(.s3, scratch: c.scratch.path)
        let dump = c.scratch.path + "/env.json"
        let (result, _) = try c.build([sdist], s3.arguments + ["--remote-write", "-v"],
                                      env: s3.environment.merging(["WHEELCACHE_FAKE_ENV_DUMP": dump, "AWS_SESSION_TOKEN": "tok-" + Remote.secret]) { $1 })
        #expect(result.status == 0, "\(result.stderr)")
        let environment = try String(contentsOfFile: dump, encoding: .utf8)
        #expect(!environment.contains(Remote.secret) && !environment.contains("AWS_"), "the backend saw credentials")
        #expect(!result.stdout.contains(Remote.secret) && !result.stderr.contains(Remote.secret))
        #expect(try s3.listing().count == 2)
    }

    @Test("basic auth from WHEELCACHE_REMOTE_USER/PASSWORD or ~/.netrc; WHEELCACHE_REMOTE and WHEELCACHE_REMOTE_WRITE in place of the flags")
    func basicAuthNetrcAndEnvironment() throws {
        let a = CLI(), b = CLI(), c = CLI()
        let server = try RemoteServer.webdav(root: a.scratch.path + "/dav", basic: "ci:pa55word")
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let env = ["WHEELCACHE_REMOTE": server.url + "/cache/", "WHEELCACHE_REMOTE_WRITE": "1"]
        let (anonymous, _) = try a.build([sdist], env: env)
        #expect(anonymous.stderr.contains("HTTP 401"), "\(anonymous.stderr)")
        let (withUser, _) = try b.build([sdist], env: env.merging(["WHEELCACHE_REMOTE_USER": "ci", "WHEELCACHE_REMOTE_PASSWORD": "pa55word"]) { $1 })
        #expect(withUser.status == 0)
        #expect(!withUser.stderr.contains("warning"), "\(withUser.stderr)")
        #expect(TemporaryDirectory.listing(a.scratch.path + "/dav").contains { $0.hasSuffix(".json") })
        let home = c.scratch.path + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try "machine 127.0.0.1 login ci password pa55word\n".write(toFile: home + "/.netrc", atomically: true, encoding: .utf8)
        let (fromNetrc, results) = try c.build([sdist], env: ["WHEELCACHE_REMOTE": server.url + "/cache/", "HOME": home,
                                                              "WHEELCACHE_FAKE_MODE": "fail"])
        #expect(fromNetrc.status == 0, "\(fromNetrc.stderr)")
        #expect(results.first?["status"] as? String == "remote-hit")
    }

    @Test("plan reports remote-hit for a key the remote has")
    func planSeesTheRemote() throws {
        let a = CLI(), b = CLI()
        let remote = try Remote(.webdav, scratch: a.scratch.path)
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        _ = try a.build([sdist], remote.arguments + ["--remote-write"])
        let plan = try b.run(["plan", sdist, "--cache-dir", b.cache, "--json"] + remote.arguments)
        #expect(plan.stdout.contains(#""action":"remote-hit""#), "\(plan.stdout)")
        let bad = try b.run(["build", sdist, "--cache-dir", b.cache, "--remote", "ftp://nowhere/x"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("a remote is s3://BUCKET/PREFIX or http(s)://HOST/PATH/"), "\(bad.stderr)")
    }
}
