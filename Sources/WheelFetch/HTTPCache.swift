import FoundationEssentials
import WheelModel
#if canImport(Glibc)
import Glibc
#endif
import WheelSystem

/// Downloads through the cache's HTTP bucket, as pip's HTTP cache does: a response is kept
/// with its validators; while `Cache-Control: max-age` says it is fresh it is used without
/// asking; after that it is revalidated with `If-None-Match`/`If-Modified-Since` and its body
/// reused on 304. `no-store` responses are never kept. `file://` URLs are read directly.
public struct HTTPCache: Sendable {
    /// The HTTP bucket, or nil for no caching.
    let folder: String?
    let client: HTTPClient

    public init(folder: String?, client: HTTPClient) {
        self.folder = folder
        self.client = client
    }

    /// How a fetch was served.
    public enum Origin: String, Sendable {
        /// Downloaded (200).
        case network
        /// Fresh in the cache; no request made.
        case cache
        /// Revalidated: the server answered 304 and the cached body was used.
        case revalidated
        /// A local file (file://).
        case file
    }

    public struct Fetched: Sendable {
        public var path: String
        public var origin: Origin
        public var contentType: String?
        /// The URL the body came from (after redirects), for resolving relative links.
        public var url: String
    }

    /// What is kept beside a cached body.
    struct Meta: Codable {
        var url: String
        var etag: String?
        var lastModified: String?
        var contentType: String?
        var storedAt: Double
        var maxAge: Double?
        var noCache: Bool
        var finalURL: String?

        enum CodingKeys: String, CodingKey {
            case url, etag
            case lastModified = "last_modified"
            case contentType = "content_type"
            case storedAt = "stored_at"
            case maxAge = "max_age"
            case noCache = "no_cache"
            case finalURL = "final_url"
        }
    }

    /// The path of the body cached for `url`, if any (no request is made; it may be stale).
    public func cachedBody(_ url: String, accept: String? = nil) -> String? {
        guard let entry = entryFolder(HTTPCache.responseID(HTTPCache.clean(url), accept: accept)) else { return nil }
        let body = entry + "/body"
        return FileTree.kind(body) == .file ? body : nil
    }

    /// A URL without credentials and fragment: what a response is kept under.
    static func clean(_ url: String) -> String {
        URLRedaction.strip(url).components(separatedBy: "#")[0]
    }

    /// One entry per clean URL and per Accept (a JSON and an HTML index page differ).
    static func responseID(_ clean: String, accept: String?) -> String {
        CacheKey.plainDigest((accept ?? "") + " " + clean)
    }

    /// The folder of the entry `id` (fanned out by its first two characters); nil without a cache.
    private func entryFolder(_ id: String) -> String? {
        folder.map { $0 + "/" + id.prefix(2) + "/" + id }
    }

    /// Fetches `url` into `destination` (a new file the caller owns).
    public func fetch(_ url: String, accept: String? = nil, to destination: String, now: Date = Date()) throws(FetchError) -> Fetched {
        if url.lowercased().hasPrefix("file://") {
            guard let path = URL(string: url.components(separatedBy: "#")[0])?.path, FileTree.kind(path) == .file else {
                throw .unreachable(url: URLRedaction.redact(url), reason: "no such file")
            }
            do { try FileManager.default.copyItem(atPath: path, toPath: destination) } catch {
                throw .io(path: destination, reason: ErrorText.describe(error))
            }
            return Fetched(path: destination, origin: .file, contentType: nil, url: url)
        }
        let clean = HTTPCache.clean(url)
        let entry = entryFolder(HTTPCache.responseID(clean, accept: accept))
        var meta: Meta?
        if let entry, let data = FileManager.default.contents(atPath: entry + "/meta.json") {
            meta = try? JSONDecoder().decode(Meta.self, from: data)
        }
        if let entry, let meta, !meta.noCache, let maxAge = meta.maxAge, now.timeIntervalSince1970 - meta.storedAt < maxAge,
           HTTPCache.linkOrCopy(entry + "/body", destination) {
            return Fetched(path: destination, origin: .cache, contentType: meta.contentType, url: meta.finalURL ?? clean)
        }
        var headers: [String: String] = [:]
        if let accept { headers["Accept"] = accept }
        if let meta, let entry, FileTree.kind(entry + "/body") == .file {
            if let etag = meta.etag { headers["If-None-Match"] = etag }
            if let lastModified = meta.lastModified { headers["If-Modified-Since"] = lastModified }
        }
        let response = try client.get(url, headers: headers, to: destination)
        if response.status == 304, let entry, var meta {
            guard HTTPCache.linkOrCopy(entry + "/body", destination) else {
                throw .io(path: entry, reason: "the cached body vanished")
            }
            meta.storedAt = now.timeIntervalSince1970
            let control = HTTPCache.cacheControl(response.headers["cache-control"])
            if let maxAge = control.maxAge { meta.maxAge = maxAge }
            store(meta, body: nil, at: entry)
            return Fetched(path: destination, origin: .revalidated, contentType: meta.contentType, url: meta.finalURL ?? clean)
        }
        guard (200...299).contains(response.status) else {
            try? FileManager.default.removeItem(atPath: destination)
            throw .status(url: URLRedaction.redact(url), code: response.status)
        }
        let control = HTTPCache.cacheControl(response.headers["cache-control"])
        if let entry, !control.noStore, response.headers["etag"] != nil || response.headers["last-modified"] != nil || control.maxAge != nil {
            // No query kept: it may carry a token (the entry's name is a hash of the whole URL).
            let fresh = Meta(url: URLRedaction.storable(clean), etag: response.headers["etag"], lastModified: response.headers["last-modified"],
                             contentType: response.headers["content-type"], storedAt: now.timeIntervalSince1970,
                             maxAge: control.maxAge, noCache: control.noCache, finalURL: URLRedaction.storable(response.url))
            store(fresh, body: destination, at: entry)
        }
        return Fetched(path: destination, origin: .network, contentType: response.headers["content-type"],
                       url: URLRedaction.strip(response.url))
    }

