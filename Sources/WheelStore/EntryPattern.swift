import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelModel
import WheelSystem

/// `cache list` and `cache remove` patterns: a glob over the PEP 503-normalized project name,
/// optionally followed by `-VERSION` (`requests`, `req*`, `my_pkg-1.*`), case-insensitive.
public struct EntryPattern: Sendable {
    let patterns: [String]

    public init(_ text: String) {
        let lower = text.lowercased()
        // `my_pkg` and `my.pkg` name the project `my-pkg`; versions keep their dots.
        var variants = [lower, lower.replacing("_", with: "-")]
        if let dash = lower.firstIndex(of: "-") {
            variants.append(ProjectName.normalize(String(lower[..<dash])) + lower[dash...])
        } else {
            variants.append(ProjectName.normalize(lower))
        }
        patterns = Array(Set(variants))
    }

    public func matches(name: String, version: String?) -> Bool {
        let candidates = [name] + (version.map { [name + "-" + $0] } ?? [])
        return patterns.contains { pattern in candidates.contains { fnmatch(pattern, $0, 0) == 0 } }
    }
}
