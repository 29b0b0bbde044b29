import Testing
import WheelModel

@Suite("WheelFileName")
struct WheelFileNameTests {
    @Test("a plain name parses into distribution, version and single tags")
    func parsesPlainName() throws {
        let name = try WheelFileName("demo-1.0-py3-none-any.whl")
        #expect(name.distribution == "demo")
        #expect(name.version == "1.0")
        #expect(name.buildTag == nil)
        #expect(name.pythonTags == ["py3"])
        #expect(name.abiTags == ["none"])
        #expect(name.platformTags == ["any"])
        #expect(name.fileName == "demo-1.0-py3-none-any.whl")
        #expect(name.description == "demo-1.0-py3-none-any.whl")
        #expect(name.expandedTags == ["py3-none-any"])
    }

    @Test("a build tag starting with a digit is kept")
    func parsesBuildTag() throws {
        let name = try WheelFileName("cext_pkg-0.5-1build2-cp311-cp311-linux_x86_64.whl")
        #expect(name.distribution == "cext_pkg")
        #expect(name.version == "0.5")
        #expect(name.buildTag == "1build2")
        #expect(name.pythonTags == ["cp311"])
        #expect(name.abiTags == ["cp311"])
        #expect(name.platformTags == ["linux_x86_64"])
    }

    @Test("a build tag that does not start with a digit is rejected")
    func rejectsNonDigitBuildTag() {
        let bad = "demo-1.0-build1-py3-none-any.whl"
        #expect(throws: ModelError.invalidWheelFileName(bad)) { try WheelFileName(bad) }
    }

    @Test("compressed tag sets expand to every python-abi-platform triple (PEP 425)")
    func expandsCompressedTags() throws {
        let name = try WheelFileName("demo-1.0-py2.py3-none-any.whl")
        #expect(name.pythonTags == ["py2", "py3"])
        #expect(name.expandedTags == ["py2-none-any", "py3-none-any"])

        let many = try WheelFileName(
            "numpy-2.0.0-cp311.cp312-cp311.abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        #expect(many.expandedTags == [
            "cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64",
            "cp311-abi3-manylinux_2_17_x86_64", "cp311-abi3-manylinux2014_x86_64",
            "cp312-cp311-manylinux_2_17_x86_64", "cp312-cp311-manylinux2014_x86_64",
            "cp312-abi3-manylinux_2_17_x86_64", "cp312-abi3-manylinux2014_x86_64",
        ])
    }

    @Test("normalizedName applies PEP 503 to the distribution part")
    func normalizedName() throws {
        #expect(try WheelFileName("Foo_Bar-1.0-py3-none-any.whl").normalizedName == "foo-bar")
    }

    @Test("names that are not name-version(-build)?-python-abi-platform.whl are rejected",
          arguments: [
              "demo-1.0-py3-none-any.zip",
              "demo-1.0-py3-none-any",
              "demo-1.0.whl",
              "demo-1.0-py3-none.whl",
              "demo-1.0-1-extra-py3-none-any.whl",
              "demo--py3-none-any.whl",
              "-1.0-py3-none-any.whl",
              "demo-1.0-py3-none-.whl",
              "demo-1.0-.-none-any.whl",
              "dist/demo-1.0-py3-none-any.whl",
              ".whl",
          ])
    func rejectsInvalid(fileName: String) {
        #expect(throws: ModelError.invalidWheelFileName(fileName)) { try WheelFileName(fileName) }
    }
}

@Suite("VersionText")
struct VersionTextTests {
    @Test("canonical trims, lowercases, drops a leading v and writes '-' as '_'")
    func canonical() {
        #expect(VersionText.canonical(" V1.0RC1 ") == "1.0rc1")
        #expect(VersionText.canonical("1.0-post1") == "1.0_post1")
        #expect(VersionText.canonical("1.0") == VersionText.canonical("v1.0"))
        #expect(VersionText.canonical("1.0") != VersionText.canonical("1.1"))
    }
}
