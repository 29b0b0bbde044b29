import Foundation
import Testing
import TestSupport

@Suite("binary choices for pins: --only-binary, and pip's --no-binary inside requirements files")
struct BinaryChoiceTests {
    /// The setup's index with a wheel of fakepkg3 beside its sdist.
    func setupWithWheelAndSdist() throws -> RequirementsFileTests.Setup {
        let setup = try RequirementsFileTests.Setup()
        let other = CLI()
        let (built, results) = try other.build([CacheCommandTests.variant(3)])
        #expect(built.status == 0, "\(built.stderr)")
        let wheel = try #require(results.first?["wheel"] as? String)
        try FileManager.default.copyItem(atPath: wheel, toPath: setup.server.root + "/" + (wheel as NSString).lastPathComponent)
        return setup
    }

    func file(_ setup: RequirementsFileTests.Setup, _ lines: [String]) throws -> String {
        let path = setup.cli.scratch.path + "/choices-\(UUID().uuidString).txt"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("--only-binary takes the wheel, and a pin with only an sdist is one error naming it, exit 2, nothing written; from the command line or a file")
    func onlyBinary() throws {
        let setup = try RequirementsFileTests.Setup()
        let (wheel, taken) = try setup.cli.build(["demo==1.0", "-i", setup.server.simple, "--only-binary", ":all:"])
        #expect(wheel.status == 0, "\(wheel.stderr)")
        #expect(taken.first?["status"] as? String == "downloaded")
        let refused = try setup.cli.run(["build", "fakepkg3==1.0", "-i", setup.server.simple, "--only-binary", "fakepkg3",
                                         "-w", setup.cli.scratch.path + "/none"])
        #expect(refused.status == 2)
        #expect(refused.stderr.hasPrefix("error: source 'fakepkg3==1.0': --only-binary names it, and no wheel of it on the index fits"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: setup.cli.scratch.path + "/none"))
        let lines = try file(setup, ["--only-binary :all:", "fakepkg3==1.0"])
        let fromFile = try setup.cli.run(["build", "-r", lines, "-i", setup.server.simple])
        #expect(fromFile.status == 2)
        #expect(fromFile.stderr.contains("--only-binary names it"), "\(fromFile.stderr)")
    }

    @Test("in a requirements file --no-binary means pip's (build the sdist, and the build is cached), unlike the command line's forced rebuild; naming a project in both is a conflict")
    func noBinaryInAFile() throws {
        let setup = try setupWithWheelAndSdist()
        let (plain, downloaded) = try setup.cli.build(["fakepkg3==1.0", "-i", setup.server.simple])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(downloaded.first?["status"] as? String == "downloaded")
        let lines = try file(setup, ["--no-binary fakepkg3", "fakepkg3==1.0"])
        let (first, built) = try setup.cli.build(["-r", lines, "-i", setup.server.simple])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(built.first?["status"] as? String == "built")
        let (second, hit) = try setup.cli.build(["-r", lines, "-i", setup.server.simple])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(hit.first?["status"] as? String == "hit")
        let (forced, rebuilt) = try setup.cli.build(["fakepkg3==1.0", "-i", setup.server.simple, "--no-binary", "fakepkg3"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(rebuilt.first?["status"] as? String == "rebuilt")
        let conflict = try file(setup, ["--only-binary fakepkg3", "fakepkg3==1.0"])
        let both = try setup.cli.run(["build", "-r", conflict, "-i", setup.server.simple, "--no-binary", "fakepkg3"])
        #expect(both.status == 2)
        #expect(both.stderr.contains("both --no-binary and --only-binary name it; drop one"), "\(both.stderr)")
    }
}

@Suite("-c constraints files apply to pins as in pip")
struct PinConstraintTests {
    @Test("a pin a -c constraint excludes is one error naming the pin, the constraint and its file, before anything runs; one it allows builds; markers that do not apply are ignored")
    func constraintsOnPins() throws {
        let setup = try RequirementsFileTests.Setup()
        let constraints = setup.cli.scratch.path + "/constraints.txt"
        try "# limits\ndemo<1.0\nfakepkg3>=1 ; sys_platform == 'win32'\n".write(toFile: constraints, atomically: true, encoding: .utf8)
        let file = setup.cli.scratch.path + "/pins.txt"
        try "-c constraints.txt\nfakepkg3==1.0\ndemo==1.0\n".write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try setup.cli.run(["build", "-r", file, "-i", setup.server.simple, "-w", setup.cli.wheels])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("error: \(file):3: source 'demo==1.0': the constraint 'demo<1.0' in \(constraints) excludes this version; change the pin or the constraint"),
                "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: setup.cli.wheels))
        try "demo<=1.0\nfakepkg3<1 ; sys_platform == 'win32'\n".write(toFile: constraints, atomically: true, encoding: .utf8)
        let (built, _) = try setup.cli.build(["-r", file, "-i", setup.server.simple])
        #expect(built.status == 0, "\(built.stderr)")
    }
}
