import Foundation
import Testing
import TestSupport
import WheelModel
@testable import WheelBuild
import WheelFetch

/// wheelcache's own installer for build environments from local wheel folders: it must pick
/// what pip picks (pip itself is the reference here), leave every doubtful case to pip, and
/// leave an environment pip and Python see as installed.
@Suite("WheelInstaller: build requirements from wheel folders without pip")
struct WheelInstallerTests {
    static let folders = TestFixtures.generated + "/resolver"

    /// What pip would install for `requirements` from `folder` alone (its own resolver, dry run).
    static func pipResolution(_ requirements: [String], folder: String) throws -> [String] {
        try pipResolution(requirements, sources: ["--no-index", "--find-links", folder])
    }

    /// What pip would install for `requirements` from `sources` (pip's index options).
    static func pipResolution(_ requirements: [String], sources: [String]) throws -> [String] {
        let result = try run(TestFixtures.python, ["-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                                                   "--report", "-"] + sources + requirements,
                             environment: TestFixtures.hermeticEnvironment())
        try #require(result.status == 0, "\(result.stderr)")
        let text = result.stdout[result.stdout.firstIndex(of: "{")!...]
        let report = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let installs = report["install"] as? [[String: Any]] ?? []
        return installs.compactMap { item in
            let metadata = item["metadata"] as? [String: Any]
            guard let name = metadata?["name"] as? String, let version = metadata?["version"] as? String else { return nil }
            return ProjectName.normalize(name) + "==" + version
        }.sorted()
    }

    static func resolved(_ requirements: [String], folder: String) throws -> [String]? {
        let installer = WheelInstaller(interpreter: try BuildFixtures.interpreter.get(), folders: [folder])
        return installer.resolve(requirements)?.map { ProjectName.normalize($0.facts.name) + "==" + $0.facts.version }.sorted()
    }

    @Test("requirements are read as PEP 508 writes them; direct URLs and unreadable markers or clauses are left to pip")
    func readsRequirements() throws {
        let full = try #require(WheelInstaller.Requirement("Flit_Core [Extra1, b] (>=3.2,<4) ; python_version >= '3.8'"))
        #expect(full.name == "flit-core" && full.extras == ["extra1", "b"] && full.specifier == ">=3.2,<4")
        #expect(full.marker != nil)
        let bare = try #require(WheelInstaller.Requirement("wheel"))
        #expect(bare.specifier.isEmpty && bare.extras.isEmpty && bare.marker == nil)
        #expect(WheelInstaller.Requirement("setuptools >= 46.4.0")?.specifier == ">= 46.4.0")
        #expect(WheelInstaller.Requirement("pkg @ https://example.invalid/pkg.whl") == nil)
        #expect(WheelInstaller.Requirement("pkg; nonsense_variable == 'x'") == nil)
        #expect(WheelInstaller.Requirement("pkg ^1.0") == nil)
        #expect(WheelInstaller.Requirement("") == nil)
    }

    @Test("the set it resolves equals pip's own resolution, for every backend in the test wheelhouse and the fixture cases",
          arguments: [
            (["hatchling"], "wheelhouse"), (["setuptools>=40.8.0", "wheel"], "wheelhouse"), (["flit_core >=3.2,<4"], "wheelhouse"),
            (["hatchling>=1.6.0,<2", "flit-core"], "wheelhouse"),
            (["alpha"], "basic"), (["alpha[fast]"], "basic"), (["alpha<2"], "basic"), (["gamma"], "basic"),
            (["alpha[nope]", "beta<2"], "basic"), (["pre"], "prerelease"),
          ])
    func agreesWithPip(requirements: [String], folder: String) throws {
        let path = folder == "wheelhouse" ? TestFixtures.wheelhouse : Self.folders + "/" + folder
        let ours = try #require(try Self.resolved(requirements, folder: path), "the native resolver gave up on \(requirements)")
        #expect(ours == (try Self.pipResolution(requirements, folder: path)))
    }

    @Test("it gives up where pip would choose differently: a late conflicting constraint, only a pre-release matching a specifier, a newer sdist, a missing project")
    func leavesDoubtfulCasesToPip() throws {
        #expect(try Self.resolved(["x", "y"], folder: Self.folders + "/conflict") == nil)
        #expect(try Self.resolved(["pre>=0.1"], folder: Self.folders + "/prerelease") == nil)
        #expect(try Self.resolved(["sd"], folder: Self.folders + "/newer-sdist") == nil)
        #expect(try Self.resolved(["nothing-here"], folder: Self.folders + "/basic") == nil)
        // Each of these pip does resolve (so giving up is not just failing): backtracking, pre-release, the sdist.
        #expect(try Self.pipResolution(["x", "y"], folder: Self.folders + "/conflict") == ["x==1.0", "y==1.0", "z==1.0"])
        // The same folders in an order the resolver can follow are resolved.
        #expect(try Self.resolved(["y", "x"], folder: Self.folders + "/conflict") == ["x==1.0", "y==1.0", "z==1.0"])
    }

    /// The `basic` wheels on an index, with beta 2.0 yanked and gamma 9.0's Requires-Python
    /// given by the index as well.
    static func indexFolder(_ scratch: TemporaryDirectory) throws -> String {
        let dists = scratch.path + "/dists"
        try FileManager.default.copyItem(atPath: Self.folders + "/basic", toPath: dists)
        try "broken metadata".write(toFile: dists + "/beta-2.0-py3-none-any.whl.yanked", atomically: true, encoding: .utf8)
        try "<3".write(toFile: dists + "/gamma-9.0-py3-none-any.whl.requires-python", atomically: true, encoding: .utf8)
        return dists
    }

    static func resolved(_ requirements: [String], index: String, scratch: String) throws -> [String]? {
        let fetching = WheelInstaller.Fetching(http: HTTPCache(folder: scratch + "/http", client: HTTPClient()), downloads: scratch + "/downloads")
        let installer = WheelInstaller(interpreter: try BuildFixtures.interpreter.get(), folders: [], indexes: [index], fetching: fetching)
        return installer.resolve(requirements)?.map { ProjectName.normalize($0.facts.name) + "==" + $0.facts.version }.sorted()
    }

    @Test("over a package index (scripts/index-server, PEP 691 JSON and PEP 503 HTML pages alike) the set it resolves equals pip's against the same index: a yanked release is passed over",
          arguments: [false, true])
    func agreesWithPipOverAnIndex(htmlOnly: Bool) throws {
        let scratch = TemporaryDirectory("installer-index")
        let server = try IndexServer(serving: try Self.indexFolder(scratch), htmlOnly: htmlOnly)
        for requirements in [["alpha"], ["alpha[fast]"], ["gamma"], ["beta"]] {
            let ours = try #require(try Self.resolved(requirements, index: server.simple, scratch: scratch.path),
                                    "the native resolver gave up on \(requirements)")
            #expect(ours == (try Self.pipResolution(requirements, sources: ["--index-url", server.simple])))
        }
        // The yanked beta 2.0 is what sets this apart from the folder, where pip takes it.
        #expect(try Self.resolved(["beta"], index: server.simple, scratch: scratch.path) == ["beta==1.0"])
    }

