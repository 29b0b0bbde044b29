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
}
