import Foundation
import Testing
import TestSupport

/// Git sources against repositories made at test time (file:// remotes, no network).
@Suite("wheelcache build: git sources")
struct GitSourceTests {
    /// A repository holding the fake-backend project at its root, with one commit.
    static func fakeRepository(_ cli: CLI, _ name: String = "repo") throws -> (GitRepository, String) {
        let repo = try GitRepository(cli.scratch.path + "/" + name)
        try repo.add(project: "fakepkg")
        return (repo, try repo.commit("first"))
    }

    /// The files of the wheel a result points at.
    static func wheelFiles(_ result: [String: Any]?) throws -> [String] {
        let wheel = try #require(result?["wheel"] as? String)
        let listing = try run(TestFixtures.python, ["-c", "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", wheel])
        return listing.stdout.split(separator: "\n").map(String.init)
    }

    @Test("a commit builds, then hits without starting git, and still hits once the repository is deleted")
    func commitHitsWithoutGitOrRepository() throws {
        let cli = CLI()
        let (repo, commit) = try Self.fakeRepository(cli)
        let source = "git+\(repo.fileURL)@\(commit)"
        let (first, built) = try cli.build([source])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(built.first?["status"] as? String == "built")
        #expect(built.first?["commit"] as? String == commit)
        #expect(built.first?["resolved_from"] == nil)

        // No git on PATH: a hit must not need it.
        let (noGit, hit) = try cli.build([source], ["--python", TestFixtures.python], env: ["PATH": "/nonexistent"])
        #expect(noGit.status == 0, "\(noGit.stderr)")
        #expect(hit.first?["status"] as? String == "hit")
        #expect(hit.first?["key"] as? String == built.first?["key"] as? String)

        try FileManager.default.removeItem(atPath: repo.path)
        let (gone, again) = try cli.build([source])
        #expect(gone.status == 0, "\(gone.stderr)")
        #expect(again.first?["status"] as? String == "hit")
        #expect(again.first?["sha256"] as? String == built.first?["sha256"] as? String)
    }

