import FoundationEssentials
import WheelModel

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
    static func parseHTML(_ text: String, pageURL: String) -> [IndexFile] {
        var files: [IndexFile] = []
        var rest = Substring(text)
        while let open = rest.firstRange(ofCaseInsensitive: "<a ") {
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">"),
                  let close = rest[tagEnd...].firstRange(ofCaseInsensitive: "</a>") else { break }
            let attributes = String(rest[open.upperBound..<tagEnd])
            let label = decodeEntities(String(rest[rest.index(after: tagEnd)..<close.lowerBound])).trimmingSpaces()
            rest = rest[close.upperBound...]
            guard let href = attribute("href", in: attributes).map(decodeEntities) else { continue }
            var url = href
            var sha256: String?
            if let hash = href.firstIndex(of: "#") {
                url = String(href[..<hash])
                let fragment = href[href.index(after: hash)...]
                if fragment.hasPrefix("sha256=") { sha256 = String(fragment.dropFirst(7)).lowercased() }
            }
            let filename = label.isEmpty ? PathText.lastComponent(url) : label
            files.append(IndexFile(filename: filename, url: resolve(url, against: pageURL), sha256: sha256,
                                   requiresPython: attribute("data-requires-python", in: attributes).map(decodeEntities),
                                   yanked: attribute("data-yanked", in: attributes) != nil))
        }
        return files
    }

    static func attribute(_ name: String, in attributes: String) -> String? {
        guard let start = attributes.firstRange(ofCaseInsensitive: name + "=") else {
            // A bare attribute (`data-yanked`) has no value.
            return attributes.firstRange(ofCaseInsensitive: " " + name) != nil || attributes.hasPrefix(name) ? "" : nil
        }
        let after = attributes[start.upperBound...]
        guard let quote = after.first else { return nil }
        if quote == "\"" || quote == "'" {
            let body = after.dropFirst()
            guard let end = body.firstIndex(of: quote) else { return nil }
            return String(body[..<end])
        }
        return String(after.prefix { !$0.isWhitespace })
    }

    static func decodeEntities(_ text: String) -> String {
        text.replacing("&lt;", with: "<").replacing("&gt;", with: ">")
            .replacing("&quot;", with: "\"").replacing("&#x27;", with: "'")
            .replacing("&#39;", with: "'").replacing("&amp;", with: "&")
    }

    static func resolve(_ href: String, against page: String) -> String {
        guard let base = URL(string: page), let url = URL(string: href, relativeTo: base) else { return href }
        return url.absoluteURL.absoluteString
    }
}
