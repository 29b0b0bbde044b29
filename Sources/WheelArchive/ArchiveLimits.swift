/// Bounds that keep a hostile archive from exhausting the disk, memory or time: a number of
/// entries, and a cap on the bytes it unpacks to, the smaller of an absolute bound and a ratio
/// to the archive's own size. The ratio has a floor so that small archives of very
/// compressible data (test fixtures, say) still pass; real sdists and wheels stay far below
/// 200 times, while a decompression bomb is past it at once.
public struct ArchiveLimits: Sendable {
    public var maxEntries: Int
    public var maxTotalBytes: Int64
    public var maxRatio: Int64
    public var ratioFloor: Int64

    public init(maxEntries: Int = 100_000, maxTotalBytes: Int64 = 2 << 30, maxRatio: Int64 = 200,
                ratioFloor: Int64 = 256 << 20) {
        self.maxEntries = maxEntries
        self.maxTotalBytes = maxTotalBytes
        self.maxRatio = maxRatio
        self.ratioFloor = ratioFloor
    }

    public static let sdist = ArchiveLimits()
    /// Wheels of GPU libraries unpack to several GiB, so the absolute bound is higher.
    public static let wheel = ArchiveLimits(maxEntries: 100_000, maxTotalBytes: 16 << 30)

    /// The most an archive of `archiveSize` bytes may unpack to.
    public func maxUnpacked(archiveSize: Int64) -> Int64 {
        let (scaled, overflow) = maxRatio.multipliedReportingOverflow(by: max(archiveSize, 0))
        return min(maxTotalBytes, max(ratioFloor, overflow ? .max : scaled))
    }

    /// `total + more`, stopping at `Int64.max`: sizes come from the file and may be absurd.
    static func adding(_ more: Int64, to total: Int64) -> Int64 {
        let (sum, overflow) = total.addingReportingOverflow(max(more, 0))
        return overflow ? .max : sum
    }

    /// Why `bytes` unpacked from an archive of `archiveSize` bytes is too many, if it is.
    func excess(_ bytes: Int64, archiveSize: Int64) -> String? {
        let bound = maxUnpacked(archiveSize: archiveSize)
        guard bytes > bound else { return nil }
        if bound == maxTotalBytes { return "it unpacks to more than \(Self.size(bound)), the most wheelcache accepts" }
        return "it unpacks to more than \(Self.size(bound)), over \(maxRatio) times its own \(Self.size(archiveSize)) "
            + "(a decompression bomb)"
    }

    private static func size(_ bytes: Int64) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}
