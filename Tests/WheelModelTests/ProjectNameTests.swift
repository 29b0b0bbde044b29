import Testing
import WheelModel

@Suite("ProjectName")
struct ProjectNameTests {
    @Test("normalize lowercases and folds runs of '-', '_' and '.' into one '-' (PEP 503)",
          arguments: [
              ("Django", "django"),
              ("Foo.Bar", "foo-bar"),
              ("foo_bar", "foo-bar"),
              ("FOO--bar__Baz..qux", "foo-bar-baz-qux"),
              ("a-_.b", "a-b"),
              ("zope.interface", "zope-interface"),
              ("x", "x"),
          ])
    func normalizes(raw: String, expected: String) throws {
        #expect(ProjectName.normalize(raw) == expected)
        let name = try ProjectName(raw)
        #expect(name.raw == raw)
        #expect(name.normalized == expected)
        #expect(name.description == raw)
    }

    @Test("wheelComponent is the normalized name with '_' for '-' (PEP 427)")
    func wheelComponent() throws {
        #expect(try ProjectName("Foo.Bar-baz").wheelComponent == "foo_bar_baz")
        #expect(try ProjectName("simple").wheelComponent == "simple")
    }

    @Test("names that PEP 508 forbids throw invalidProjectName with the name",
          arguments: ["", "-foo", "foo-", ".foo", "foo_", "foo bar", "föo", "foo/bar", "foo==1.0", " foo"])
    func rejectsInvalid(raw: String) {
        #expect(throws: ModelError.invalidProjectName(raw)) { try ProjectName(raw) }
        #expect(!ProjectName.isValid(raw))
    }

    @Test("names with inner separators and digits are valid")
    func acceptsValid() {
        for raw in ["a", "A1", "1a", "a.b-c_d", "pkg2", "Zope.Interface"] {
            #expect(ProjectName.isValid(raw), "\(raw) should be valid")
        }
    }

    @Test("two spellings of one project compare equal once normalized")
    func spellingsAgree() throws {
        #expect(try ProjectName("Typing_Extensions").normalized == (try ProjectName("typing-extensions")).normalized)
    }
}