    @Test("a wheel from an index is downloaded once: later resolutions take its facts, kept by the SHA-256 the index gives, and download nothing")
    func indexWheelsDownloadedOnce() throws {
        let scratch = TemporaryDirectory("installer-index")
        let server = try IndexServer(serving: try Self.indexFolder(scratch))
        #expect(try Self.resolved(["alpha"], index: server.simple, scratch: scratch.path) == ["alpha==2.0", "beta==1.0"])
        let downloads = { server.requests.filter { $0.path.hasPrefix("/files/") }.map(\.path).sorted() }
        #expect(downloads() == ["/files/alpha-2.0-py3-none-any.whl", "/files/beta-1.0-py3-none-any.whl"])
        #expect(try Self.resolved(["alpha"], index: server.simple, scratch: scratch.path) == ["alpha==2.0", "beta==1.0"])
        #expect(downloads().count == 2)
        // Without kept facts (a new cache folder) it downloads again: the count above is the notes' doing.
        #expect(try Self.resolved(["alpha"], index: server.simple, scratch: scratch.path + "/other") == ["alpha==2.0", "beta==1.0"])
        #expect(downloads().count == 4)
    }

    @Test("over an index it gives up where pip would choose differently, and when the index cannot be read")
    func leavesDoubtfulIndexCasesToPip() throws {
        let scratch = TemporaryDirectory("installer-index")
        for folder in ["conflict", "prerelease", "newer-sdist"] {
            let server = try IndexServer(serving: Self.folders + "/" + folder)
            let requirements = ["conflict": ["x", "y"], "prerelease": ["pre>=0.1"], "newer-sdist": ["sd"]][folder]!
            #expect(try Self.resolved(requirements, index: server.simple, scratch: scratch.path + "/" + folder) == nil, "\(folder)")
        }
        let server = try IndexServer(serving: try Self.indexFolder(scratch))
        #expect(try Self.resolved(["alpha"], index: server.simple, scratch: scratch.path + "/up") != nil)
        server.stop()
        #expect(try Self.resolved(["alpha"], index: server.simple, scratch: scratch.path + "/down") == nil)
        let failing = try IndexServer(serving: Self.folders + "/basic", status: 503)
        #expect(try Self.resolved(["alpha"], index: failing.simple, scratch: scratch.path + "/failing") == nil)
    }

