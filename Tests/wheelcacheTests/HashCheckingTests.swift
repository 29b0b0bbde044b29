import Foundation
import Testing
import TestSupport

/// pip's hash-checking mode, and hash pins that name another version's file.
@Suite("hash checking as pip does it: one --hash, or --require-hashes, and every line needs one")
struct HashCheckingTests {
    func lock(_ setup: RequirementsFileTests.Setup, _ lines: [String], _ name: String = "locked.txt") throws -> String {
        let file = setup.cli.scratch.path + "/" + name
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test("with a --hash on one line, an unhashed pin, path, branch or folder is one error each naming FILE:LINE, exit 2, and nothing is built or written")
    func everyLineNeedsAHash() throws {
        let setup = try RequirementsFileTests.Setup()
        let dists = setup.cli.scratch.path + "/dists"
        let folder = TestFixtures.repository + "/Fixtures/packages/fakepkg"
        let file = try lock(setup, [
            "fakepkg3==1.0 --hash=sha256:" + (try RequirementsFileTests.sha256(dists + "/fakepkg3-1.0.tar.gz")),
            "demo==1.0",
            CacheCommandTests.variant(1),
            "gitpkg @ git+\(setup.repo.fileURL)@main",
            folder,
        ])
        let result = try setup.cli.run(["build", "-r", file, "-i", setup.server.simple, "-w", setup.cli.wheels,
                                        "--requirements-out", setup.cli.wheels + "/requirements.txt"])
        #expect(result.status == 2, "\(result.stderr)")
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error: \(file):") }
        #expect(errors.count == 4, "\(result.stderr)")
        #expect(result.stderr.contains("not built: another source is invalid"), "the good line is not built either")
        #expect(errors.contains { $0 == "error: \(file):2: source 'demo==1.0' has no hash, and hash checking is on (another line has a --hash); add --hash=sha256:… to its line (pip hash FILE prints it)" }, "\(result.stderr)")
        #expect(errors.contains { $0.hasPrefix("error: \(file):3: source '\(CacheCommandTests.variant(1))' has no hash") }, "\(result.stderr)")
        #expect(errors.contains { $0.hasPrefix("error: \(file):4: ") && $0.contains("must name a full commit id") }, "\(result.stderr)")
        #expect(errors.contains { $0.hasPrefix("error: \(file):5: ") && $0.contains("a local folder cannot be hash-checked") }, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: setup.cli.wheels))
        #expect(setup.cli.entries.isEmpty)
    }

    @Test("--require-hashes on the command line or in a file turns hash checking on without any --hash")
    func requireHashesOption() throws {
        let setup = try RequirementsFileTests.Setup()
        let plain = try lock(setup, ["demo==1.0"])
        let flagged = try setup.cli.run(["build", "-r", plain, "-i", setup.server.simple, "--require-hashes"])
        #expect(flagged.status == 2)
        #expect(flagged.stderr.contains("has no hash, and hash checking is on (--require-hashes)"), "\(flagged.stderr)")
        let inFile = try lock(setup, ["--require-hashes", "demo==1.0"], "in-file.txt")
        let fromFile = try setup.cli.run(["build", "-r", inFile, "-i", setup.server.simple])
        #expect(fromFile.status == 2)
        #expect(fromFile.stderr.contains("hash checking is on (--require-hashes in a requirements file)"), "\(fromFile.stderr)")
        let plan = try setup.cli.run(["plan", "-r", plain, "-i", setup.server.simple, "--require-hashes"])
        #expect(plan.status == 2, "\(plan.stdout)")
        // Without either, the same line builds.
        let (built, _) = try setup.cli.build(["-r", plain, "-i", setup.server.simple])
        #expect(built.status == 0, "\(built.stderr)")
    }

    @Test("a hash pin whose hash names a cached file of another version is refused with the version in the error, not served")
    func hashOfAnotherVersionIsRefused() throws {
        let setup = try RequirementsFileTests.Setup()
        let wheelHash = try RequirementsFileTests.sha256(setup.cli.scratch.path + "/dists/demo-1.0-py3-none-any.whl")
        let right = try lock(setup, ["demo==1.0 --hash=sha256:" + wheelHash])
        let (first, _) = try setup.cli.build(["-r", right, "-i", setup.server.simple])
        #expect(first.status == 0, "\(first.stderr)")
        try FileManager.default.removeItem(atPath: setup.cli.wheels)
        let wrong = try lock(setup, ["demo==2.0 --hash=sha256:" + wheelHash], "wrong.txt")
        let (second, results) = try setup.cli.build(["-r", wrong, "-i", setup.server.simple])
        #expect(second.status == 2, "\(second.stderr)")
        #expect(results.first?["error"] as? String == "\(wrong):1: source 'demo==2.0' was asked for as version 2.0 but holds version 1.0; fix the version or the hash")
        #expect(!FileManager.default.fileExists(atPath: setup.cli.wheels + "/demo-1.0-py3-none-any.whl"))
    }
}

@Suite("URL hash fragments: every algorithm pip reads is checked, never ignored")
struct URLFragmentHashTests {
    static func digest(_ path: String, _ algorithm: String) throws -> String {
        try run(TestFixtures.python, ["-c", "import hashlib, sys; print(hashlib.new(sys.argv[1], open(sys.argv[2], 'rb').read()).hexdigest())",
                                      algorithm, path]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("a wrong #sha256=, #sha384=, #sha512= or #md5= fails the source with exit 2 and stores nothing; the right one (any case of the name) builds; #sha1= cannot be checked and says so",
          arguments: ["sha256", "sha384", "sha512", "md5"])
    func fragmentsAreChecked(_ algorithm: String) throws {
        let setup = try RequirementsFileTests.Setup()
        let file = setup.cli.scratch.path + "/dists/fakepkg2-1.0.tar.gz"
        let url = setup.server.url + "/files/fakepkg2-1.0.tar.gz"
        let right = try URLFragmentHashTests.digest(file, algorithm)
        let wrong = String(right.reversed())
        let (refused, failed) = try setup.cli.build([url + "#\(algorithm)=\(wrong)"])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect((failed.first?["error"] as? String)?.contains(algorithm == "sha256" ? "which is not the expected" : "matches none of its hashes") == true,
                "\(failed)")
        #expect(setup.cli.entries.isEmpty)
        let (built, results) = try setup.cli.build([url + "#\(algorithm.uppercased())=\(right)"])
        #expect(built.status == 0, "\(built.stderr)")
        #expect(results.first?["status"] as? String == "built")
    }

    @Test("#sha1= is refused as a hash wheelcache cannot check, before anything runs")
    func uncheckableAlgorithm() throws {
        let setup = try RequirementsFileTests.Setup()
        let result = try setup.cli.run(["build", setup.server.url + "/files/fakepkg2-1.0.tar.gz#sha1=abcdef"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("its #sha1= cannot be checked; give #sha256= (or sha384, sha512, md5)"), "\(result.stderr)")
    }

    @Test("--hash=sha512:… on a URL or path line is checked like the fragments")
    func otherAlgorithmsOnLines() throws {
        let setup = try RequirementsFileTests.Setup()
        let file = setup.cli.scratch.path + "/dists/fakepkg2-1.0.tar.gz"
        let sha512 = try URLFragmentHashTests.digest(file, "sha512")
        let lines = setup.cli.scratch.path + "/sha512.txt"
        try "\(file) --hash=sha512:\(String(sha512.reversed()))\n".write(toFile: lines, atomically: true, encoding: .utf8)
        let (refused, _) = try setup.cli.build(["-r", lines])
        #expect(refused.status == 2, "\(refused.stderr)")
        try "\(file) --hash=sha512:\(sha512)\n".write(toFile: lines, atomically: true, encoding: .utf8)
        let (built, _) = try setup.cli.build(["-r", lines])
        #expect(built.status == 0, "\(built.stderr)")
    }
}
