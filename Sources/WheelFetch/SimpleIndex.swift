import FoundationEssentials
import WheelModel
import WheelSystem

/// A file a package index offers for a project.
public struct IndexFile: Equatable, Sendable {
    public var filename: String
    /// Absolute URL (relative links resolved against the page).
    public var url: String
    public var sha256: String?
    public var requiresPython: String?
    public var yanked: Bool

    public init(filename: String, url: String, sha256: String?, requiresPython: String? = nil, yanked: Bool = false) {
        self.filename = filename
        self.url = url
        self.sha256 = sha256
        self.requiresPython = requiresPython
        self.yanked = yanked
    }

    /// The project and version a file name carries: a wheel's (PEP 427) or an sdist's
    /// (`name-version.tar.gz` / `.zip`, PEP 625).
    public var nameAndVersion: (name: String, version: String)? {
        if filename.hasSuffix(".whl") {
            guard let wheel = try? WheelFileName(filename) else { return nil }
            return (ProjectName.normalize(wheel.distribution), wheel.version)
        }
        return SdistFileName.nameAndVersion(filename)
    }
}

/// A PEP 503/691 simple index, read through the HTTP cache: JSON when the server offers it
/// (PEP 691), else the HTML page (PEP 503).
public struct SimpleIndex: Sendable {
    let cache: HTTPCache

    public init(cache: HTTPCache) {
        self.cache = cache
    }

    static let accept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"

    /// The files `index` lists for `project`. A project the index does not know is an empty list.
    public func files(project: String, index: String, scratch: String) throws(FetchError) -> [IndexFile] {
        let base = index.hasSuffix("/") ? index : index + "/"
        let pageURL = base + ProjectName.normalize(project) + "/"
        let page = scratch + "/index-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: page) }
        let fetched: HTTPCache.Fetched
        do {
            fetched = try cache.fetch(pageURL, accept: SimpleIndex.accept, to: page)
        } catch let error {
            if case .status(_, 404) = error { return [] }
            throw error
        }
        guard let data = FileManager.default.contents(atPath: page) else { throw .io(path: page, reason: "unreadable") }
        let files = fetched.contentType?.contains("json") == true
            ? try SimpleIndex.parseJSON(data, pageURL: fetched.url)
            : SimpleIndex.parseHTML(String(decoding: data, as: UTF8.self), pageURL: fetched.url)
        // As pip does, an index's credentials also go to its files on the same host.
        return files.map { file in
            var file = file
            file.url = SimpleIndex.carryCredentials(from: index, to: file.url)
            return file
        }
    }

    /// `url` with the user information of `index` when both are on the same scheme, host and port.
    static func carryCredentials(from index: String, to url: String) -> String {
        guard let source = URLComponents(string: index), source.percentEncodedUser != nil,
              var target = URLComponents(string: url), target.percentEncodedUser == nil,
              source.scheme?.lowercased() == target.scheme?.lowercased(), source.host?.lowercased() == target.host?.lowercased(),
              source.port == target.port else { return url }
        target.percentEncodedUser = source.percentEncodedUser
        target.percentEncodedPassword = source.percentEncodedPassword
        return target.string ?? url
    }

    static func parseJSON(_ data: Data, pageURL: String) throws(FetchError) -> [IndexFile] {
        guard let object = JSONValue.parse(data), object.object != nil, let files = object["files"]?.array,
              files.allSatisfy({ $0.object != nil }) else {
            throw .unreachable(url: URLRedaction.redact(pageURL), reason: "the index page is not PEP 691 JSON")
        }
        return files.compactMap { file in
            guard let name = file["filename"]?.string, let url = file["url"]?.string else { return nil }
            let yanked = file["yanked"]?.bool ?? (file["yanked"]?.string != nil)
            return IndexFile(filename: name, url: resolve(url, against: pageURL),
                             sha256: file["hashes"]?.stringObject?["sha256"]?.lowercased(),
                             requiresPython: file["requires-python"]?.string, yanked: yanked)
        }
    }

