import Foundation
import Testing
import TestSupport

/// `wheelcache cache …` on caches filled by real runs of `wheelcache build`.
@Suite("wheelcache cache: info, list, remove, purge, prune, verify")
struct CacheCommandTests {
    static func variant(_ n: Int) -> String { TestFixtures.sdist("fakepkg-variants/fakepkg\(n)-1.0.tar.gz") }

    /// Builds fakepkg1…N into the CLI's cache, one after the other (so 1 is the least recently used).
    static func filled(_ count: Int = 3) throws -> CLI {
        let cli = CLI()
        let (result, _) = try cli.build((1...count).map(variant), ["-j", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        return cli
    }

    /// `wheelcache cache ARGS --cache-dir CACHE`.
    static func cache(_ cli: CLI, _ arguments: [String], env: [String: String] = [:]) throws -> ProcessResult {
        try cli.run(["cache"] + arguments + ["--cache-dir", cli.cache], env: env)
    }

    static func json(_ result: ProcessResult) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    static func listedNames(_ cli: CLI, _ pattern: String? = nil) throws -> [String] {
        let result = try cache(cli, ["list"] + (pattern.map { [$0] } ?? []) + ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        return ((json(result) as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
    }

    @Test("info shows the location, the size and files per bucket, the entries, and hit/miss/build counters; --zero-stats resets them")
    func info() throws {
        let cli = try Self.filled(2)
        _ = try cli.build([Self.variant(1)])  // a hit
        _ = try cli.build([cli.scratch.path], env: ["WHEELCACHE_FAKE_MODE": "fail"])  // a folder without a project: input error
        let result = try Self.cache(cli, ["info", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let info = try #require(Self.json(result) as? [String: Any])
        #expect(info["root"] as? String == cli.cache)
        #expect(info["entries"] as? Int == 2)
        let buckets = try #require(info["buckets"] as? [[String: Any]])
        let wheels = try #require(buckets.first { $0["name"] as? String == "wheels-v1" })
        let expectedFiles = cli.scratch.files("cache/wheels-v1").count
        #expect(wheels["files"] as? Int == expectedFiles)
        #expect((wheels["bytes"] as? Int ?? 0) > 2000)
        #expect(buckets.contains { $0["name"] as? String == "git-v1" })
        let stats = try #require(info["statistics"] as? [String: Any])
        #expect(stats["hits"] as? Int == 1)
        #expect(stats["misses"] as? Int == 2)
        #expect(stats["builds"] as? Int == 2)

        let human = try Self.cache(cli, ["info", "--zero-stats"])
        #expect(human.stdout.contains("Cache location: \(cli.cache)"))
        #expect(human.stdout.contains("Wheel entries: 2"))
        #expect(human.stdout.contains("hits: 1, misses: 2, builds stored: 2"), "\(human.stdout)")
        #expect(human.stdout.contains("Statistics zeroed."))
        let zeroed = try #require(Self.json(try Self.cache(cli, ["info", "--json"])) as? [String: Any])
        let after = try #require(zeroed["statistics"] as? [String: Any])
        #expect(after["hits"] as? Int == 0 && after["builds"] as? Int == 0)
        #expect(zeroed["entries"] as? Int == 2)
    }

    @Test("list is sorted, filters by normalized name glob with an optional version, and prints human, abspath or json")
    func list() throws {
        let cli = try Self.filled(3)
        #expect(try Self.listedNames(cli) == ["fakepkg1", "fakepkg2", "fakepkg3"])
        #expect(try Self.listedNames(cli, "fakepkg2") == ["fakepkg2"])
        #expect(try Self.listedNames(cli, "FAKEPKG[13]") == ["fakepkg1", "fakepkg3"])
        #expect(try Self.listedNames(cli, "fakepkg1-1.*") == ["fakepkg1"])
        #expect(try Self.listedNames(cli, "fakepkg1-2.*") == [])
        #expect(try Self.listedNames(cli, "nothing*") == [])

        let human = try Self.cache(cli, ["list"])
        #expect(human.stdout.hasPrefix("Cache contents:\n\n - fakepkg1-1.0-py3-none-any.whl ("), "\(human.stdout)")
        let paths = try Self.cache(cli, ["list", "fake*", "--format", "abspath"]).stdout.split(separator: "\n").map(String.init)
        #expect(paths.count == 3)
        #expect(paths.allSatisfy { $0.hasPrefix(cli.cache + "/wheels-v1/") && $0.hasSuffix(".whl") && FileManager.default.fileExists(atPath: $0) })
        let empty = try Self.cache(cli, ["list", "zzz"])
        #expect(empty.status == 0)
        #expect(empty.stdout.contains("No locally built wheels match 'zzz'."))
    }

    @Test("list matches names in their PEP 503 form: my_pkg, My.Pkg and my-pkg are one project")
    func listNormalizesNames() throws {
        let cli = CLI()
        let sdist = try TestSupport.makeSdist(project: "fakepkg", name: "My.Pkg_Name", in: cli.scratch.path)
        let (result, _) = try cli.build([sdist])
        #expect(result.status == 0, "\(result.stderr)")
        for pattern in ["my-pkg-name", "my_pkg_name", "My.Pkg.Name", "my-pkg*", "my_pkg_name-1.0"] {
            #expect(try Self.listedNames(cli, pattern) == ["my-pkg-name"], "\(pattern)")
        }
    }

    @Test("remove deletes the matching entries and says how many and how big; no match is a warning")
    func remove() throws {
        let cli = try Self.filled(3)
        let result = try Self.cache(cli, ["remove", "fakepkg[12]"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Files removed: 2 ("), "\(result.stdout)")
        #expect(result.stdout.contains("kB)"))
        #expect(try Self.listedNames(cli) == ["fakepkg3"])
        let none = try Self.cache(cli, ["remove", "nothing"])
        #expect(none.status == 0)
        #expect(none.stdout.contains("Files removed: 0 (0 bytes)"))
        #expect(none.stderr.contains("warning: no cached wheels match 'nothing'"))
        // Removed entries are built again.
        let (_, rebuilt) = try cli.build([Self.variant(1)])
        #expect(rebuilt.first?["status"] as? String == "built")
    }

    @Test("purge removes everything but keeps the root; a folder that is not a wheelcache cache is refused untouched")
    func purge() throws {
        let cli = try Self.filled(2)
        let result = try Self.cache(cli, ["purge"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Files removed: "))
        #expect(cli.scratch.files("cache") == [".lock", "CACHEDIR.TAG", "stats.json"])
        let (_, again) = try cli.build([Self.variant(1)])
        #expect(again.first?["status"] as? String == "built")

        let foreign = cli.scratch.path + "/not-a-cache"
        try FileManager.default.createDirectory(atPath: foreign + "/sub", withIntermediateDirectories: true)
        try "keep me".write(toFile: foreign + "/sub/file.txt", atomically: true, encoding: .utf8)
        try "Signature: 8a477f597d28d172789f06886806bc55\n# another tool's cache\n".write(toFile: foreign + "/CACHEDIR.TAG", atomically: true, encoding: .utf8)
        for folder in [foreign, cli.scratch.path + "/missing"] {
            let refused = try cli.run(["cache", "purge", "--cache-dir", folder])
            #expect(refused.status == 2)
            #expect(refused.stderr.hasPrefix("error: "), "\(refused.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: foreign + "/sub/file.txt"))
    }

    @Test("links inside the cache pointing outside are never followed: not listed, not counted, removed as links only")
    func symbolicLinksAreNotFollowed() throws {
        let cli = try Self.filled(1)
        // Outside: something shaped like cache entries, which a link-following walk would list and delete.
        let outside = cli.scratch.path + "/outside"
        let key = String(repeating: "ab", count: 32)
        let fakeEntry = outside + "/ab/cd/" + key
        try FileManager.default.createDirectory(atPath: fakeEntry, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: cli.scratch.path + "/wheels/fakepkg1-1.0-py3-none-any.whl", toPath: fakeEntry + "/victim-1.0-py3-none-any.whl")
        try "{}".write(toFile: fakeEntry + "/entry.json", atomically: true, encoding: .utf8)
        let before = TestSupport.TemporaryDirectory.listing(outside)
        try FileManager.default.createSymbolicLink(atPath: cli.cache + "/wheels-v1/zz", withDestinationPath: outside + "/ab")
        try FileManager.default.createSymbolicLink(atPath: cli.cache + "/git-v1", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: cli.cache + "/logs-v1", withDestinationPath: outside)

        #expect(try Self.listedNames(cli) == ["fakepkg1"])
        let info = try #require(Self.json(try Self.cache(cli, ["info", "--json"])) as? [String: Any])
        #expect(info["entries"] as? Int == 1)
        #expect(info["git_mirrors"] as? Int == 0)
        #expect(try Self.cache(cli, ["verify"]).status == 0)
        #expect(try Self.cache(cli, ["remove", "victim"]).stdout.contains("Files removed: 0"))
        #expect(try Self.cache(cli, ["prune", "--max-size", "0"]).status == 0)
        #expect(TestSupport.TemporaryDirectory.listing(outside) == before)
        #expect(try Self.cache(cli, ["purge"]).status == 0)
        #expect(TestSupport.TemporaryDirectory.listing(outside) == before)
        #expect(FileManager.default.fileExists(atPath: fakeEntry + "/victim-1.0-py3-none-any.whl"))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: cli.cache + "/git-v1")) == nil)

        // Statistics are never written through a link either.
        let victim = outside + "/victim.txt"
        try "precious".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: cli.cache + "/stats.json")
        try FileManager.default.createSymbolicLink(atPath: cli.cache + "/stats.json", withDestinationPath: victim)
        _ = try cli.build([Self.variant(1)])
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious")
    }

    @Test("prune --max-size keeps the most recently hit entries and removes the least recent ones")
    func pruneKeepsRecentlyHit() throws {
        let cli = try Self.filled(4)
        // Only entries compete here (build environments are pruned in BuildEnvironmentTests).
        try FileManager.default.removeItem(atPath: cli.cache + "/envs-v1")
        // Hit in a known order: 3, 1, 4, 2 — so 3 is the least recently used and 2 the most.
        for n in [3, 1, 4, 2] {
            Thread.sleep(forTimeInterval: 0.05)
            let (_, hit) = try cli.build([Self.variant(n)])
            #expect(hit.first?["status"] as? String == "hit")
        }
        let entries = try #require(Self.json(try Self.cache(cli, ["list", "--json"])) as? [[String: Any]])
        let entryBytes = entries.compactMap { $0["bytes"] as? Int }.max() ?? 0
        let info = try #require(Self.json(try Self.cache(cli, ["info", "--json"])) as? [String: Any])
        let total = try #require(info["total_bytes"] as? Int)
        // Room for all but two entries (plus a little slack, less than one entry).
        let limit = total - 2 * entryBytes + entryBytes / 2

        let dry = try Self.cache(cli, ["prune", "--max-size", "\(limit)", "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("Would remove 2 entries"), "\(dry.stdout)")
        #expect(try Self.listedNames(cli).count == 4)

        let result = try Self.cache(cli, ["prune", "--max-size", "\(limit)"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Removed 2 entries"), "\(result.stdout)")
        #expect(try Self.listedNames(cli) == ["fakepkg2", "fakepkg4"])
        let after = try #require(Self.json(try Self.cache(cli, ["info", "--json"])) as? [String: Any])
        #expect((after["total_bytes"] as? Int ?? .max) <= limit)
    }

    @Test("prune --max-age removes entries unused for longer; prune clears a dead run's staging and stray locks, and leaves what wheelcache did not make (a wheels-v0 folder, a tmp/stage-mine folder), as purge does")
    func pruneByAgeAndLitter() throws {
        let cli = try Self.filled(2)
        let list = try #require(Self.json(try Self.cache(cli, ["list", "--json"])) as? [[String: Any]])
        let old = try #require(list.first { $0["name"] as? String == "fakepkg1" }?["path"] as? String)
        let manifest = (old as NSString).deletingLastPathComponent + "/entry.json"
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3 * 86400)], ofItemAtPath: manifest)
        try FileManager.default.createDirectory(atPath: cli.cache + "/wheels-v0/aa", withIntermediateDirectories: true)
        try "old".write(toFile: cli.cache + "/wheels-v0/aa/old.whl", atomically: true, encoding: .utf8)
        // A dead run's staging, as wheelcache names it, with its (unheld) lock beside it.
        try FileManager.default.createDirectory(atPath: cli.cache + "/tmp/stage-dead0001/entry", withIntermediateDirectories: true)
        try "partial".write(toFile: cli.cache + "/tmp/stage-dead0001/entry/partial.whl", atomically: true, encoding: .utf8)
        try "".write(toFile: cli.cache + "/tmp/stage-dead0001.lock", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: cli.cache + "/tmp/stage-mine", withIntermediateDirectories: true)
        try "mine".write(toFile: cli.cache + "/tmp/stage-mine/notes.txt", atomically: true, encoding: .utf8)

        let result = try Self.cache(cli, ["prune", "--max-age", "2d"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.listedNames(cli) == ["fakepkg2"])
        #expect(FileManager.default.fileExists(atPath: cli.cache + "/wheels-v0/aa/old.whl"))
        #expect(FileManager.default.fileExists(atPath: cli.cache + "/tmp/stage-mine/notes.txt"))
        #expect(!FileManager.default.fileExists(atPath: cli.cache + "/tmp/stage-dead0001"))
        #expect(!FileManager.default.fileExists(atPath: cli.cache + "/tmp/stage-dead0001.lock"))
        #expect(try Self.cache(cli, ["purge"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: cli.cache + "/wheels-v0/aa/old.whl"), "purge removes only wheelcache's buckets")
        #expect(!FileManager.default.fileExists(atPath: cli.cache + "/wheels-v1"))
        #expect(!cli.scratch.files("cache/wheels-v1").contains { $0.hasSuffix(".lock") })
        for bad in [["--max-size", "lots"], ["--max-age", "soon"]] {
            #expect(try Self.cache(cli, ["prune"] + bad).status == 2)
        }
    }

    @Test("build --max-size and WHEELCACHE_MAX_SIZE prune after storing: the least recently used entry goes, the new one stays")
    func buildPrunesAutomatically() throws {
        let cli = try Self.filled(3)
        let info = try #require(Self.json(try Self.cache(cli, ["info", "--json"])) as? [String: Any])
        let total = try #require(info["total_bytes"] as? Int)
        let entryBytes = try #require((Self.json(try Self.cache(cli, ["list", "--json"])) as? [[String: Any]])?.first?["bytes"] as? Int)
        // Room for what is there now plus half an entry: one more build must evict one entry.
        let limit = "\(total + entryBytes / 2)"
        let (result, built) = try cli.build([Self.variant(4)], ["--max-size", limit])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(built.first?["status"] as? String == "built")
        #expect(result.stderr.contains("pruned the cache"), "\(result.stderr)")
        #expect(try Self.listedNames(cli) == ["fakepkg2", "fakepkg3", "fakepkg4"])
        let (env, _) = try cli.build([Self.variant(5)], env: ["WHEELCACHE_MAX_SIZE": limit])
        #expect(env.status == 0)
        #expect(try Self.listedNames(cli) == ["fakepkg3", "fakepkg4", "fakepkg5"])
        let (bad, _) = try cli.build([Self.variant(5)], env: ["WHEELCACHE_MAX_SIZE": "big"])
        #expect(bad.status == 2)
    }

    @Test("verify finds a flipped byte, a truncated wheel and a wheel that fails validation; --repair removes them; a clean cache exits 0")
    func verify() throws {
        let cli = try Self.filled(4)
        #expect(try Self.cache(cli, ["verify"]).status == 0)
        let list = try #require(Self.json(try Self.cache(cli, ["list", "--json"])) as? [[String: Any]])
        func wheel(_ name: String) throws -> String { try #require(list.first { $0["name"] as? String == name }?["path"] as? String) }
        // A flipped byte and a truncated wheel.
        var flipped = try Data(contentsOf: URL(fileURLWithPath: try wheel("fakepkg1")))
        flipped[flipped.count / 2] ^= 0xff
        try flipped.write(to: URL(fileURLWithPath: try wheel("fakepkg1")))
        let truncated = try Data(contentsOf: URL(fileURLWithPath: try wheel("fakepkg2")))
        try truncated.prefix(truncated.count - 30).write(to: URL(fileURLWithPath: try wheel("fakepkg2")))
        // A wheel whose manifest digest was made to match, but whose RECORD is wrong.
        let invalid = try wheel("fakepkg3")
        try FileManager.default.removeItem(atPath: invalid)
        try FileManager.default.copyItem(atPath: TestFixtures.wheel("bad-record-hash"), toPath: invalid)
        let manifestPath = (invalid as NSString).deletingLastPathComponent + "/entry.json"
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as? [String: Any])
        let digest = try run("/usr/bin/sha256sum", [invalid]).stdout.prefix(64)
        manifest["sha256"] = String(digest)
        manifest["size"] = try FileManager.default.attributesOfItem(atPath: invalid)[.size] as? Int
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))

        let found = try Self.cache(cli, ["verify"])
        #expect(found.status == 1)
        #expect(found.stdout.contains("Checked 4 entries: 3 bad"), "\(found.stdout)")
        let report = try #require(Self.json(try Self.cache(cli, ["verify", "--json"])) as? [String: Any])
        let bad = (report["bad"] as? [[String: Any]]) ?? []
        #expect(Set(bad.compactMap { $0["name"] as? String }) == ["fakepkg1", "fakepkg2", "fakepkg3"])
        #expect(bad.first { $0["name"] as? String == "fakepkg3" }?["reason"].map { "\($0)" }?.contains("invalid") == true)
        #expect(try Self.listedNames(cli).count == 4, "verify without --repair removes nothing")

        let repaired = try Self.cache(cli, ["verify", "--repair"])
        #expect(repaired.status == 1)
        #expect(repaired.stdout.contains("[removed]"))
        #expect(try Self.listedNames(cli) == ["fakepkg4"])
        let clean = try Self.cache(cli, ["verify"])
        #expect(clean.status == 0)
        #expect(clean.stdout.contains("Checked 1 entries: 0 bad."))
    }

    @Test("prune, purge and remove wait for a build in progress, say so, and do not break it")
    func maintenanceWaitsForBuilds() throws {
        let cli = CLI()
        let process = cli.process(["build", Self.variant(1), "--cache-dir", cli.cache, "-w", cli.wheels],
                                  env: ["WHEELCACHE_FAKE_MODE": "sleep:2"])
        try process.run()
        // Wait until the build is under way (its staging folder exists).
        let deadline = Date(timeIntervalSinceNow: 20)
        while cli.scratch.files("cache/tmp").isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let prune = try Self.cache(cli, ["prune", "--max-size", "1G"])
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(prune.status == 0)
        #expect(prune.stderr.contains("waiting for wheelcache processes using the cache to finish"), "\(prune.stderr)")
        #expect(try Self.listedNames(cli) == ["fakepkg1"])
        #expect(try Self.cache(cli, ["verify"]).status == 0)
    }

    @Test("every subcommand honours WHEELCACHE_CACHE_DIR and --no-cache-dir")
    func cacheLocation() throws {
        let cli = try Self.filled(1)
        let env = ["WHEELCACHE_CACHE_DIR": cli.cache]
        let dir = try cli.run(["cache", "dir"], env: env)
        #expect(dir.stdout == cli.cache + "\n")
        let list = try cli.run(["cache", "list", "--format", "abspath"], env: env)
        #expect(list.stdout.hasPrefix(cli.cache + "/wheels-v1/"))
        let info = try cli.run(["cache", "info", "--json"], env: env)
        #expect((Self.json(info) as? [String: Any])?["root"] as? String == cli.cache)
        for sub in ["info", "list", "purge", "prune", "verify"] {
            #expect(try cli.run(["cache", sub, "--no-cache-dir"]).status == 2, "\(sub)")
        }
    }
}

@Suite("wheelcache: a cache folder owned by another user")
struct ForeignOwnerTests {
    @Test("build and cache purge refuse a cache folder that belongs to another user, and touch nothing in it",
          .enabled(if: geteuid() == 0, "only root can hand a folder to another user"))
    func refusesAnotherUsersCache() throws {
        let cli = CLI()
        let (first, _) = try cli.build([CacheCommandTests.variant(1)])
        #expect(first.status == 0, "\(first.stderr)")
        let before = TemporaryDirectory.listing(cli.cache)
        try #require(chown(cli.cache, 65534, 65534) == 0)
        defer { _ = chown(cli.cache, 0, 0) }

        let (refused, results) = try cli.build([CacheCommandTests.variant(1)])
        #expect(refused.status == 2)
        // One result names the cache and says what to do; the source is not built.
        let errors = results.compactMap { $0["error"] as? String }
        #expect(errors.contains { $0.contains("belongs to nobody") && $0.contains("--cache-dir") }, "\(results)")
        let purge = try CacheCommandTests.cache(cli, ["purge"])
        #expect(purge.status == 2)
        #expect(purge.stderr.contains("belongs to nobody"), "\(purge.stderr)")
        #expect(TemporaryDirectory.listing(cli.cache) == before)

        _ = chown(cli.cache, 0, 0)
        let (again, hit) = try cli.build([CacheCommandTests.variant(1)])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(hit.first?["status"] as? String == "hit")
    }
}
