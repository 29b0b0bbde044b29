import Testing
import WheelModel

@Suite("GitURL, GitRefs and URL redaction")
struct GitURLTests {
    static let commit = "1c8e86b89186726a7c0b745ef2344dcc352b175a"

    @Test("pip's forms: scheme, revision after the path's last '@', fragment keys")
    func forms() throws {
        let https = try GitURL("git+https://github.com/org/repo.git@v1.2#subdirectory=src/pkg&egg=pkg")
        #expect(https.remote == "https://github.com/org/repo.git")
        #expect(https.revision == "v1.2")
        #expect(https.subdirectory == "src/pkg")
        #expect(https.eggName == "pkg")
        #expect(https.pinnedCommit == nil)

        let ssh = try GitURL("git+ssh://git@host.example/org/repo.git@\(Self.commit.uppercased())")
        #expect(ssh.remote == "ssh://git@host.example/org/repo.git")
        #expect(ssh.pinnedCommit == Self.commit)

        let file = try GitURL("git+file:///srv/repos/a@b/repo")
        #expect(file.remote == "file:///srv/repos/a")
        #expect(file.revision == "b/repo")

        let bare = try GitURL("git+https://host/repo")
        #expect(bare.revision == nil && bare.subdirectory == nil)
        #expect(try GitURL("git+https://host/repo#subdirectory=./a//b/").subdirectory == "a/b")
        #expect(try GitURL("git+https://host/repo#subdirectory=.").subdirectory == nil)
        #expect(try GitURL("git+https://host/repo@" + String(repeating: "ab", count: 32)).pinnedCommit?.count == 64)
    }

    @Test("bad git URLs are refused with the reason", arguments: [
        "https://host/repo", "git+host:org/repo", "git+git@host:org/repo.git", "git+ftp://host/repo",
        "git+https:///repo", "git+https://host/repo@", "git+https://host", "git+https://host/repo#subdirectory=/abs",
        "git+https://host/repo#subdirectory=a/../../b", "git+https://host/repo#egg=-bad",
    ])
    func refused(_ text: String) {
        #expect(throws: ModelError.self) { try GitURL(text) }
    }

    @Test("credentials are redacted for display and stripped for storage; a mirror's name ignores them")
    func credentials() throws {
        let url = try GitURL("git+https://user:hunter2@host/repo.git@main")
        #expect(url.description == "git+https://user:****@host/repo.git@main")
        #expect(url.cleanRemote == "https://host/repo.git")
        #expect(url.remote.contains("hunter2"))
        let token = try GitURL("git+https://ghp_abc@host/repo.git")
        #expect(token.description == "git+https://****@host/repo.git")
        #expect(token.mirrorIdentity(objectFormat: .sha1) == url.mirrorIdentity(objectFormat: .sha1))
        #expect(url.mirrorIdentity(objectFormat: .sha1) != url.mirrorIdentity(objectFormat: .sha256))
        // An ssh user name is not a secret; an ssh password is.
        #expect(try GitURL("git+ssh://git@host/repo").description == "git+ssh://git@host/repo")
        #expect(URLRedaction.redact("fatal: unable to access 'https://u:p@h/x/' and ssh://a:b@c/d") ==
                "fatal: unable to access 'https://u:****@h/x/' and ssh://a:****@c/d")
        #expect(URLRedaction.strip("see https://u:p@h/x") == "see https://h/x")
    }

    static let lsRemote = """
        1111111111111111111111111111111111111111\tHEAD
        1111111111111111111111111111111111111111\trefs/heads/main
        2222222222222222222222222222222222222222\trefs/heads/v1.0
        3333333333333333333333333333333333333333\trefs/tags/v1.0
        4444444444444444444444444444444444444444\trefs/tags/v2.0
        1111111111111111111111111111111111111111\trefs/tags/v2.0^{}
        5555555555555555555555555555555555555555\trefs/tags/light
        6666666666666666666666666666666666666666\trefs/pull/7/head
        warning: not a ref line
        """

    @Test("revisions resolve like pip: HEAD, branch before tag, peeled annotated tags, full ref names, short ids")
    func resolution() {
        let refs = GitRefs(lsRemoteOutput: Self.lsRemote)
        let one = String(repeating: "1", count: 40)
        #expect(refs.resolve(nil) == .commit(one, ref: "HEAD"))
        #expect(refs.resolve("main") == .commit(one, ref: "refs/heads/main"))
        #expect(refs.resolve("v1.0") == .commit(String(repeating: "2", count: 40), ref: "refs/heads/v1.0"))
        #expect(refs.resolve("refs/tags/v1.0") == .commit(String(repeating: "3", count: 40), ref: "refs/tags/v1.0"))
        #expect(refs.resolve("v2.0") == .commit(one, ref: "refs/tags/v2.0"))
        #expect(refs.resolve("refs/pull/7/head") == .commit(String(repeating: "6", count: 40), ref: "refs/pull/7/head"))
        #expect(refs.resolve("abc1234") == .abbreviatedCommit)
        #expect(refs.resolve("abc") == .unknown)
        #expect(refs.resolve("feature") == .unknown)
        #expect(refs.tags(at: one).map(\.name) == ["refs/tags/v2.0"])
        #expect(refs.tags(at: one).first?.oid == String(repeating: "4", count: 40))
        #expect(refs.objectFormat == .sha1)
        #expect(GitRefs(lsRemoteOutput: "").resolve(nil) == .unknown)
    }

    @Test("golden: a git key holds the commit and subdirectory, never the URL")
    func gitKey() {
        let key = CacheKey(source: .git(commit: Self.commit.uppercased(), subdirectory: "src/pkg"),
                           options: CacheKeyTests.options, interpreter: CacheKeyTests.interpreter)
        #expect(key.canonicalText.contains(#""source":{"commit":"\#(Self.commit)","kind":"git","subdirectory":"src/pkg"}"#))
        // Checked independently with Python's json.dumps(sort_keys=True, separators=(",", ":")).
        #expect(key.digest == "3e4663da553dc43acd8d5fdacfc5604cfeee52e884711f57357d1ecabe1cedd5")
        let root = CacheKey(source: .git(commit: Self.commit, subdirectory: nil),
                            options: CacheKeyTests.options, interpreter: CacheKeyTests.interpreter)
        #expect(root.canonicalText.contains(#""subdirectory":null"#))
        #expect(root.digest != key.digest)
    }
}
