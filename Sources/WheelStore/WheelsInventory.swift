import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelModel
import WheelSystem

/// One entry of the wheels bucket as the management commands see it: found by walking the
/// folders (never following links) and named from its wheel's file name, so listing ten
/// thousand entries parses no JSON.
public struct EntrySummary: Sendable {
    public let key: String
    /// The entry folder.
    public let path: String
    /// The wheel's file name, if the entry holds exactly one wheel.
    public let wheel: String?
    /// From the wheel file name: the PEP 503-normalized project name, and the version.
    public let name: String?
    public let version: String?
    /// Every file of the entry.
    public let usage: FileTree.Usage
    /// When the entry was last served or stored (`entry.json`'s modification time).
    public let lastUsed: Date
    /// Whether the entry has its manifest and one wheel (a published entry always does).
    public let isComplete: Bool

    public var wheelPath: String? { wheel.map { path + "/" + $0 } }
}

/// What lies in the wheels bucket: entries, and left-over lock files of past misses.
public struct WheelsInventory: Sendable {
    public init() {}

    public var entries: [EntrySummary] = []
    /// `KEY.lock` files (and other stray files) beside the entry folders.
    public var strayFiles: [String] = []
}

extension CacheStore {
    /// Walks `wheels-v1/ab/cd/KEY/`, fan-out folders in parallel. Links anywhere in it are
    /// skipped, never followed.
    public func inventory() -> WheelsInventory {
        let base = path(.wheels)
        let firsts = FileTree.items(base).filter { $0.kind == .folder }.map { base + "/" + $0.name }
        let parts = Parallel.map(firsts) { firstPath -> WheelsInventory in
            var part = WheelsInventory()
            for second in FileTree.items(firstPath) where second.kind == .folder {
                let secondPath = firstPath + "/" + second.name
                for item in FileTree.items(secondPath) {
                    let itemPath = secondPath + "/" + item.name
                    switch item.kind {
                    case .folder: part.entries.append(summarize(key: item.name, at: itemPath, modified: item.modified))
                    case .file, .link, .other: part.strayFiles.append(itemPath)
                    }
                }
            }
            return part
        }
        var result = WheelsInventory()
        for part in parts {
            result.entries += part.entries
            result.strayFiles += part.strayFiles
        }
        return result
    }

    /// What the wheels bucket holds in all (entries and stray files).
    public func usage(of inventory: WheelsInventory) -> FileTree.Usage {
        var total = inventory.entries.reduce(FileTree.Usage()) { $0 + $1.usage }
        total.files += inventory.strayFiles.count
        return total
    }

    private func summarize(key: String, at folder: String, modified: Date) -> EntrySummary {
        var usage = FileTree.Usage()
        var wheels: [String] = []
        var manifestTime: Date?
        for item in FileTree.items(folder) {
            switch item.kind {
            case .folder: usage += FileTree.usage(folder + "/" + item.name)
            default: usage += FileTree.Usage(files: 1, bytes: item.size)
            }
            if item.kind == .file && item.name.hasSuffix(".whl") { wheels.append(item.name) }
            if item.kind == .file && item.name == "entry.json" { manifestTime = item.modified }
        }
        let wheel = wheels.count == 1 ? wheels[0] : nil
        let parsed = wheel.flatMap { try? WheelFileName($0) }
        return EntrySummary(
            key: key, path: folder, wheel: wheel, name: parsed.map { ProjectName.normalize($0.distribution) }, version: parsed?.version,
            usage: usage, lastUsed: manifestTime ?? modified, isComplete: wheel != nil && manifestTime != nil)
    }
}
