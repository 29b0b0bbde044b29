import FoundationEssentials
import WheelSystem

/// A parsed wheel file name: `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl` (PEP 427).
public struct WheelFileName: Hashable, Sendable, CustomStringConvertible {
    public let distribution: String
    public let version: String
    public let buildTag: String?
    public let pythonTags: [String]
    public let abiTags: [String]
    public let platformTags: [String]
    /// The file name as given.
    public let fileName: String

    public init(_ fileName: String) throws(ModelError) {
        guard fileName.hasSuffix(".whl"), !fileName.contains("/") else {
            throw .invalidWheelFileName(fileName)
        }
        let stem = fileName.dropLast(4)
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5 || parts.count == 6, parts.allSatisfy({ !$0.isEmpty }) else {
            throw .invalidWheelFileName(fileName)
        }
        distribution = parts[0]
        version = parts[1]
        if parts.count == 6 {
            // PEP 427: the build tag must start with a digit.
            guard parts[2].first?.isNumber == true else { throw .invalidWheelFileName(fileName) }
            buildTag = parts[2]
        } else {
            buildTag = nil
        }
        let tagParts = parts.suffix(3).map { $0.split(separator: ".").map(String.init) }
        guard tagParts.allSatisfy({ !$0.isEmpty }) else { throw .invalidWheelFileName(fileName) }
        pythonTags = tagParts[0]
        abiTags = tagParts[1]
        platformTags = tagParts[2]
        self.fileName = fileName
    }

    /// Every `python-abi-platform` triple the compressed tag set stands for (PEP 425).
    public var expandedTags: Set<String> {
        var tags = Set<String>()
        for py in pythonTags { for abi in abiTags { for plat in platformTags { tags.insert("\(py)-\(abi)-\(plat)") } } }
        return tags
    }

    /// The PEP 503 normalized project name.
    public var normalizedName: String { ProjectName.normalize(distribution) }

    public var description: String { fileName }
}

/// Version text helpers; full PEP 440 ordering is not needed to compare one project's metadata.
public enum VersionText {
    /// A light canonical form for equality: trimmed, lowercase, without a leading `v`,
    /// with `-` escaped to `_` as wheel file names do.
    public static func canonical(_ version: String) -> String {
        var text = version.trimmingSpaces().lowercased()
        if text.hasPrefix("v") { text.removeFirst() }
        return text.replacing("-", with: "_")
    }
}

/// An sdist's file name, `name-version.tar.gz` or `.zip` (PEP 625).
public enum SdistFileName {
    /// The normalized project name and the version, or nil for another kind of file.
    public static func nameAndVersion(_ filename: String) -> (name: String, version: String)? {
        for ext in [".tar.gz", ".zip"] where filename.lowercased().hasSuffix(ext) {
            let stem = filename.dropLast(ext.count)
            guard let dash = stem.lastIndex(of: "-") else { return nil }
            return (ProjectName.normalize(String(stem[..<dash])), String(stem[stem.index(after: dash)...]))
        }
        return nil
    }
}
