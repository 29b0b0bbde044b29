import WheelSystem

/// A PEP 440 version, parsed for comparison: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`,
/// with the spellings PEP 440 normalizes (`1.0-alpha.1`, `1.0c1`, `1.0-1`, `v1.0`).
public struct Version: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let epoch: Int
    /// Release numbers without trailing zeros, so `1.0` and `1.0.0` are equal.
    public let release: [Int]
    /// (0: a, 1: b, 2: rc, number).
    public let pre: (Int, Int)?
    public let post: Int?
    public let dev: Int?
    /// Local label segments, lowercased.
    public let local: [String]
    /// The normalized text (PEP 440), e.g. `1.0rc1.post2`.
    public let normalized: String

    public var description: String { normalized }

    public init?(_ text: String) {
        var scan = VersionScanner(Substring(text.trimmingSpaces().lowercased()))
        if scan.s.hasPrefix("v") { scan.s = scan.s.dropFirst() }
        guard let local = scan.local(), let epoch = scan.epoch(), let release = scan.release() else { return nil }
        let pre = scan.pre()
        let post = scan.post()
        let dev = scan.dev()
        guard scan.s.isEmpty else { return nil }
        var trimmed = release
        while trimmed.count > 1 && trimmed.last == 0 { trimmed.removeLast() }
        self.epoch = epoch
        self.release = trimmed
        self.pre = pre
        self.post = post
        self.dev = dev
        self.local = local
        var text = (epoch != 0 ? "\(epoch)!" : "") + release.map(String.init).joined(separator: ".")
        if let pre { text += ["a", "b", "rc"][pre.0] + "\(pre.1)" }
        if let post { text += ".post\(post)" }
        if let dev { text += ".dev\(dev)" }
        if !local.isEmpty { text += "+" + local.joined(separator: ".") }
        normalized = text
    }

    public static func == (a: Version, b: Version) -> Bool { a.sortKey == b.sortKey && a.local == b.local }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(sortKey)
        hasher.combine(local)
    }

    public static func < (a: Version, b: Version) -> Bool {
        if a.sortKey != b.sortKey { return a.sortKey.lexicographicallyPrecedes(b.sortKey) }
        return a.local.lexicographicallyPrecedes(b.local)
    }

    /// Epoch, release padded, then pre/post/dev ranks as PEP 440 orders them: dev releases
    /// before pre-releases before the final release before post-releases.
    private var sortKey: [Int] {
        var key = [epoch] + release + Array(repeating: 0, count: max(0, 8 - release.count))
        // A bare dev release (1.0.dev1) sorts before any pre-release of 1.0.
        if let pre { key += [pre.0, pre.1] } else if dev != nil && post == nil { key += [-1, 0] } else { key += [3, 0] }
        key += [post.map { $0 + 1 } ?? 0]
        key += [dev ?? Int.max]
        return key
    }

    /// Whether the release part without a local label equals another's (PEP 440 `==` with a
    /// local-less specifier ignores the candidate's local label).
    public func matchesPublic(_ other: Version) -> Bool { sortKey == other.sortKey }
}

/// Reads a version's parts in PEP 440's order, consuming the text as it goes; each part
/// returns nil where the text cannot be a version.
private struct VersionScanner {
    var s: Substring

    init(_ text: Substring) { s = text }

    /// `+local`, cut off the end first: its labels (empty when there is none).
    mutating func local() -> [String]? {
        guard let plus = s.firstIndex(of: "+") else { return [] }
        let local = s[s.index(after: plus)...].split(whereSeparator: { "._-".contains($0) }).map(String.init)
        guard !local.isEmpty, local.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber } && $0.allSatisfy(\.isASCII) }) else { return nil }
        s = s[..<plus]
        return local
    }

    /// `N!`, 0 when absent.
    mutating func epoch() -> Int? {
        guard let bang = s.firstIndex(of: "!") else { return 0 }
        var part = VersionScanner(s[..<bang])
        guard let value = part.number(), part.s.isEmpty else { return nil }
        s = s[s.index(after: bang)...]
        return value
    }

    /// `N(.N)*`.
    mutating func release() -> [Int]? {
        guard let first = number() else { return nil }
        var release = [first]
        while s.first == ".", s.dropFirst().first?.isNumber == true {
            s = s.dropFirst()
            // nil for a digit that is not ASCII or a part too large for Int: not a version.
            guard let part = number() else { return nil }
            release.append(part)
        }
        return release
    }

    /// `{a|b|rc}N` in any of PEP 440's spellings, as (kind, number).
    mutating func pre() -> (Int, Int)? {
        var probe = self
        probe.separator()
        for (spelling, kind) in [("alpha", 0), ("beta", 1), ("preview", 2), ("pre", 2), ("rc", 2), ("a", 0), ("b", 1), ("c", 2)]
        where probe.s.hasPrefix(spelling) {
            probe.s = probe.s.dropFirst(spelling.count)
            probe.separator()
            let pre = (kind, probe.number() ?? 0)
            self = probe
            return pre
        }
        return nil
    }

    /// `.postN`, `-N`, `revN`, `rN`.
    mutating func post() -> Int? {
        var probe = self
        if probe.s.first == "-", probe.s.dropFirst().first?.isNumber == true {
            probe.s = probe.s.dropFirst()
            let post = probe.number()
            self = probe
            return post
        }
        probe.separator()
        for spelling in ["post", "rev", "r"] where probe.s.hasPrefix(spelling) {
            probe.s = probe.s.dropFirst(spelling.count)
            probe.separator()
            let post = probe.number() ?? 0
            self = probe
            return post
        }
        return nil
    }

    /// `.devN`.
    mutating func dev() -> Int? {
        var probe = self
        probe.separator()
        guard probe.s.hasPrefix("dev") else { return nil }
        probe.s = probe.s.dropFirst(3)
        probe.separator()
        let dev = probe.number() ?? 0
        self = probe
        return dev
    }

    mutating func number() -> Int? {
        let digits = s.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int(digits) else { return nil }
        s = s.dropFirst(digits.count)
        return value
    }

    mutating func separator() {
        if let first = s.first, "._-".contains(first) { s = s.dropFirst() }
    }
}
