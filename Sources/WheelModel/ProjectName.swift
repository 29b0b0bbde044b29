import FoundationEssentials

/// A Python project name, kept as written and in its PEP 503 normalized form.
public struct ProjectName: Hashable, Sendable, CustomStringConvertible {
    /// The name as it was written.
    public let raw: String
    /// Lowercase, with runs of `-`, `_` and `.` folded to one `-` (PEP 503).
    public let normalized: String

    /// Accepts a name that PEP 508 allows: ASCII letters and digits, with `-`, `_`, `.` inside.
    public init(_ raw: String) throws(ModelError) {
        guard ProjectName.isValid(raw) else { throw .invalidProjectName(raw) }
        self.raw = raw
        self.normalized = ProjectName.normalize(raw)
    }

    /// The form used in wheel and dist-info names: normalized, with `-` as `_` (PEP 427, PEP 491).
    public var wheelComponent: String { normalized.replacing("-", with: "_") }

    public var description: String { raw }

    /// PEP 503 normalization of any string (no validation).
    public static func normalize(_ name: String) -> String {
        var out = ""
        var lastWasSeparator = false
        for ch in name.lowercased() {
            if ch == "-" || ch == "_" || ch == "." {
                if !lastWasSeparator { out.append("-") }
                lastWasSeparator = true
            } else {
                out.append(ch)
                lastWasSeparator = false
            }
        }
        return out
    }

    /// PEP 508: `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`, case-insensitive.
    public static func isValid(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first, let last = scalars.last else { return false }
        func alnum(_ s: Unicode.Scalar) -> Bool {
            s.isASCII && (("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s))
        }
        guard alnum(first), alnum(last) else { return false }
        return scalars.allSatisfy { alnum($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }
}
