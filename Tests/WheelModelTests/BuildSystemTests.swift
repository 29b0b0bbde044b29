import Testing
import WheelModel

@Suite("BuildSystem")
struct BuildSystemTests {
    @Test("no pyproject.toml gives pip's legacy setuptools default")
    func missingFile() throws {
        let system = try BuildSystem.parse(pyproject: nil)
        #expect(system == BuildSystem.legacyDefault)
        #expect(system.requires == ["setuptools>=40.8.0"])
        #expect(system.backend == "setuptools.build_meta:__legacy__")
        #expect(system.backendPath == [])
    }

    @Test("a pyproject.toml without [build-system] gives the legacy default")
    func missingTable() throws {
        let system = try BuildSystem.parse(pyproject: "[project]\nname = \"x\"\nversion = \"1\"\n")
        #expect(system == BuildSystem.legacyDefault)
    }

    @Test("a [build-system] table without requires is an error (PEP 518)")
    func tableWithoutRequires() {
        let text = "[build-system]\nbuild-backend = \"hatchling.build\"\n"
        #expect(throws: ModelError.invalidBuildSystem(
            "'requires' is missing; list the build requirements, e.g. requires = [\"setuptools\"]")) {
            try BuildSystem.parse(pyproject: text)
        }
    }

    @Test("requires without build-backend uses the legacy backend with the given requirements")
    func requiresOnly() throws {
        let system = try BuildSystem.parse(pyproject: "[build-system]\nrequires = [\"setuptools>=61\", \"wheel\"]\n")
        #expect(system == BuildSystem(requires: ["setuptools>=61", "wheel"], backend: BuildSystem.legacyBackend))
    }

    @Test("requires, build-backend and backend-path are all read")
    func fullTable() throws {
        let system = try BuildSystem.parse(pyproject: """
            [build-system]
            requires = []
            build-backend = "fakebackend:impl"
            backend-path = ["_backend", "tools"]

            [project]
            name = "fakepkg"
            """)
        #expect(system == BuildSystem(requires: [], backend: "fakebackend:impl", backendPath: ["_backend", "tools"]))
    }

    @Test("wrongly typed fields are errors that name the field",
          arguments: [
              ("build-system = \"setuptools\"\n", "must be a table"),
              ("[build-system]\nrequires = \"setuptools\"\n", "'requires' must be an array of strings"),
              ("[build-system]\nrequires = [\"a\", 1]\n", "'requires' must be an array of strings"),
              ("[build-system]\nrequires = []\nbuild-backend = \"\"\n", "'build-backend' must be a non-empty string"),
              ("[build-system]\nrequires = []\nbuild-backend = [\"x\"]\n", "'build-backend' must be a non-empty string"),
              ("[build-system]\nrequires = []\nbackend-path = \"_backend\"\n", "'backend-path' must be an array of strings"),
          ])
    func wrongTypes(text: String, message: String) {
        #expect(throws: ModelError.invalidBuildSystem(message)) { try BuildSystem.parse(pyproject: text) }
    }

    @Test("malformed TOML is reported as a TOML error with its line")
    func malformedTOML() {
        #expect(throws: ModelError.toml(line: 2, message: "expected ',' or ']' in an array")) {
            try BuildSystem.parse(pyproject: "[build-system]\nrequires = [\"a\" \"b\"]\n")
        }
    }
}
