import Testing
@testable import WheelModel

@Suite("PylockFile: PEP 751 locks as an installer reads them")
struct PylockFileTests {
    @Test("file names: pylock.toml and pylock.NAME.toml, nothing else")
    func fileNames() {
        for name in ["pylock.toml", "pylock.dev.toml", "pylock.pip.toml"] { #expect(PylockFile.isLockFileName(name), "\(name)") }
        for name in ["pylock..toml", "pylock.a.b.toml", "requirements.txt", "my-pylock.toml", "pylock.toml.txt"] {
            #expect(!PylockFile.isLockFileName(name), "\(name)")
        }
    }

    @Test("packages with inline and table-per-file forms, markers, git, folders and hashes read back")
    func reads() throws {
        let text = """
            lock-version = "1.0"
            created-by = "test"
            requires-python = ">=3.9"
            environments = ["sys_platform == 'linux'"]

            [[packages]]
            name = "demo"
            version = "1.0"
            marker = "python_version >= '3'"
            wheels = [{ url = "https://host/demo-1.0-py3-none-any.whl", upload-time = 2024-01-01T00:00:00Z, hashes = { sha256 = "AB" } }]

            [[packages]]
            name = "other"
            version = "2.0"
            [packages.sdist]
            path = "dists/other-2.0.tar.gz"
            [packages.sdist.hashes]
            sha512 = "cd"

            [[packages]]
            name = "gitpkg"
            vcs = { type = "git", url = "https://host/repo", commit-id = "0123456789012345678901234567890123456789", subdirectory = "sub" }

            [[packages]]
            name = "local"
            directory = { path = "./proj" }
            """
        let lock = try PylockFile.parse(text, file: "pylock.toml")
        #expect(lock.requiresPython == ">=3.9")
        #expect(lock.environments == ["sys_platform == 'linux'"])
        #expect(lock.packages.map(\.name) == ["demo", "other", "gitpkg", "local"])
        #expect(lock.packages[0].marker == "python_version >= '3'")
        #expect(lock.packages[0].wheels == [PylockFile.Artifact(url: "https://host/demo-1.0-py3-none-any.whl", path: nil,
                                                                 name: "demo-1.0-py3-none-any.whl", hashes: ["sha256:ab"])])
        #expect(lock.packages[1].sdist?.name == "other-2.0.tar.gz")
        #expect(lock.packages[1].sdist?.hashes == ["sha512:cd"])
        #expect(lock.packages[2].vcs?.commit == "0123456789012345678901234567890123456789")
        #expect(lock.packages[2].vcs?.subdirectory == "sub")
        #expect(lock.packages[3].directory == "./proj")
    }

    @Test("what an installer cannot take is one error naming the lock and the package")
    func refuses() {
        let head = "lock-version = \"1.0\"\n"
        #expect(throws: ModelError.requirements(location: "p.toml", "lock-version '2.0' is not supported; wheelcache reads PEP 751 locks of version 1.x")) {
            try PylockFile.parse("lock-version = \"2.0\"\n", file: "p.toml")
        }
        #expect(throws: ModelError.requirements(location: "p.toml", "package 'x': a 'hg' repository cannot be built; wheelcache fetches git commits only")) {
            try PylockFile.parse(head + "[[packages]]\nname = \"x\"\nvcs = { type = \"hg\", url = \"https://h/r\", commit-id = \"1\" }\n", file: "p.toml")
        }
        #expect(throws: ModelError.requirements(location: "p.toml", "package 'x': its sdist has no hashes (PEP 751 requires them)")) {
            try PylockFile.parse(head + "[[packages]]\nname = \"x\"\nsdist = { url = \"https://h/x-1.tar.gz\" }\n", file: "p.toml")
        }
        #expect(throws: ModelError.requirements(location: "p.toml", "package 'x': it names no wheel, sdist, archive, git commit or folder to install from")) {
            try PylockFile.parse(head + "[[packages]]\nname = \"x\"\nversion = \"1\"\n", file: "p.toml")
        }
    }
}
