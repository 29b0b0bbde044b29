import WheelSystem

/// Sizes as people write them: `500M`, `5G`, `1.5GiB`, `800k`, or bytes. K, M, G, T are
/// powers of 1000 and Ki, Mi, Gi, Ti powers of 1024, as in ccache; a trailing B is allowed.
public enum ByteSize {
    public static func parse(_ text: String) -> Int64? {
        var body = text.trimmingSpaces().lowercased()
        if body.hasSuffix("b") { body.removeLast() }
        var multiplier: Double = 1
        let units: [(String, Double)] = [("ki", 1024), ("mi", 1_048_576), ("gi", 1_073_741_824), ("ti", 1_099_511_627_776),
                                         ("k", 1e3), ("m", 1e6), ("g", 1e9), ("t", 1e12)]
        for (suffix, value) in units where body.hasSuffix(suffix) {
            multiplier = value
            body.removeLast(suffix.count)
            break
        }
        guard let number = Double(body), number >= 0, number.isFinite else { return nil }
        // Beyond what Int64 holds is "no limit" in practice: saturate, never trap.
        let bytes = number * multiplier
        return bytes >= Double(Int64.max) ? Int64.max : Int64(bytes)
    }

    /// `1.2 MB`, as pip prints sizes (powers of 1000).
    public static func format(_ bytes: Int64) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : value.fixed(1) + " " + units[unit]
    }
}