    @Test("an installed environment imports, runs its entry point and data script, has bytecode, and pip lists what was resolved")
    func installsAWorkingEnvironment() throws {
        let scratch = TemporaryDirectory("installer")
        let venv = scratch.path + "/venv"
        let interpreter = try BuildFixtures.interpreter.get()
        let creator = EnvironmentCreator(interpreter: interpreter, index: IndexOptions(findLinks: [Self.folders + "/basic"], noIndex: true),
                                         environment: TestFixtures.hermeticEnvironment(["WHEELCACHE_INSTALLER": "auto"]))
        let log = scratch.path + "/log"
        let (installed, installer) = try creator.create(at: venv, requirements: ["alpha[fast]"], env: TestFixtures.hermeticEnvironment(), log: log)
        #expect(installer == "wheelcache")
        #expect(installed == ["alpha==2.0", "beta==2.0", "gamma==1.0"])

        let python = venv + "/bin/python"
        let imports = try run(python, ["-c", "import alpha, alpha_extra, beta, gamma; print(alpha.__file__)"])
        #expect(imports.status == 0, "\(imports.stderr)")
        #expect(imports.stdout.hasPrefix(venv + "/lib/"))
        let launcher = try run(venv + "/bin/alpha", [])
        #expect(launcher.status == 0 && launcher.stdout == "alpha 2.0 main\n", "\(launcher.stderr)")
        let tool = try run(venv + "/bin/alpha-tool", [])
        #expect(tool.status == 0 && tool.stdout == "alpha 2.0 main\n", "\(tool.stderr)")
        #expect(try String(contentsOfFile: venv + "/bin/alpha-tool", encoding: .utf8).hasPrefix("#!" + python + "\n"))
        #expect(scratch.files("venv/lib").contains { $0.hasSuffix("/alpha/__pycache__/__init__.cpython-311.pyc") || $0.contains("/alpha/__pycache__/__init__.") })
        #expect(!scratch.files("venv").contains { $0.contains(".unpacking-") || $0.contains(".data/") })

        let site = try #require(WheelInstaller.sitePackages(of: venv))
        let listed = try run(TestFixtures.python, ["-m", "pip", "list", "--format", "freeze", "--path", site],
                             environment: TestFixtures.hermeticEnvironment())
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.split(separator: "\n").map { ProjectName.normalize(String($0.split(separator: "=")[0])) + "==" + $0.split(separator: "=").last! }.sorted()
                == ["alpha==2.0", "beta==2.0", "gamma==1.0"])
        #expect(try String(contentsOfFile: site + "/alpha-2.0.dist-info/INSTALLER", encoding: .utf8) == "wheelcache\n")
    }

    @Test("with WHEELCACHE_INSTALLER=pip or uv, with an index but no HTTP cache to read it through, or with a remote find-links page, the installer is pip or uv")
    func installerWhenAskedOrUnreadable() throws {
        let interpreter = try BuildFixtures.interpreter.get()
        let local = IndexOptions(findLinks: [Self.folders + "/basic"], noIndex: true)
        #expect(EnvironmentCreator(interpreter: interpreter, index: local, environment: ["WHEELCACHE_INSTALLER": "pip"]).native == false)
        #expect(EnvironmentCreator(interpreter: interpreter, index: local, environment: ["WHEELCACHE_INSTALLER": "uv"]).native == false)
        #expect(EnvironmentCreator(interpreter: interpreter, index: local, environment: [:]).native == true)
        let indexed = IndexOptions(indexURL: "https://example.invalid/simple/", findLinks: [Self.folders + "/basic"])
        #expect(EnvironmentCreator(interpreter: interpreter, index: indexed, environment: [:]).native == false)
        let fetching = (http: HTTPCache(folder: nil, client: HTTPClient()), downloads: NSTemporaryDirectory())
        #expect(EnvironmentCreator(interpreter: interpreter, index: indexed, environment: [:], fetching: fetching).native == true)
        let remoteLinks = IndexOptions(findLinks: ["https://example.invalid/links/"])
        #expect(EnvironmentCreator(interpreter: interpreter, index: remoteLinks, environment: [:], fetching: fetching).native == false)
    }
}