    // MARK: Notes

    /// Facts derived from a download and kept beside the responses, under a key of the
    /// caller's (a wheel's metadata by its SHA-256), so the download need not be read again.
    /// Each note is an entry like a response's: counted, and pruned least recently used
    /// first. Reading one marks it used.
    public func note(_ key: String) -> Data? {
        guard let entry = entryFolder(HTTPCache.noteID(key)), let data = FileManager.default.contents(atPath: entry + "/body") else { return nil }
        utimensat(AT_FDCWD, entry + "/meta.json", nil, 0)
        return data
    }

    /// Keeps `data` as the note for `key` (best effort: without a cache folder, nothing).
    public func keepNote(_ data: Data, for key: String) {
        guard let entry = entryFolder(HTTPCache.noteID(key)) else { return }
        let body = PathText.parent(entry) + "/.note-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: PathText.parent(entry), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: body) }
        guard FileManager.default.createFile(atPath: body, contents: data) else { return }
        store(Meta(url: "note:" + key, storedAt: Date().timeIntervalSince1970, noCache: true), body: body, at: entry)
    }

    static func noteID(_ key: String) -> String {
        CacheKey.plainDigest("note " + key)
    }

    /// Writes an entry by staging it beside the final folder and renaming it into place, so
    /// readers see the old entry or the new one, never half of one. Best effort.
    private func store(_ meta: Meta, body: String?, at entry: String) {
        let parent = PathText.parent(entry)
        try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let staging = entry + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { FileTree.remove(staging) }
        guard mkdir(staging, 0o755) == 0 else { return }
        let bodySource = body ?? entry + "/body"
        guard HTTPCache.linkOrCopy(bodySource, staging + "/body"),
              let data = try? JSONEncoder().encode(meta),
              FileManager.default.createFile(atPath: staging + "/meta.json", contents: data) else { return }
        let old = entry + ".old-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let replaced = rename(entry, old) == 0
        _ = rename(staging, entry)
        if replaced { FileTree.remove(old) }
    }

    /// A hard link (bodies are never written in place, so sharing the inode is safe), else a copy.
    static func linkOrCopy(_ source: String, _ target: String) -> Bool {
        link(source, target) == 0 || (try? FileManager.default.copyItem(atPath: source, toPath: target)) != nil
    }

    /// The parts of `Cache-Control` that matter here.
    static func cacheControl(_ header: String?) -> (maxAge: Double?, noCache: Bool, noStore: Bool) {
        var maxAge: Double?
        var noCache = false, noStore = false
        for part in (header ?? "").lowercased().split(separator: ",") {
            let item = part.trimmingSpaces()
            if item == "no-cache" { noCache = true }
            if item == "no-store" { noStore = true }
            if item.hasPrefix("max-age="), let value = Double(item.dropFirst(8)) { maxAge = value }
        }
        return (maxAge, noCache, noStore)
    }
}
