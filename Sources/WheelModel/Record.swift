/// One row of a wheel's `RECORD`: a path, an optional `algorithm=urlsafe-b64-digest`, an
/// optional size (PEP 376, PEP 427).
public struct RecordEntry: Equatable, Sendable {
    public var path: String
    public var hashAlgorithm: String?
    /// The digest as raw bytes, decoded from URL-safe base64 without padding.
    public var digest: [UInt8]?
    public var size: Int?

    public init(path: String, hashAlgorithm: String?, digest: [UInt8]?, size: Int?) {
        self.path = path
        self.hashAlgorithm = hashAlgorithm
        self.digest = digest
        self.size = size
    }
}

/// Parses `RECORD` files, which are CSV and may use CRLF line ends.
public enum Record {
    /// Parses every row; blank lines are skipped.
    public static func parse(_ text: String) throws(ModelError) -> [RecordEntry] {
        var entries: [RecordEntry] = []
        for (number, row) in csvRows(text) {
            if row.count == 1 && row[0].isEmpty { continue }
            guard row.count == 3 else {
                throw .invalidRecord(line: number, message: "expected 3 fields (path, hash, size), found \(row.count)")
            }
            let path = row[0]
            guard !path.isEmpty else { throw .invalidRecord(line: number, message: "empty path") }
            var algorithm: String?
            var digest: [UInt8]?
            if !row[1].isEmpty {
                guard let eq = row[1].firstIndex(of: "="),
                      let bytes = decodeURLSafeBase64(String(row[1][row[1].index(after: eq)...])) else {
                    throw .invalidRecord(line: number, message: "hash '\(row[1])' is not algorithm=urlsafe-base64")
                }
                algorithm = String(row[1][..<eq])
                digest = bytes
            }
            var size: Int?
            if !row[2].isEmpty {
                guard let n = Int(row[2]), n >= 0 else {
                    throw .invalidRecord(line: number, message: "size '\(row[2])' is not a number")
                }
                size = n
            }
            entries.append(RecordEntry(path: path, hashAlgorithm: algorithm, digest: digest, size: size))
        }
        return entries
    }

    /// Splits CSV text into rows of fields, with their 1-based line numbers. Any newline
    /// character ends a row outside quotes, so CRLF and LF files read alike.
    static func csvRows(_ text: String) -> [(Int, [String])] {
        var rows: [(Int, [String])] = []
        var field = ""
        var row: [String] = []
        var inQuotes = false
        var line = 1
        var rowLine = 1
        var chars = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        var sawAnything = false
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.append("\"") } else { inQuotes = false; pending = n }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c.isNewline { line += 1 }
                    field.append(c)
                }
                continue
            }
            if c == "\"" && field.isEmpty {
                inQuotes = true
                sawAnything = true
            } else if c == "," {
                row.append(field)
                field = ""
                sawAnything = true
            } else if c.isNewline {
                // "\r\n" is one Character in Swift, so a CRLF ends one row, not two.
                row.append(field)
                rows.append((rowLine, row))
                row = []
                field = ""
                sawAnything = false
                line += 1
                rowLine = line
            } else {
                field.append(c)
                sawAnything = true
            }
        }
        if sawAnything || !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append((rowLine, row))
        }
        return rows
    }

    /// Decodes URL-safe base64 with or without padding; nil for anything else.
    public static func decodeURLSafeBase64(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for scalar in text.unicodeScalars {
            switch scalar {
            case "A"..."Z": values.append(UInt8(scalar.value - 65))
            case "a"..."z": values.append(UInt8(scalar.value - 97 + 26))
            case "0"..."9": values.append(UInt8(scalar.value - 48 + 52))
            case "-": values.append(62)
            case "_": values.append(63)
            case "=": continue
            default: return nil
            }
        }
        guard values.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < values.count {
            let chunk = values[index..<min(index + 4, values.count)]
            var acc: UInt32 = 0
            for v in chunk { acc = acc << 6 | UInt32(v) }
            acc <<= UInt32(6 * (4 - chunk.count))
            let bytes = [UInt8(acc >> 16 & 0xff), UInt8(acc >> 8 & 0xff), UInt8(acc & 0xff)]
            out.append(contentsOf: bytes.prefix(chunk.count - 1))
            index += 4
        }
        return out
    }

    /// Encodes bytes as URL-safe base64 without padding, as RECORD wants.
    public static func encodeURLSafeBase64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var out = ""
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var acc: UInt32 = 0
            for b in chunk { acc = acc << 8 | UInt32(b) }
            acc <<= UInt32(8 * (3 - chunk.count))
            for k in 0..<(chunk.count + 1) { out.append(alphabet[Int(acc >> UInt32(18 - 6 * k) & 0x3f)]) }
            index += 3
        }
        return out
    }
}

/// Header fields of an email-style metadata file (`METADATA`, `WHEEL`, `PKG-INFO`).
public struct HeaderFields: Sendable {
    /// Fields in order; a name may repeat (`Tag`, `Classifier`).
    public let fields: [(name: String, value: String)]

    /// Parses headers up to the first blank line; indented lines continue the previous value.
    public init(_ text: String) {
        var fields: [(String, String)] = []
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            if line.isEmpty { break }
            if let first = line.first, first == " " || first == "\t" {
                if !fields.isEmpty { fields[fields.count - 1].1 += "\n" + line.drop { $0 == " " || $0 == "\t" } }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
            fields.append((name, value))
        }
        self.fields = fields
    }

    /// The first value of a field, by case-insensitive name.
    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    /// Every value of a field, by case-insensitive name.
    public func all(_ name: String) -> [String] {
        let lower = name.lowercased()
        return fields.filter { $0.name.lowercased() == lower }.map(\.value)
    }
}
