import Testing
import WheelModel

@Suite("PackageSelector")
struct PackageSelectorTests {
    @Test("no arguments select nothing")
    func empty() throws {
        let selector = try PackageSelector(arguments: [])
        #expect(selector.isEmpty)
        #expect(!selector.all)
        #expect(!selector.matches("anything"))
        #expect(PackageSelector().isEmpty)
    }

    @Test("names accumulate across arguments and comma lists, stored normalized")
    func namesAccumulate() throws {
        let selector = try PackageSelector(arguments: ["Foo_Bar,baz", " Zope.Interface ", "qux"])
        #expect(selector.names == ["foo-bar", "baz", "zope-interface", "qux"])
        #expect(!selector.all)
        #expect(!selector.isEmpty)
        #expect(selector.matches("FOO.bar"))
        #expect(selector.matches("zope-interface"))
        #expect(!selector.matches("other"))
    }

    @Test(":all: selects every project")
    func all() throws {
        let selector = try PackageSelector(arguments: [":all:"])
        #expect(selector.all)
        #expect(selector.matches("anything-at-all"))
        #expect(!selector.isEmpty)
    }

    @Test(":none: clears everything before it, names after it still count")
    func noneClears() throws {
        let cleared = try PackageSelector(arguments: ["foo", ":all:", ":none:"])
        #expect(cleared.isEmpty)
        #expect(!cleared.matches("foo"))

        let after = try PackageSelector(arguments: [":all:", ":none:,bar"])
        #expect(!after.all)
        #expect(after.names == ["bar"])
        #expect(after.matches("bar"))
        #expect(!after.matches("foo"))
    }

    @Test("names given after :all: leave everything selected, as in pip")
    func namesAfterAll() throws {
        let selector = try PackageSelector(arguments: [":all:", "foo"])
        #expect(selector.all)
        #expect(selector.matches("unrelated"))
    }

    @Test("empty items between commas are skipped")
    func emptyItems() throws {
        #expect(try PackageSelector(arguments: ["a,,b,", ""]).names == ["a", "b"])
    }

    @Test("an invalid project name is an error")
    func invalidName() {
        #expect(throws: ModelError.invalidProjectName("bad name!")) {
            try PackageSelector(arguments: ["ok", "bad name!"])
        }
    }
}

@Suite("BuildOptions.parseConfigSettings")
struct ConfigSettingsTests {
    @Test("repeated keys collect their values in order, as pip does")
    func repeatedKeys() throws {
        let settings = try BuildOptions.parseConfigSettings(["a=1", "b=2", "a=3", "a=1"])
        #expect(settings == ["a": ["1", "3", "1"], "b": ["2"]])
    }

    @Test("the value is everything after the first '=' and may be empty")
    func valueSplitting() throws {
        let settings = try BuildOptions.parseConfigSettings(["--build-option=--plat=x", "empty="])
        #expect(settings == ["--build-option": ["--plat=x"], "empty": [""]])
    }

    @Test("an item without '=' or without a key is an error naming it", arguments: ["novalue", "=value", ""])
    func badForm(item: String) {
        #expect(throws: ModelError.invalidConfigSetting(item)) {
            try BuildOptions.parseConfigSettings(["ok=1", item])
        }
    }

    @Test("no items give no settings")
    func none() throws {
        #expect(try BuildOptions.parseConfigSettings([]).isEmpty)
    }
}
