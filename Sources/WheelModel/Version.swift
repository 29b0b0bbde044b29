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
        var s = Substring(text.trimmingSpaces().lowercased())
        if s.hasPrefix("v") { s = s.dropFirst() }
        var local: [String] = []
        if let plus = s.firstIndex(of: "+") {
            local = s[s.index(after: plus)...].split(whereSeparator: { "._-".contains($0) }).map(String.init)
            guard !local.isEmpty, local.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber } && $0.allSatisfy(\.isASCII) }) else { return nil }
            s = s[..<plus]
        }
        func number(_ from: inout Substring) -> Int? {
            let digits = from.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let value = Int(digits) else { return nil }
            from = from.dropFirst(digits.count)
            return value
        }
        func separator(_ from: inout Substring) {
            if let first = from.first, "._-".contains(first) { from = from.dropFirst() }
        }
        var epoch = 0
        if let bang = s.firstIndex(of: "!") {
            var e = s[..<bang]
            guard let value = number(&e), e.isEmpty else { return nil }
            epoch = value
            s = s[s.index(after: bang)...]
        }
        var release: [Int] = []
        guard let first = number(&s) else { return nil }
        release.append(first)
        while s.first == ".", s.dropFirst().first?.isNumber == true {
            s = s.dropFirst()
            // nil for a digit that is not ASCII or a part too large for Int: not a version.
            guard let part = number(&s) else { return nil }
            release.append(part)
        }
        var pre: (Int, Int)?
        var probe = s
        separator(&probe)
        for (spelling, kind) in [("alpha", 0), ("beta", 1), ("preview", 2), ("pre", 2), ("rc", 2), ("a", 0), ("b", 1), ("c", 2)]
        where probe.hasPrefix(spelling) {
            probe = probe.dropFirst(spelling.count)
            separator(&probe)
            pre = (kind, number(&probe) ?? 0)
            s = probe
            break
        }
        var post: Int?
        probe = s
        if probe.first == "-", probe.dropFirst().first?.isNumber == true {
            probe = probe.dropFirst()
            post = number(&probe)
            s = probe
        } else {
            separator(&probe)
            for spelling in ["post", "rev", "r"] where probe.hasPrefix(spelling) {
                probe = probe.dropFirst(spelling.count)
                separator(&probe)
                post = number(&probe) ?? 0
                s = probe
                break
            }
        }
        var dev: Int?
        probe = s
        separator(&probe)
        if probe.hasPrefix("dev") {
            probe = probe.dropFirst(3)
            separator(&probe)
            dev = number(&probe) ?? 0
            s = probe
        }
        guard s.isEmpty else { return nil }
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