    /// The anchors of a PEP 503 page: href (with `#sha256=`), `data-requires-python`, `data-yanked`.
    /// Read over the bytes in one pass (PyPI's page for setuptools has 1,500 links); a quoted
    /// attribute value may hold `>`.
    static func parseHTML(_ text: String, pageURL: String) -> [IndexFile] {
        let bytes = Array(text.utf8)
        var files: [IndexFile] = []
        var at = 0
        while let open = find("<a", in: bytes, from: at) {
            at = open + 2
            guard at < bytes.count, isSpace(bytes[at]) else { continue }
            let (attributes, tagEnd) = readAttributes(bytes, from: at)
            guard tagEnd < bytes.count, let close = find("</a>", in: bytes, from: tagEnd + 1) else { break }
            let label = decodeEntities(String(decoding: bytes[(tagEnd + 1)..<close], as: UTF8.self)).trimmingSpaces()
            at = close + 4
            guard let href = attributes["href"].map(decodeEntities) else { continue }
            var url = href
            var sha256: String?
            if let hash = href.firstIndex(of: "#") {
                url = String(href[..<hash])
                let fragment = href[href.index(after: hash)...]
                if fragment.hasPrefix("sha256=") { sha256 = String(fragment.dropFirst(7)).lowercased() }
            }
            let filename = label.isEmpty ? PathText.lastComponent(url) : label
            files.append(IndexFile(filename: filename, url: resolve(url, against: pageURL), sha256: sha256,
                                   requiresPython: attributes["data-requires-python"].map(decodeEntities),
                                   yanked: attributes["data-yanked"] != nil))
        }
        return files
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
    }

    /// Where `needle` (lowercase ASCII) next starts in `bytes`, ignoring ASCII case.
    private static func find(_ needle: StaticString, in bytes: [UInt8], from start: Int) -> Int? {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard start + pattern.count <= bytes.count else { return nil }
        outer: for index in start...(bytes.count - pattern.count) {
            for offset in 0..<pattern.count where lower(bytes[index + offset]) != pattern[offset] { continue outer }
            return index
        }
        return nil
    }

    /// A tag's attributes from `start` up to its `>` (names lowercased; a bare one has the
    /// value ""), and the index of that `>` (`bytes.count` when there is none).
    private static func readAttributes(_ bytes: [UInt8], from start: Int) -> ([String: String], Int) {
        var attributes: [String: String] = [:]
        var at = start
        while at < bytes.count {
            while at < bytes.count, isSpace(bytes[at]) || bytes[at] == UInt8(ascii: "/") { at += 1 }
            guard at < bytes.count, bytes[at] != UInt8(ascii: ">") else { break }
            let nameStart = at
            while at < bytes.count, !isSpace(bytes[at]), bytes[at] != UInt8(ascii: "="), bytes[at] != UInt8(ascii: ">") { at += 1 }
            let name = String(decoding: bytes[nameStart..<at].map(lower), as: UTF8.self)
            while at < bytes.count, isSpace(bytes[at]) { at += 1 }
            guard at < bytes.count, bytes[at] == UInt8(ascii: "=") else {
                if attributes[name] == nil { attributes[name] = "" }
                continue
            }
            at += 1
            while at < bytes.count, isSpace(bytes[at]) { at += 1 }
            let valueStart: Int
            let valueEnd: Int
            if at < bytes.count, bytes[at] == UInt8(ascii: "\"") || bytes[at] == UInt8(ascii: "'") {
                let quote = bytes[at]
                valueStart = at + 1
                at = valueStart
                while at < bytes.count, bytes[at] != quote { at += 1 }
                valueEnd = at
                if at < bytes.count { at += 1 }
            } else {
                valueStart = at
                while at < bytes.count, !isSpace(bytes[at]), bytes[at] != UInt8(ascii: ">") { at += 1 }
                valueEnd = at
            }
            if attributes[name] == nil { attributes[name] = String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self) }
        }
        return (attributes, at)
    }

    static let entities: [(String, String)] = [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#x27;", "'"), ("&#39;", "'"),
                                               ("&amp;", "&")]

    /// The entities index pages use, decoded in one pass (an index page has thousands of
    /// links, nearly all without any).
    static func decodeEntities(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            rest = rest[amp...]
            if let (entity, character) = entities.first(where: { rest.hasPrefix($0.0) }) {
                result += character
                rest = rest.dropFirst(entity.count)
            } else {
                result += "&"
                rest = rest.dropFirst()
            }
        }
        return result + rest
    }

    static func resolve(_ href: String, against page: String) -> String {
        guard let base = URL(string: page), let url = URL(string: href, relativeTo: base) else { return href }
        return url.absoluteURL.absoluteString
    }
}
