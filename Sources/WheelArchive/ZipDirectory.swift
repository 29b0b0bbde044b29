import FoundationEssentials
import WheelModel
import WheelSystem

/// The central directory of a zip file, read directly, and checked against each local header.
///
/// libarchive's seekable reader trusts the central directory; a wheel whose local headers name
/// other files than the directory does would unpack differently under other tools, so such a
/// wheel is refused (binary distribution format: the archive must be unambiguous).
struct ZipDirectory {
    struct Member {
        var name: String
        var crc32: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        var localHeaderOffset: UInt64
        /// The file-type bits of the Unix mode, for members made on Unix (0 otherwise):
        /// libarchive's zip reader turns FIFOs and devices into regular files, so the type is
        /// read here to refuse them.
        var unixType: UInt32
    }

    let members: [Member]
    let fileSize: Int64

    /// Reads the directory of the zip at `path`, refusing more than `maxEntries` members
    /// before reading any of them.
    init(path: String, maxEntries: Int) throws(WheelProblem) {
        guard let handle = FileReader(path: path) else { throw .unreadable("cannot open the file") }
        guard let size = handle.size() else { throw .unreadable("cannot read the file") }
        func read(_ offset: UInt64, _ count: Int) throws(WheelProblem) -> [UInt8] {
            guard offset + UInt64(count) <= size else { throw .unreadable("a record points past the end of the file") }
            guard let bytes = handle.read(at: offset, count: count) else { throw .unreadable("cannot read the file") }
            guard bytes.count == count else { throw .unreadable("short read") }
            return bytes
        }
        // The end-of-central-directory record sits in the last 22 + 65535 bytes.
        let tailLength = Int(min(size, 22 + 65535))
        let tail = try read(size - UInt64(tailLength), tailLength)
        guard tailLength >= 22, let eocdIndex = stride(from: tailLength - 22, through: 0, by: -1).first(where: {
            tail.u32($0) == 0x0605_4b50 && $0 + 22 + Int(tail.u16($0 + 20)) == tailLength
        }) else { throw .unreadable("no end-of-central-directory record") }
        var count = UInt64(tail.u16(eocdIndex + 10))
        var directorySize = UInt64(tail.u32(eocdIndex + 12))
        var directoryOffset = UInt64(tail.u32(eocdIndex + 16))
        let eocdOffset = size - UInt64(tailLength) + UInt64(eocdIndex)
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // ZIP64: the locator sits right before the classic record.
            guard eocdOffset >= 20 else { throw .unreadable("missing ZIP64 locator") }
            let locator = try read(eocdOffset - 20, 20)
            guard locator.u32(0) == 0x0706_4b50 else { throw .unreadable("missing ZIP64 locator") }
            let record = try read(locator.u64(8), 56)
            guard record.u32(0) == 0x0606_4b50 else { throw .unreadable("bad ZIP64 end record") }
            count = record.u64(32)
            directorySize = record.u64(40)
            directoryOffset = record.u64(48)
        }
        guard count <= UInt64(maxEntries) else { throw .tooLarge("more than \(maxEntries) entries") }
        guard directorySize < 1 << 31 else { throw .unreadable("central directory too large") }
        let directory = try read(directoryOffset, Int(directorySize))
        var members: [Member] = []
        var seen = Set<String>()
        var at = 0
        for _ in 0..<count {
            guard at + 46 <= directory.count, directory.u32(at) == 0x0201_4b50 else {
                throw .unreadable("bad central directory entry")
            }
            let nameLength = Int(directory.u16(at + 28))
            let extraLength = Int(directory.u16(at + 30))
            let commentLength = Int(directory.u16(at + 32))
            guard at + 46 + nameLength + extraLength + commentLength <= directory.count else {
                throw .unreadable("bad central directory entry")
            }
            let nameBytes = Array(directory[(at + 46)..<(at + 46 + nameLength)])
            guard let name = String(validating: nameBytes, as: UTF8.self) else { throw .unsafePath("<non-UTF-8 name>") }
            let madeOnUnix = directory[at + 5] == 3
            var member = Member(
                name: name, crc32: directory.u32(at + 16), compressedSize: UInt64(directory.u32(at + 20)),
                uncompressedSize: UInt64(directory.u32(at + 24)), localHeaderOffset: UInt64(directory.u32(at + 42)),
                unixType: madeOnUnix ? directory.u32(at + 38) >> 16 & 0o170000 : 0)
            // ZIP64 extra field (id 1) carries whichever of the three values overflowed, in order.
            var extra = at + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = directory.u16(extra)
                let length = Int(directory.u16(extra + 2))
                if id == 1 {
                    var field = extra + 4
                    if member.uncompressedSize == 0xFFFF_FFFF, field + 8 <= extraEnd { member.uncompressedSize = directory.u64(field); field += 8 }
                    if member.compressedSize == 0xFFFF_FFFF, field + 8 <= extraEnd { member.compressedSize = directory.u64(field); field += 8 }
                    if member.localHeaderOffset == 0xFFFF_FFFF, field + 8 <= extraEnd { member.localHeaderOffset = directory.u64(field) }
                }
                extra += 4 + length
            }
            guard seen.insert(name).inserted else { throw .duplicateEntry(name) }
            let local = try read(member.localHeaderOffset, 30)
            guard local.u32(0) == 0x0403_4b50 else { throw .headerMismatch(name) }
            let localName = try read(member.localHeaderOffset + 30, Int(local.u16(26)))
            guard localName == nameBytes else { throw .headerMismatch(name) }
            members.append(member)
            at += 46 + nameLength + extraLength + commentLength
        }
        self.members = members
        fileSize = Int64(size)
    }
}

extension Array where Element == UInt8 {
    func u16(_ i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }
    func u64(_ i: Int) -> UInt64 { UInt64(u32(i)) | UInt64(u32(i + 4)) << 32 }
}
