import Foundation
import Testing
import TestSupport
import WheelArchive
import WheelBuild
import WheelModel

@Suite("WheelBuilder with a real backend")
struct RealBackendTests {
    @Test("hatchling from the offline wheelhouse builds hatch-pkg in an isolated environment into a valid wheel")
    func hatchling() throws {
        let box = try BuildSandbox("hatch-pkg-0.3.tar.gz")
        let builder = WheelBuilder(
            interpreter: try BuildFixtures.interpreter.get(), options: BuildOptions(isolation: true),
            index: IndexOptions(findLinks: [TestFixtures.wheelhouse], noIndex: true),
            environment: TestFixtures.hermeticEnvironment())
        let outcome = try builder.build(tree: box.tree, work: box.work, log: box.log)
        #expect((outcome.wheel as NSString).lastPathComponent == "hatch_pkg-0.3-py3-none-any.whl")
        #expect(outcome.backend == "hatchling.build")
        #expect(outcome.requirements.contains { $0.hasPrefix("hatchling==") })
        let wheel = try WheelValidator().validate(outcome.wheel)
        #expect(ProjectName.normalize(wheel.name) == "hatch-pkg")
        #expect(wheel.version == "0.3")
        #expect(wheel.tags == ["py3-none-any"])
        #expect(try BuildFixtures.member(outcome.wheel, "hatch_pkg/__init__.py").isEmpty == false)
    }
}

@Suite("BuildEnvironmentVariables")
struct BuildEnvironmentVariablesTests {
    @Test("names that carry credentials are secret",
          arguments: ["AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "aws_session_token", "GITHUB_TOKEN", "NPM_TOKEN",
                      "TWINE_PASSWORD", "DB_PASSWD", "MY_API_KEY", "OPENAI_APIKEY", "SSH_PRIVATE_KEY",
                      "GOOGLE_APPLICATION_CREDENTIALS", "CLIENT_SECRET", "WHEELCACHE_REMOTE_AUTH"])
    func secret(name: String) {
        #expect(BuildEnvironmentVariables.isSecret(name))
    }

    @Test("ordinary names are not secret",
          arguments: ["PATH", "HOME", "LANG", "PYTHONPATH", "PIP_INDEX_URL", "PIP_FIND_LINKS", "CC", "CFLAGS",
                      "WHEELCACHE_FAKE_MODE", "WHEELCACHE_CACHE_DIR", "SOURCE_DATE_EPOCH"])
    func notSecret(name: String) {
        #expect(!BuildEnvironmentVariables.isSecret(name))
    }

    @Test("sanitized drops exactly the secret variables")
    func sanitized() {
        let env = ["PATH": "/bin", "GITHUB_TOKEN": "t", "AWS_REGION": "eu", "HOME": "/h", "PASSWORD": "p"]
        #expect(BuildEnvironmentVariables.sanitized(env) == ["PATH": "/bin", "HOME": "/h"])
    }

    @Test("the backend's environment also loses variables whose URLs carry credentials; the installer's keeps them")
    func forBackend() {
        let env = ["PATH": "/bin", "PIP_INDEX_URL": "https://ci:s3cret@pypi.internal/simple/",
                   "PIP_EXTRA_INDEX_URL": "https://mirror.internal/simple/", "GITHUB_TOKEN": "t"]
        #expect(BuildEnvironmentVariables.forBackend(env) == ["PATH": "/bin", "PIP_EXTRA_INDEX_URL": "https://mirror.internal/simple/"])
        #expect(BuildEnvironmentVariables.sanitized(env)["PIP_INDEX_URL"] == "https://ci:s3cret@pypi.internal/simple/")
    }
}

@Suite("IndexOptions for an installer")
struct IndexOptionsTests {
    static let options = IndexOptions(indexURL: "https://ci:s3cret@pypi.internal/simple/",
                                      extraIndexURLs: ["https://a.internal/simple/", "https://b:tok@b.internal/simple/"],
                                      findLinks: ["/wheels", "https://c:tok@c.internal/links/"], noIndex: true)

    @Test("pip gets the URLs in its environment, never on its command line, which any user can read")
    func pip() {
        let settings = Self.options.installerSettings(uv: false)
        #expect(settings.arguments == ["--no-index"])
        #expect(settings.environment == [
            "PIP_INDEX_URL": "https://ci:s3cret@pypi.internal/simple/",
            "PIP_EXTRA_INDEX_URL": "https://a.internal/simple/ https://b:tok@b.internal/simple/",
            "PIP_FIND_LINKS": "/wheels https://c:tok@c.internal/links/",
        ])
    }

    @Test("uv gets them in its own variables, find-links separated by commas")
    func uv() {
        let settings = Self.options.installerSettings(uv: true)
        #expect(settings.arguments == ["--no-index"])
        #expect(settings.environment["UV_INDEX_URL"] == "https://ci:s3cret@pypi.internal/simple/")
        #expect(settings.environment["UV_EXTRA_INDEX_URL"] == "https://a.internal/simple/ https://b:tok@b.internal/simple/")
        #expect(settings.environment["UV_FIND_LINKS"] == "/wheels,https://c:tok@c.internal/links/")
        #expect(IndexOptions().installerSettings(uv: true).environment.isEmpty)
    }
}

@Suite("BuildFailure")
struct BuildFailureTests {
    @Test("a step whose log ends in ENOSPC is reported as a full disk, with what to do")
    func diskFull() {
        let failure = BuildFailure(step: .buildWheel, status: 1, message: "the backend exited with status 1",
                                   log: "/tmp", tail: ["  File \"x.py\", line 3", "OSError: [Errno 28] No space left on device"])
        #expect(failure.description == "build_wheel failed: No space left on device; free some space, or choose another cache folder with --cache-dir")
        let other = BuildFailure(step: .buildWheel, status: 1, message: "the backend exited with status 1", log: "/tmp",
                                 tail: ["RuntimeError: nope"])
        #expect(other.description == "build_wheel failed (the backend exited with status 1); see the log for details")
    }
}
