import Foundation
import Testing
import WheelModel

@Suite("JSONValue: the hit path's JSON parser")
struct JSONValueTests {
    /// The same document as Foundation's parser reads it, for comparison.
    static func foundation(_ value: Any) -> JSONValue {
        switch value {
        case is NSNull: return .null
        case let n as NSNumber where String(cString: n.objCType) == "c": return .bool(n.boolValue)
        case let n as NSNumber: return .number(n.stringValue)
        case let s as String: return .string(s)
        case let a as [Any]: return .array(a.map(foundation))
        case let o as [String: Any]: return .object(o.mapValues(foundation))
        default: return .null
        }
    }

    @Test("documents read the same as with JSONSerialization, escapes and surrogate pairs included",
          arguments: [
              #"{"a": [1, 2, {"b": null}], "c": true, "d": false, "e": "x\"y\\z\/"}"#,
              #"["\u00e9\n\t\r\b\f", "\ud83d\ude00", "plain é 😀", ""]"#,
              #"  {"nested": {"deeper": {"deepest": [[], {}]}}}  "#,
              #"[0, -1, 12345678901234]"#,
          ])
    func matchesFoundation(_ text: String) throws {
        let ours = try #require(JSONValue.parse(Array(text.utf8)))
        let theirs = Self.foundation(try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]))
        #expect(ours == theirs)
    }

    @Test("numbers keep their text: integers stay exact, fractions and exponents read as Double")
    func numbers() throws {
        let value = try #require(JSONValue.parse(Array(#"{"big": 9007199254740993, "f": 0.25, "e": -1.5e3}"#.utf8)))
        #expect(value["big"]?.int64 == 9_007_199_254_740_993)
        #expect(value["f"]?.double == 0.25)
        #expect(value["e"]?.double == -1500)
        #expect(value["f"]?.int == nil)
    }

    @Test("what is not JSON is refused", arguments: [
        "", "{", "[1,]", #"{"a":1,}"#, "01", "1.", "-", ".5", "1e", #""unterminated"#, "\"tab\there\"",
        #""\x""#, #""\ud83d""#, #""\ude00""#, "tru", "nul", "[1] 2", #"{"a" 1}"#, #"{1: 2}"#, "\"\u{FF}\"",
    ])
    func refusesInvalid(_ text: String) {
        var bytes = Array(text.utf8)
        if text == "\"\u{FF}\"" { bytes = [0x22, 0xFF, 0x22] }  // invalid UTF-8 inside a string
        #expect(JSONValue.parse(bytes) == nil)
    }

    @Test("nesting deeper than 512 levels is refused instead of exhausting the stack")
    func depthLimit() {
        #expect(JSONValue.parse(Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)) == nil)
        #expect(JSONValue.parse(Array((String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).utf8)) != nil)
    }

    @Test("an interpreter reads back from its Codable form, with and without the optional fields")
    func interpreterRoundTrip() throws {
        let full = Interpreter(executable: "/usr/bin/python3", implementation: "cpython", version: "3.11.7", pythonVersion: "3.11",
                               pythonTag: "cp311", abiTag: "cp311", platformTag: "linux_x86_64", freeThreaded: false,
                               pipVersion: "24.0", supportedTags: ["cp311-cp311-linux_x86_64", "py3-none-any"],
                               markerEnvironment: ["python_version": "3.11", "sys_platform": "linux"])
        var bare = full
        bare.pipVersion = nil
        bare.supportedTags = nil
        bare.markerEnvironment = nil
        for interpreter in [full, bare] {
            let data = try JSONEncoder().encode(interpreter)
            #expect(JSONValue.parse(data).flatMap(Interpreter.init(json:)) == interpreter)
        }
        // A mistyped field is refused, not defaulted.
        let bad = #"{"executable":"/p","implementation":"cpython","version":"3","pythonVersion":"3","pythonTag":"cp3","abiTag":"cp3","platformTag":"any","freeThreaded":"no"}"#
        #expect(JSONValue.parse(Array(bad.utf8)).flatMap(Interpreter.init(json:)) == nil)
    }
}
