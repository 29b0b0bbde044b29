import Foundation
import Testing
import TestSupport

/// Regressions of the adversarial review: a cache whose files were tampered with or replaced
/// by links, wheel folders that cannot take wheels, and run-wide problems.
@Suite("wheelcache build: a tampered cache and unusable folders")
struct HardeningTests {
    static let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
    static let wheelName = "fakepkg-1.0-py3-none-any.whl"

    /// A cache holding fakepkg 1.0 and another project's wheel; the fakepkg entry's folder.
    static func cacheWithEntry() throws -> (CLI, String) {
        let cli = CLI()
        let (first, _) = try cli.build([sdist, TestFixtures.sdist("fakepkg-variants/fakepkg1-1.0.tar.gz")])
        try #require(first.status == 0, "\(first.stderr)")
        let entry = try #require(cli.entries.first { entry in
            (try? String(contentsOfFile: cli.cache + "/wheels-v1/" + entry, encoding: .utf8))?.contains("\"fakepkg-1.0") == true
        })
        return (cli, cli.cache + "/wheels-v1/" + entry.replacingOccurrences(of: "/entry.json", with: ""))
    }

    static func isLink(_ path: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
    }

    @Test("a manifest that names another project's valid wheel in its folder (hashes rewritten to match) is corrupt on a hit: warned, rebuilt, never served")
    func manifestNamingAnotherWheel() throws {
        let (cli, folder) = try Self.cacheWithEntry()
        let other = try #require(try FileManager.default.contentsOfDirectory(atPath: cli.wheels).first { $0.hasPrefix("fakepkg1-") })
        try FileManager.default.copyItem(atPath: cli.wheels + "/" + other, toPath: folder + "/" + other)
        let data = try Data(contentsOf: URL(fileURLWithPath: cli.wheels + "/" + other))
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/entry.json"))) as? [String: Any])
        manifest["wheel"] = other
        manifest["sha256"] = try RequirementsFileTests.sha256(folder + "/" + other)
        manifest["size"] = data.count
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: folder + "/entry.json"))

        let (result, results) = try cli.build([Self.sdist])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(results.first?["status"] as? String == "rebuilt", "\(result.stdout)")
        #expect(result.stderr.contains("corrupt"), "\(result.stderr)")
        #expect((results.first?["wheel"] as? String)?.hasSuffix(Self.wheelName) == true, "\(results)")
    }

    @Test("an entry's wheel that is a link to a file outside the cache is corrupt: not delivered as the link, rebuilt, verify says so, the outside file untouched")
    func wheelThatIsALink() throws {
        let (cli, folder) = try Self.cacheWithEntry()
        let outside = cli.scratch.path + "/outside.whl"
        try FileManager.default.moveItem(atPath: folder + "/" + Self.wheelName, toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: folder + "/" + Self.wheelName, withDestinationPath: outside)
        let before = try Data(contentsOf: URL(fileURLWithPath: outside))

        let verify = try CacheCommandTests.cache(cli, ["verify"])
        #expect(verify.status != 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("symbolic link"), "\(verify.stdout)")

        try FileManager.default.removeItem(atPath: cli.wheels)
        let (result, results) = try cli.build([Self.sdist])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(results.first?["status"] as? String == "rebuilt", "\(result.stdout)")
        #expect(!Self.isLink(cli.wheels + "/" + Self.wheelName))
        #expect(!Self.isLink(folder + "/" + Self.wheelName))
        #expect(try Data(contentsOf: URL(fileURLWithPath: outside)) == before)
    }

    @Test("an entry folder that is a link is corrupt: not served, the entry outside it left as it was, rebuilt in a real folder")
    func entryFolderThatIsALink() throws {
        let (cli, folder) = try Self.cacheWithEntry()
        let outside = cli.scratch.path + "/outside-entry"
        try FileManager.default.moveItem(atPath: folder, toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: folder, withDestinationPath: outside)
        let before = TemporaryDirectory.listing(outside)
        let manifest = try Data(contentsOf: URL(fileURLWithPath: outside + "/entry.json"))

        let (result, results) = try cli.build([Self.sdist])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(results.first?["status"] as? String == "rebuilt", "\(result.stdout)")
        #expect(!Self.isLink(folder))
        #expect(TemporaryDirectory.listing(outside) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: outside + "/entry.json")) == manifest)
    }

    @Test("a wheels-v1 bucket that is a link stops the build with what to do, and nothing is written where it leads")
    func bucketThatIsALink() throws {
        let cli = CLI()
        let outside = cli.scratch.path + "/elsewhere"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: cli.cache, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: cli.cache + "/wheels-v1", withDestinationPath: outside)
        let (result, _) = try cli.build([Self.sdist])
        #expect(result.status == 2)
        #expect(result.stderr.contains("wheels-v1 is a symbolic link"), "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: "error:").count == 2, "one error: \(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: cli.wheels))
    }

    @Test("a wheel folder that is a file or a link to nothing is bad input: one error naming it, exit 2, on a hit too, before anything is built")
    func unusableWheelFolder() throws {
        let cli = CLI()
        let (first, _) = try cli.build([Self.sdist])
        try #require(first.status == 0)
        let file = cli.scratch.path + "/a-file"
        let dangling = cli.scratch.path + "/dangling"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: cli.scratch.path + "/nowhere")
        for (folder, words) in [(file, "is not a folder"), (dangling, "is a link to nothing")] {
            for sources in [[Self.sdist], [TestFixtures.sdist("fakepkg-variants/fakepkg2-1.0.tar.gz")]] {
                let result = try cli.run(["build"] + sources + ["-w", folder])
                #expect(result.status == 2, "\(folder): \(result.stderr)")
                #expect(result.stderr.contains(words) && result.stderr.contains(folder), "\(result.stderr)")
                #expect(!result.stderr.contains("Input/output error"))
                #expect(!result.stderr.contains("another source"), "\(result.stderr)")
            }
        }
        #expect(cli.entries.count == 1, "the second sdist was not built")
        #expect(!FileManager.default.fileExists(atPath: cli.scratch.path + "/nowhere"))
    }

    @Test("a remote that cannot be used with one source is one error about the remote, no source blamed for another")
    func badRemoteWithOneSource() throws {
        let cli = CLI()
        let result = try cli.run(["build", Self.sdist, "--remote", "gopher://127.0.0.1/x"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("gopher://"), "\(result.stderr)")
        #expect(!result.stderr.contains("another source is invalid"), "\(result.stderr)")
    }

    /// Runs wheelcache, killed after `seconds`: (status, stderr, whether it had to be killed).
    static func runWithin(_ cli: CLI, _ arguments: [String], seconds: Double) throws -> (Int32, String, Bool) {
        let errors = cli.scratch.path + "/stderr-\(UUID().uuidString)"
        let process = cli.process(arguments)
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errors)
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let hung = process.isRunning
        if hung { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "", hung)
    }

    static func project(_ cli: CLI) throws -> String {
        let project = cli.scratch.path + "/proj"
        try FileManager.default.copyItem(atPath: TestFixtures.repository + "/Fixtures/packages/fakepkg", toPath: project)
        return project
    }

    @Test("a project folder holding its cache and wheel folder (the README's CI layout) builds twice; a folder marked by CACHEDIR.TAG is left out of the copy")
    func cacheInsideTheProject() throws {
        let cli = CLI()
        let project = try Self.project(cli)
        // Another tool's cache: left out, so the FIFO inside it is never opened.
        try FileManager.default.createDirectory(atPath: project + "/.othercache", withIntermediateDirectories: true)
        try "Signature: 8a477f597d28d172789f06886806bc55\n".write(toFile: project + "/.othercache/CACHEDIR.TAG", atomically: true, encoding: .utf8)
        #expect(mkfifo(project + "/.othercache/pipe", 0o600) == 0)
        for _ in 0..<2 {
            let (status, stderr, hung) = try Self.runWithin(cli, ["build", project, "--cache-dir", project + "/.wheelcache",
                                                                 "-w", project + "/wheels"], seconds: 120)
            #expect(!hung)
            #expect(status == 0, "\(stderr)")
            #expect(FileManager.default.fileExists(atPath: project + "/wheels/" + Self.wheelName))
        }
    }

    @Test("a FIFO in a project folder, or a FIFO or device as the source, is one input error (exit 2) at once, never a hang")
    func specialFiles() throws {
        let cli = CLI()
        let project = try Self.project(cli)
        #expect(mkfifo(project + "/pipe", 0o600) == 0)
        let (status, stderr, hung) = try Self.runWithin(cli, ["build", project, "--cache-dir", cli.cache, "-w", cli.wheels], seconds: 60)
        #expect(!hung, "a FIFO in the project hangs the copy")
        #expect(status == 2, "\(stderr)")
        #expect(stderr.contains("FIFO") && stderr.contains(project + "/pipe"), "\(stderr)")

        let fifo = cli.scratch.path + "/source.tar.gz"
        #expect(mkfifo(fifo, 0o600) == 0)
        for source in [fifo, "/dev/zero"] {
            let (status, stderr, hung) = try Self.runWithin(cli, ["build", source, "--cache-dir", cli.cache, "-w", cli.wheels], seconds: 60)
            #expect(!hung, "\(source) hangs")
            #expect(status == 2, "\(stderr)")
            #expect(stderr.contains("is not a file or a folder"), "\(stderr)")
        }
        #expect(cli.entries.isEmpty)
    }

    @Test("--cache-dir at a non-empty folder that is not a wheelcache cache is refused untouched (no tag written), so a later purge cannot take the user's files; an empty folder becomes a cache")
    func nonCacheFolderIsNotAdopted() throws {
        let cli = CLI()
        let project = try Self.project(cli)
        let before = TemporaryDirectory.listing(project)
        for command in [["build", Self.sdist, "-w", cli.wheels], ["cache", "purge"], ["cache", "prune", "--max-size", "0"]] {
            let result = try cli.run(command + ["--cache-dir", project])
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("is not a wheelcache cache"), "\(result.stderr)")
        }
        #expect(TemporaryDirectory.listing(project) == before)
        #expect(!FileManager.default.fileExists(atPath: project + "/CACHEDIR.TAG"))

        let empty = cli.scratch.path + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let (made, _) = try cli.build([Self.sdist], ["--cache-dir", empty])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(FileManager.default.fileExists(atPath: empty + "/CACHEDIR.TAG"))
    }

    @Test("credentials in a -r URL or an ftp:// source are never printed (text or --json); a query-string token in a source URL is kept out of entry.json, the HTTP cache and the remote record")
    func secretsStayHidden() throws {
        let cli = CLI()
        for arguments in [["-r", "https://user:PASSWORD1@127.0.0.1:9/req.txt"], ["ftp://user:PASSWORD1@127.0.0.1:9/x-1.0.tar.gz"]] {
            for json in [false, true] {
                let result = try cli.run(["build"] + arguments + (json ? ["--json"] : []))
                #expect(result.status == 2, "\(result.stderr)")
                #expect(!(result.stdout + result.stderr).contains("PASSWORD1"), "\(result.stdout) \(result.stderr)")
                #expect((result.stdout + result.stderr).contains("user:****@"), "\(result.stdout) \(result.stderr)")
            }
        }

        let dists = cli.scratch.path + "/dists"
        try FileManager.default.createDirectory(atPath: dists, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.sdist, toPath: dists + "/fakepkg-1.0.tar.gz")
        let index = try IndexServer(serving: dists)
        defer { index.stop() }
        let remote = try RemoteServer.webdav(root: cli.scratch.path + "/dav")
        let url = index.url + "/files/fakepkg-1.0.tar.gz?token=SECRETTOKEN&X-Amz-Signature=SECRETSIG"
        let (built, _) = try cli.build([url], ["--remote", remote.url + "/cache/", "--remote-write"])
        #expect(built.status == 0, "\(built.stderr)")
        for folder in [cli.cache, remote.root!] {
            for file in TemporaryDirectory.listing(folder) where file.hasSuffix(".json") {
                let text = (try? String(contentsOfFile: folder + "/" + file, encoding: .utf8)) ?? ""
                #expect(!text.contains("SECRET"), "\(folder)/\(file)")
            }
        }
        #expect(cli.entries.count == 1)
    }

    @Test("a requirements file in UTF-16 or Latin-1, or missing, is one error that says why, named once")
    func requirementsEncodings() throws {
        let cli = CLI()
        let utf16 = cli.scratch.path + "/utf16.txt", latin1 = cli.scratch.path + "/latin1.txt"
        try Data([0xFF, 0xFE] + Array("fakepkg==1.0\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).write(to: URL(fileURLWithPath: utf16))
        try Data(Array("caf".utf8) + [0xE9] + Array("==1.0\n".utf8)).write(to: URL(fileURLWithPath: latin1))
        for (file, words) in [(utf16, "it is UTF-16, not UTF-8"), (latin1, "it is not UTF-8"), (cli.scratch.path + "/nope.txt", "No such file")] {
            let result = try cli.run(["build", "-r", file])
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains(words), "\(result.stderr)")
            #expect(result.stderr.components(separatedBy: file).count == 2, "named once: \(result.stderr)")
        }
    }
}
