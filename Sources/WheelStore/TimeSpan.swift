import FoundationEssentials
import WheelSystem

/// Durations as people write them: `30d`, `12h`, `90m`, `45s`, `2w`.
public enum TimeSpan {
    public static func parse(_ text: String) -> TimeInterval? {
        let body = text.trimmingSpaces().lowercased()
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]
        guard let last = body.last, let unit = units[last], let number = Double(body.dropLast()), number >= 0,
              number.isFinite else {
            return nil
        }
        // Longer than a million years is as good as forever, and stays a finite number.
        return min(number * unit, 3.2e13)
    }
}