    @Test("the same commit through another URL (a clone elsewhere) is a hit: the URL is not in the key")
    func sameCommitFromAnotherURLHits() throws {
        let cli = CLI()
        let (repo, commit) = try Self.fakeRepository(cli)
        let (_, built) = try cli.build(["git+\(repo.fileURL)@\(commit)"])
        #expect(built.first?["status"] as? String == "built")
        let mirror = try GitRepository(cloning: repo, to: cli.scratch.path + "/mirror/elsewhere.git")
        let (result, hit) = try cli.build(["git+\(mirror.fileURL)@\(commit)"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(hit.first?["status"] as? String == "hit")
        #expect(hit.first?["key"] as? String == built.first?["key"] as? String)
    }

    @Test("@main resolves to its commit and hits that commit's entry; a new commit on main is built; output names both")
    func branchResolvesToItsCommit() throws {
        let cli = CLI()
        let (repo, first) = try Self.fakeRepository(cli)
        let (_, built) = try cli.build(["git+\(repo.fileURL)@\(first)"])
        #expect(built.first?["status"] as? String == "built")

        let (result, viaBranch) = try cli.build(["git+\(repo.fileURL)@main"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(viaBranch.first?["status"] as? String == "hit")
        #expect(viaBranch.first?["commit"] as? String == first)
        #expect(viaBranch.first?["resolved_from"] as? String == "main")
        #expect(viaBranch.first?["key"] as? String == built.first?["key"] as? String)

        try repo.write("README.md", "changed\n")
        let second = try repo.commit("second")
        let (_, next) = try cli.build(["git+\(repo.fileURL)@main"])
        #expect(next.first?["status"] as? String == "built")
        #expect(next.first?["commit"] as? String == second)

        // The human line says what the branch resolved to.
        let human = try cli.run(["build", "git+\(repo.fileURL)@main", "-w", cli.wheels])
        #expect(human.stdout.contains("[main -> \(second)]"), "\(human.stdout)")
        // No revision means the remote's HEAD; a short id resolves too.
        let (_, head) = try cli.build(["git+\(repo.fileURL)"])
        #expect(head.first?["resolved_from"] as? String == "HEAD")
        #expect(head.first?["commit"] as? String == second)
        let (_, short) = try cli.build(["git+\(repo.fileURL)@\(first.prefix(8))"])
        #expect(short.first?["status"] as? String == "hit")
        #expect(short.first?["commit"] as? String == first)
    }

    @Test("a tag resolves to the commit it points at, annotated or not")
    func tagsResolve() throws {
        let cli = CLI()
        let (repo, first) = try Self.fakeRepository(cli)
        try repo.git("tag", "-a", "v1.0", "-m", "release")
        try repo.git("tag", "light")
        try repo.write("README.md", "later\n")
        try repo.commit("later")
        for tag in ["v1.0", "light", "refs/tags/v1.0"] {
            let (result, resolved) = try cli.build(["git+\(repo.fileURL)@\(tag)"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(resolved.first?["commit"] as? String == first, "\(tag)")
        }
    }

    @Test("a second commit of the same repository goes into the same mirror in the git bucket")
    func secondCommitReusesTheMirror() throws {
        let cli = CLI()
        let (repo, first) = try Self.fakeRepository(cli)
        _ = try cli.build(["git+\(repo.fileURL)@\(first)"])
        try repo.write("README.md", "second\n")
        let second = try repo.commit("second")
        let (result, built) = try cli.build(["git+\(repo.fileURL)@\(second)"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(built.first?["status"] as? String == "built")
        let mirrors = try FileManager.default.contentsOfDirectory(atPath: cli.cache + "/git-v1")
        #expect(mirrors.count == 1)
        let mirror = GitRepository(existing: cli.cache + "/git-v1/" + (mirrors.first ?? ""))
        for commit in [first, second] {
            #expect((try? mirror.git("cat-file", "-e", commit + "^{commit}")) != nil)
        }
    }

    @Test("#subdirectory= builds the project in that folder and is part of the key")
    func subdirectoryIsPartOfTheKey() throws {
        let cli = CLI()
        let repo = try GitRepository(cli.scratch.path + "/mono")
        try repo.add(project: "fakepkg", at: "packages/alpha", name: "alpha")
        try repo.add(project: "fakepkg", at: "packages/beta", name: "beta")
        let commit = try repo.commit("two projects")
        let (result, built) = try cli.build([
            "git+\(repo.fileURL)@\(commit)#subdirectory=packages/alpha",
            "git+\(repo.fileURL)@\(commit)#subdirectory=packages/beta",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(built.map { $0["name"] as? String } == ["alpha", "beta"])
        #expect(built.map { $0["status"] as? String } == ["built", "built"])
        #expect(built[0]["key"] as? String != built[1]["key"] as? String)
        let (_, again) = try cli.build(["git+\(repo.fileURL)@\(commit)#subdirectory=./packages/beta/"])
        #expect(again.first?["status"] as? String == "hit")
        #expect(again.first?["name"] as? String == "beta")
    }

    @Test("a repository with a submodule builds with the submodule's files in the wheel")
    func submoduleFilesReachTheWheel() throws {
        let cli = CLI()
        let sub = try GitRepository(cli.scratch.path + "/data")
        try sub.write("data.txt", "from the submodule\n")
        try sub.commit("data")
        let (repo, _) = try Self.fakeRepository(cli)
        try repo.git("submodule", "--quiet", "add", sub.fileURL, "payload/data")
        let commit = try repo.commit("add submodule")
        let (result, built) = try cli.build(["git+\(repo.fileURL)@\(commit)"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.wheelFiles(built.first).contains("fakepkg/payload/data/data.txt"))
    }

    @Test("the tags at a commit come with the checkout, so version tools see the release")
    func tagsReachTheCheckout() throws {
        let cli = CLI()
        let (repo, _) = try Self.fakeRepository(cli)
        try repo.write("README.md", "tagged\n")
        let commit = try repo.commit("release")
        try repo.git("tag", "-a", "v2.0", "-m", "release")
        // The backend records what `git describe --tags` says in the checkout.
        let (result, built) = try cli.build(["git+\(repo.fileURL)@\(commit)"],
                                            env: ["WHEELCACHE_FAKE_DESCRIBE": "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.wheelFiles(built.first).contains("fakepkg/payload/git-describe-v2.0"))
    }

    @Test("a SHA-256 repository's 64-digit commit builds and hits")
    func sha256Repository() throws {
        let cli = CLI()
        let repo = try GitRepository(cli.scratch.path + "/sha256", objectFormat: "sha256")
        try repo.add(project: "fakepkg")
        let commit = try repo.commit("first")
        #expect(commit.count == 64)
        let (result, built) = try cli.build(["git+\(repo.fileURL)@\(commit)"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(built.first?["status"] as? String == "built")
        let (_, viaBranch) = try cli.build(["git+\(repo.fileURL)@main"])
        #expect(viaBranch.first?["status"] as? String == "hit")
        #expect(viaBranch.first?["commit"] as? String == commit)
    }

    @Test("with --no-cache-dir a git source is built and nothing is kept")
    func noCacheDir() throws {
        let cli = CLI()
        let (repo, commit) = try Self.fakeRepository(cli)
        let (result, built) = try cli.build(["git+\(repo.fileURL)@main", "--no-cache-dir"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(built.first?["status"] as? String == "uncached")
        #expect(built.first?["commit"] as? String == commit)
        #expect(FileManager.default.fileExists(atPath: cli.wheels + "/fakepkg-1.0-py3-none-any.whl"))
        #expect(!FileManager.default.fileExists(atPath: cli.cache))
    }

    @Test("--no-binary rebuilds a git source")
    func noBinaryRebuilds() throws {
        let cli = CLI()
        let (repo, commit) = try Self.fakeRepository(cli)
        let counter = cli.scratch.path + "/counter"
        let source = "git+\(repo.fileURL)@\(commit)"
        _ = try cli.build([source], env: ["WHEELCACHE_FAKE_COUNTER": counter])
        let (result, rebuilt) = try cli.build([source], ["--no-binary", "fakepkg"], env: ["WHEELCACHE_FAKE_COUNTER": counter])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(rebuilt.first?["status"] as? String == "rebuilt")
        #expect(cli.counted(counter).count == 2)
    }

    @Test("'name @ git+…' builds; a name that is not the project's fails with exit 2 and stores nothing")
    func directReferenceNameIsChecked() throws {
        let cli = CLI()
        let (repo, commit) = try Self.fakeRepository(cli)
        let wrong = try cli.run(["build", "other @ git+\(repo.fileURL)@\(commit)", "-w", cli.wheels])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("holds the project 'fakepkg'"), "\(wrong.stderr)")
        #expect(cli.entries.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: cli.wheels + "/fakepkg-1.0-py3-none-any.whl"))

        let (right, built) = try cli.build(["FakePkg[extra] @ git+\(repo.fileURL)@\(commit)"])
        #expect(right.status == 0, "\(right.stderr)")
        #expect(built.first?["status"] as? String == "built")
        let (egg, _) = try cli.build(["git+\(repo.fileURL)@\(commit)#egg=other"])
        #expect(egg.status == 2)
    }

    @Test("unknown commits and refs, unreachable remotes, missing or empty subdirectories: one line naming the URL, exit 2, nothing in the cache")
    func errorsLeaveTheCacheAlone() throws {
        let cli = CLI()
        let (repo, commit) = try Self.fakeRepository(cli)
        try repo.write("docs/index.txt", "not a project\n")
        try repo.commit("docs")
        // A first run makes the cache's fixed files (tag, lock, interpreter record).
        _ = try cli.build([TestFixtures.sdist("fakepkg-1.0.tar.gz")])
        let before = cli.scratch.files("cache")
        let cases: [(source: String, message: String)] = [
            ("git+\(repo.fileURL)@\(String(repeating: "0", count: 39))1", "has no commit"),
            ("git+\(repo.fileURL)@no-such-branch", "has no branch, tag or commit 'no-such-branch'"),
            ("git+\(repo.fileURL)@abcdef12", "has no branch, tag or commit 'abcdef12'"),
            ("git+file://\(cli.scratch.path)/missing-repo@main", "cannot be reached"),
            ("git+http://127.0.0.1:9/repo.git@\(commit)", "cannot be reached"),
            ("git+\(repo.fileURL)@\(commit)#subdirectory=no/such/folder", "is not a folder in that commit"),
            ("git+\(repo.fileURL)@main#subdirectory=docs", "holds no Python project"),
            ("git+\(repo.fileURL)@main#subdirectory=../outside", "must stay inside the repository"),
            ("git+git@example.invalid:org/repo.git", "scp-style"),
        ]
        for (source, message) in cases {
            let result = try cli.run(["build", source, "-w", cli.wheels])
            #expect(result.status == 2, "\(source): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(source): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: "), "\(source)")
            #expect(result.stderr.contains(message), "\(source): \(result.stderr)")
            #expect(result.stderr.contains(source.components(separatedBy: "@").first!.prefix(20)), "\(source): \(result.stderr)")
            #expect(cli.scratch.files("cache") == before, "\(source) changed the cache")
        }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: cli.cache + "/git-v1")) == nil)
    }

    @Test("credentials in a git URL appear in no output, log or JSON")
    func credentialsAreRedacted() throws {
        let cli = CLI()
        let secret = "s3cr3t-t0ken"
        for source in ["git+http://user:\(secret)@127.0.0.1:9/repo.git@main", "git+https://\(secret)@127.0.0.1:9/repo.git@main"] {
            let human = try cli.run(["build", source, "-w", cli.wheels])
            #expect(human.status == 2)
            #expect(!human.stderr.contains(secret) && !human.stdout.contains(secret), "\(human.stderr)")
            #expect(human.stderr.contains("****"), "\(human.stderr)")
            let (json, _) = try cli.build([source])
            #expect(!json.stdout.contains(secret) && !json.stderr.contains(secret))
        }
        // A build that fails keeps a log; neither it nor the manifest of a good build holds the secret.
        let (repo, commit) = try Self.fakeRepository(cli)
        let withUser = repo.fileURL.replacingOccurrences(of: "file://", with: "file://user:\(secret)@")
        let (failed, _) = try cli.build(["git+\(withUser)@\(commit)"], env: ["WHEELCACHE_FAKE_MODE": "fail"])
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(!failed.stdout.contains(secret) && !failed.stderr.contains(secret))
        let (good, _) = try cli.build(["git+\(withUser)@\(commit)"])
        #expect(good.status == 0, "\(good.stderr)")
        for file in cli.scratch.files("cache") where !file.contains("/objects/") {
            let text = (try? String(contentsOfFile: cli.cache + "/" + file, encoding: .utf8)) ?? ""
            #expect(!text.contains(secret), "\(file) holds the secret")
        }
    }
}
