import FoundationEssentials
import WheelModel
import WheelSystem

/// The file name at the end of a URL's path.
enum URLFileName {
    static func of(_ url: String) -> String {
        let withoutFragment = url.components(separatedBy: "#")[0].components(separatedBy: "?")[0]
        return PathText.lastComponent(withoutFragment).percentDecoded ?? PathText.lastComponent(withoutFragment)
    }

    /// A name that is safe to create in a folder: no separators, no `..`, no NUL. A URL (or
    /// an index link) whose name is not is refused, so a download can never land elsewhere.
    static func safe(_ name: String, from url: String) throws -> String {
        guard !name.isEmpty, name != ".", name != "..", !name.hasPrefix("."), !name.contains("/"), !name.contains("\0"),
              !name.contains("\\") else {
            throw PipelineError.unsupportedSource(URLRedaction.redact(url), "its file name '\(name)' is not a plain file name")
        }
        return name
    }
}
