import Testing
import WheelModel

@Suite("Record")
struct RecordTests {
    // sha256 of the empty string, in RECORD's URL-safe base64 without padding.
    static let emptyHash = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
    static let emptyDigest: [UInt8] = [
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
        0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
    ]

    @Test("rows give path, algorithm, decoded digest and size; RECORD's own row has neither")
    func parsesRows() throws {
        let rows = try Record.parse("demo/__init__.py,sha256=\(Self.emptyHash),0\ndemo-1.0.dist-info/RECORD,,\n")
        #expect(rows == [
            RecordEntry(path: "demo/__init__.py", hashAlgorithm: "sha256", digest: Self.emptyDigest, size: 0),
            RecordEntry(path: "demo-1.0.dist-info/RECORD", hashAlgorithm: nil, digest: nil, size: nil),
        ])
    }

    @Test("CRLF and LF files parse to the same rows")
    func crlfMatchesLF() throws {
        let lf = "a.py,sha256=\(Self.emptyHash),0\n\nb/c.py,sha256=AAAA,12\nd-1.0.dist-info/RECORD,,\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let a = try Record.parse(lf)
        #expect(a.count == 3)
        #expect(try Record.parse(crlf) == a)
        #expect(try Record.parse(String(lf.dropLast())) == a)
    }

    @Test("quoted fields keep commas and doubled quotes")
    func quotedFields() throws {
        let rows = try Record.parse("\"dir/a,b.py\",sha256=\(Self.emptyHash),0\n\"say \"\"hi\"\".txt\",,\"7\"\n")
        #expect(rows.map(\.path) == ["dir/a,b.py", "say \"hi\".txt"])
        #expect(rows[1].size == 7)
    }

    @Test("malformed rows are errors with the 1-based line number",
          arguments: [
              ("a.py,sha256=\(RecordTests.emptyHash),0\nb.py,sha256,3\n", 2, "hash 'sha256' is not algorithm=urlsafe-base64"),
              ("a.py,sha256=not+base64/,3\n", 1, "hash 'sha256=not+base64/' is not algorithm=urlsafe-base64"),
              ("a.py,,abc\n", 1, "size 'abc' is not a number"),
              ("a.py,,-1\n", 1, "size '-1' is not a number"),
              ("x,,\r\ny,,\r\na.py,sha256\r\n", 3, "expected 3 fields (path, hash, size), found 2"),
              ("a.py,,1,extra\n", 1, "expected 3 fields (path, hash, size), found 4"),
              (",sha256=\(RecordTests.emptyHash),0\n", 1, "empty path"),
          ])
    func badRows(text: String, line: Int, message: String) {
        #expect(throws: ModelError.invalidRecord(line: line, message: message)) { try Record.parse(text) }
    }

    @Test("URL-safe base64 round-trips every length and uses '-' and '_' without padding")
    func base64RoundTrip() {
        var bytes: [UInt8] = []
        for n in 0..<70 {
            let encoded = Record.encodeURLSafeBase64(bytes)
            #expect(!encoded.contains("=") && !encoded.contains("+") && !encoded.contains("/"))
            #expect(encoded.count == (n * 4 + 2) / 3)
            #expect(Record.decodeURLSafeBase64(encoded) == bytes)
            bytes.append(UInt8(truncatingIfNeeded: n &* 37 &+ 251))
        }
        #expect(Record.encodeURLSafeBase64(Self.emptyDigest) == Self.emptyHash)
        #expect(Record.encodeURLSafeBase64([0xfb, 0xff]) == "-_8")
    }

    @Test("decoding accepts padding and rejects characters and lengths base64 cannot have")
    func base64Decode() {
        #expect(Record.decodeURLSafeBase64("YQ==") == [0x61])
        #expect(Record.decodeURLSafeBase64("YQ") == [0x61])
        #expect(Record.decodeURLSafeBase64("YWJj") == Array("abc".utf8))
        #expect(Record.decodeURLSafeBase64("ab+c") == nil)
        #expect(Record.decodeURLSafeBase64("ab/c") == nil)
        #expect(Record.decodeURLSafeBase64("abcde") == nil)
    }
}

@Suite("HeaderFields")
struct HeaderFieldsTests {
    @Test("fields are looked up case-insensitively, repeat in order, and keep colons in values")
    func lookups() {
        let fields = HeaderFields("Wheel-Version: 1.0\nTag: py2-none-any\ntag: py3-none-any\nHome-page: https://example.org:8080/x\n")
        #expect(fields["wheel-version"] == "1.0")
        #expect(fields["TAG"] == "py2-none-any")
        #expect(fields.all("Tag") == ["py2-none-any", "py3-none-any"])
        #expect(fields["Home-Page"] == "https://example.org:8080/x")
        #expect(fields["Missing"] == nil)
        #expect(fields.all("Missing") == [])
    }

    @Test("indented lines continue a value and the body after the first blank line is ignored")
    func continuationAndBody() {
        let fields = HeaderFields("Name: demo\r\nDescription: first\r\n  second\r\n\tthird\r\nVersion: 1.0\r\n\r\nName: body\r\n")
        #expect(fields["Description"] == "first\nsecond\nthird")
        #expect(fields["Version"] == "1.0")
        #expect(fields.all("Name") == ["demo"])
    }
}
