#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The few string operations of corelibs Foundation we used, which FoundationEssentials lacks.
// Named apart from Foundation's so that code importing both (the tests) is not ambiguous.

extension StringProtocol {
    /// `trimmingCharacters(in: .whitespaces)`: tabs and Unicode space separators off both ends.
    public func trimmingSpaces() -> String { trimmingScalars(where: Self.isSpace) }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`.
    public func trimmingSpacesAndNewlines() -> String {
        trimmingScalars { Self.isSpace($0) || Self.isNewline($0) }
    }

    /// `removingPercentEncoding`: nil when a `%` is not followed by two hex digits or the
    /// bytes are not UTF-8.
    public var percentDecoded: String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `padding(toLength:withPad: " ", startingAt: 0)`: cut or filled with spaces to `length`.
    public func padded(to length: Int) -> String {
        let text = String(prefix(length))
        return text + String(repeating: " ", count: length - text.count)
    }

    private func trimmingScalars(where shouldTrim: (Unicode.Scalar) -> Bool) -> String {
        // Text that starts and ends with a visible ASCII character (most of it) is kept whole.
        let whole = String(self)
        if let first = whole.utf8.first, let last = whole.utf8.last, first > 0x20, first < 0x7F, last > 0x20, last < 0x7F {
            return whole
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !shouldTrim($0) }),
              let last = scalars.lastIndex(where: { !shouldTrim($0) }) else { return "" }
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars[first...last])
        return String(kept)
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
    }

    private static func isNewline(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension Double {
    /// `String(format: "%.Nf", value)`, through the C library so rounding is printf's.
    public func fixed(_ decimals: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 400 + decimals)
        _ = withVaList([self]) { vsnprintf(&buffer, buffer.count, "%.\(decimals)f", $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
