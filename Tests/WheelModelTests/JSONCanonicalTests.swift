import Foundation
import Testing
import WheelModel

@Suite("JSONValue: canonical text and Codable")
struct JSONCanonicalTests {
    @Test("object keys are sorted by their UTF-8 bytes at every level, with no whitespace")
    func sortedKeys() {
        let value = JSONValue.object([
            "b": .int(2), "a": .object(["z": .null, "y": .bool(false)]), "B": .bool(true), "é": .string("e"),
            "aa": .array([.int(-1), .object(["k2": .int(0), "k1": .int(1)])]),
        ])
        #expect(value.text == #"{"B":true,"a":{"y":false,"z":null},"aa":[-1,{"k1":1,"k2":0}],"b":2,"é":"e"}"#)
    }

    @Test("the text does not depend on the order keys were inserted")
    func insertionOrder() {
        let keys = (0..<200).map { "key\($0)" }
        var forward: [String: JSONValue] = [:]
        for k in keys { forward[k] = .string(k) }
        var backward: [String: JSONValue] = [:]
        for k in keys.reversed() { backward[k] = .string(k) }
        #expect(JSONValue.object(forward).text == JSONValue.object(backward).text)
    }

    @Test("strings escape quotes, backslashes and control characters minimally")
    func escapes() {
        let text = JSONValue.string("q\" b\\ n\n r\r t\t nul\u{0} us\u{1F} del\u{7F} é / 😀").text
        #expect(text == #""q\" b\\ n\n r\r t\t nul\u0000 us\u001f del"# + "\u{7F}" + #" é / 😀""#)
    }

    @Test("scalars and empty containers have their JSON spelling")
    func scalars() {
        #expect(JSONValue.null.text == "null")
        #expect(JSONValue.bool(true).text == "true")
        #expect(JSONValue.int(-42).text == "-42")
        #expect(JSONValue.array([]).text == "[]")
        #expect(JSONValue.object([:]).text == "{}")
        #expect(JSONValue.array([.string("a"), .null]).text == #"["a",null]"#)
    }

    @Test("the canonical text is valid JSON that decodes back to the same value")
    func roundTrip() throws {
        let value = JSONValue.object([
            "s": .string("line\nbreak \"quoted\" \u{1}"), "n": .int(7), "f": .bool(false), "z": .null,
            "list": .array([.int(1), .string("two"), .array([])]), "obj": .object(["inner": .bool(true)]),
        ])
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(value.text.utf8))
        #expect(decoded == value)
        let reencoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(reencoded == value)
    }
}
