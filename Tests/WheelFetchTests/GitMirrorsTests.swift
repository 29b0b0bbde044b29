import Foundation
import Testing
import TestSupport
import WheelModel
@testable import WheelFetch

@Suite("GitMirrors: fetch, mirror and check out")
struct GitMirrorsTests {
    /// A repository with the fake-backend project and two commits; returns both ids.
    static func repository(_ dir: TemporaryDirectory) throws -> (GitRepository, String, String) {
        let repo = try GitRepository(dir.path + "/repo")
        try repo.add(project: "fakepkg")
        let first = try repo.commit("first")
        try repo.write("README.md", "second\n")
        return (repo, first, try repo.commit("second"))
    }

    static func client(_ extra: [String: String] = [:]) throws -> GitClient {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in extra { env[k] = v }
        return try GitClient(environment: env)
    }

    @Test("a new mirror is filled privately, moved into the bucket after a good checkout, and reused for the next commit")
    func mirrorIsAdoptedAndReused() throws {
        let dir = TemporaryDirectory("mirror")
        let (repo, first, second) = try Self.repository(dir)
        let url = try GitURL("git+" + repo.fileURL)
        let mirrors = GitMirrors(client: try Self.client(), bucket: dir.path + "/bucket")
        for (n, commit) in [first, second].enumerated() {
            let scratch = dir.path + "/scratch\(n)"
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            let tree = try mirrors.checkout(url, commit: commit, tags: [], into: scratch + "/checkout", scratch: scratch, waiting: {})
            #expect(tree == scratch + "/checkout")
            let checkout = GitRepository(existing: tree)
            #expect(try checkout.head() == commit)
            #expect(FileManager.default.fileExists(atPath: tree + "/pyproject.toml"))
            // The checkout borrows the bucket's mirror, not the scratch copy.
            let alternates = try String(contentsOfFile: tree + "/.git/objects/info/alternates", encoding: .utf8)
            #expect(alternates.hasPrefix(dir.path + "/bucket/"))
            #expect(!FileManager.default.fileExists(atPath: scratch + "/mirror.git"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/bucket").count == 1)
    }

    @Test("without a bucket the mirror stays private to the scratch folder")
    func noBucketStaysPrivate() throws {
        let dir = TemporaryDirectory("mirror")
        let (repo, first, _) = try Self.repository(dir)
        let mirrors = GitMirrors(client: try Self.client(), bucket: nil)
        let tree = try mirrors.checkout(try GitURL("git+" + repo.fileURL), commit: first, tags: [],
                                        into: dir.path + "/checkout", scratch: dir.path, waiting: {})
        #expect(try GitRepository(existing: tree).head() == first)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/mirror.git/HEAD"))
    }

    @Test("a server that refuses unadvertised commits (protocol v0) gets a full fetch instead")
    func fallsBackToAFullFetch() throws {
        let dir = TemporaryDirectory("mirror")
        let (repo, first, _) = try Self.repository(dir)
        let client = try Self.client(["GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "protocol.version", "GIT_CONFIG_VALUE_0": "0"])
        let mirrors = GitMirrors(client: client, bucket: dir.path + "/bucket")
        // `first` is not a branch tip, so only a full fetch brings it.
        let tree = try mirrors.checkout(try GitURL("git+" + repo.fileURL), commit: first, tags: [],
                                        into: dir.path + "/checkout", scratch: dir.path, waiting: {})
        #expect(try GitRepository(existing: tree).head() == first)
        let mirror = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/bucket").first)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/bucket/" + mirror + "/shallow"))
    }

    @Test("an unknown commit and a folder without a project throw, and leave the bucket empty")
    func failuresLeaveNoMirror() throws {
        let dir = TemporaryDirectory("mirror")
        let (repo, first, _) = try Self.repository(dir)
        let mirrors = GitMirrors(client: try Self.client(), bucket: dir.path + "/bucket")
        let missing = String(repeating: "0", count: 40)
        #expect(throws: GitError.unknownCommit(url: "git+" + repo.fileURL, commit: missing)) {
            try mirrors.checkout(try GitURL("git+" + repo.fileURL), commit: missing, tags: [],
                                 into: dir.path + "/a/checkout", scratch: dir.path + "/a", waiting: {})
        }
        try FileManager.default.createDirectory(atPath: dir.path + "/b", withIntermediateDirectories: true)
        #expect(throws: GitError.noProject(url: "git+\(repo.fileURL)#subdirectory=_backend", folder: "#subdirectory=_backend")) {
            try mirrors.checkout(try GitURL("git+\(repo.fileURL)#subdirectory=_backend"), commit: first, tags: [],
                                 into: dir.path + "/b/checkout", scratch: dir.path + "/b", waiting: {})
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/bucket"))
    }

    @Test("an abbreviated commit id resolves against the fetched repository; an unknown one does not")
    func abbreviations() throws {
        let dir = TemporaryDirectory("mirror")
        let (repo, first, _) = try Self.repository(dir)
        let url = try GitURL("git+" + repo.fileURL)
        let mirrors = GitMirrors(client: try Self.client(), bucket: dir.path + "/bucket")
        try FileManager.default.createDirectory(atPath: dir.path + "/s", withIntermediateDirectories: true)
        #expect(try mirrors.resolveAbbreviation(url, String(first.prefix(7)), format: .sha1, scratch: dir.path + "/s", waiting: {}) == first)
        #expect(throws: GitError.self) {
            try mirrors.resolveAbbreviation(url, "0000000", format: .sha1, scratch: dir.path + "/s", waiting: {})
        }
    }

    @Test("ls-remote lists the remote's refs; a missing repository is unreachable")
    func listRemote() throws {
        let dir = TemporaryDirectory("mirror")
        let (repo, _, second) = try Self.repository(dir)
        let refs = try Self.client().listRemote(try GitURL("git+" + repo.fileURL))
        #expect(refs.resolve("main") == .commit(second, ref: "refs/heads/main"))
        #expect(throws: GitError.self) { try Self.client().listRemote(try GitURL("git+file://\(dir.path)/none")) }
        #expect(throws: GitError.gitMissing) { try GitClient(environment: ["PATH": "/nonexistent"]) }
    }
}
