import Crypto
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelModel
import WheelSystem

/// What a remote keeps per cache key: the entry's manifest and the blob it points at.
public struct RemoteRecord: Codable, Sendable {
    public static let currentSchema = 1
    public var schema: Int
    public var key: String
    /// SHA-256 of the wheel: the blob's name.
    public var sha256: String
    public var size: Int64
    public var manifest: EntryManifest

    public init(manifest: EntryManifest) {
        schema = RemoteRecord.currentSchema
        key = manifest.key
        sha256 = manifest.sha256
        size = manifest.size
        self.manifest = manifest
    }
}

/// A shared cache in an object store or a plain HTTP server. Layout under the URL's prefix:
///
///     v1/blobs/sha256/HEX.whl    the wheel, content-addressed (written first)
///     v1/keys/KEY.json           the record: key → blob SHA-256 and the manifest
///
/// A record is uploaded only after its blob, so a record never points at nothing. Every
/// failure is a `RemoteError`: callers warn and build locally, never fail the job.
public struct RemoteCache: Sendable {
    public enum Kind: Sendable, Equatable {
        /// `http(s)://host/path/`: GET, HEAD, PUT (nginx WebDAV, bazel-remote, Artifactory).
        case http(base: String)
        /// `s3://bucket/prefix`: SigV4-signed requests to AWS or an S3-compatible endpoint.
        case s3(bucket: String, prefix: String, endpoint: String?, region: String)
    }

    public let kind: Kind
    public let writable: Bool
    let environment: [String: String]
    let client: HTTPClient
    /// The URL as given, credentials redacted, for messages.
    public let display: String
    /// How long a lookup (record and blob) may take in all: a remote that trickles is given
    /// up on after this, and the source built locally.
    public let lookupSeconds: Int
    /// The largest record read: one is a few KiB.
    static let maxRecordBytes: Int64 = 64 * 1024

    /// `url` is `s3://bucket/prefix` or `http(s)://…`; `endpoint` (or `AWS_ENDPOINT_URL`)
    /// points S3 requests at an S3-compatible server, path-style.
    public init(url: String, endpoint: String?, writable: Bool, environment: [String: String]) throws(RemoteError) {
        display = URLRedaction.redact(url)
        self.writable = writable
        self.environment = environment
        // Bounded: a remote that hangs costs at most this long per request (WHEELCACHE_REMOTE_TIMEOUT).
        let stall = environment["WHEELCACHE_REMOTE_TIMEOUT"].flatMap(Int.init).map { min(max(1, $0), 86_400) } ?? 20
        client = HTTPClient(connectTimeout: min(5, stall), stallTimeout: stall, retries: 0)
        lookupSeconds = 3 * stall
        let lower = url.lowercased()
        if lower.hasPrefix("s3://") {
            let rest = url.dropFirst(5)
            let bucket = String(rest.prefix { $0 != "/" })
            guard !bucket.isEmpty else { throw .configuration("\(display): s3:// URLs name a bucket: s3://BUCKET/PREFIX") }
            let prefix = rest.dropFirst(bucket.count).split(separator: "/").joined(separator: "/")
            let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
            let endpoint = endpoint ?? environment["AWS_ENDPOINT_URL_S3"] ?? environment["AWS_ENDPOINT_URL"]
            kind = .s3(bucket: bucket, prefix: prefix, endpoint: endpoint.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 },
                       region: region)
        } else if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            kind = .http(base: url.hasSuffix("/") ? url : url + "/")
        } else {
            throw .configuration("\(display): a remote is s3://BUCKET/PREFIX or http(s)://HOST/PATH/")
        }
    }

    static func recordPath(_ key: String) -> String { "v1/keys/\(key).json" }
    static func blobPath(_ sha256: String) -> String { "v1/blobs/sha256/\(sha256).whl" }

    /// The time left before `deadline`, in whole seconds; throws when it has passed.
    func remaining(_ deadline: Date?) throws(RemoteError) -> Int {
        guard let deadline else { return 0 }
        let left = deadline.timeIntervalSinceNow
        guard left > 0 else { throw .unreachable(remote: display, reason: "no answer within \(lookupSeconds) s (WHEELCACHE_REMOTE_TIMEOUT × 3)") }
        return max(1, Int(left.rounded(.up)))
    }

    /// The record for `key`, or nil when the remote has none; by `deadline` if given.
    public func record(for key: String, scratch: String, deadline: Date? = nil) throws(RemoteError) -> RemoteRecord? {
        let file = scratch + "/remote-record-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let response = try send("GET", Self.recordPath(key), body: file, maxBytes: Self.maxRecordBytes, timeout: try remaining(deadline))
        if response.status == 404 || response.status == 403 && isS3 { return nil }
        guard (200...299).contains(response.status) else { throw .status(remote: display, what: "key \(key.prefix(12))", code: response.status) }
        guard let data = FileManager.default.contents(atPath: file),
              let record = try? JSONDecoder().decode(RemoteRecord.self, from: data),
              record.schema == RemoteRecord.currentSchema, record.key == key, record.manifest.key == key,
              record.sha256.count == 64, record.sha256.allSatisfy(\.isHexDigit), !record.manifest.wheel.contains("/") else {
            throw .invalid(remote: display, what: "the record for key \(key.prefix(12)) is unreadable")
        }
        // Names that reach the terminal and the file system: a wheel's file name of the
        // project and version the record names, nothing else (no escapes, no paths).
        guard let file = try? WheelFileName(record.manifest.wheel), !record.manifest.wheel.hasPrefix("."),
              record.manifest.wheel.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              file.normalizedName == ProjectName.normalize(record.manifest.name), ProjectName.isValid(record.manifest.name),
              record.manifest.version.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), record.size >= 0 else {
            throw .invalid(remote: display, what: "the record for key \(key.prefix(12)) names no valid wheel")
        }
        return record
    }

    /// Downloads the blob a record points at to `path`, checking its size and SHA-256; by
    /// `deadline` if given. More bytes than the record's size are never written.
    public func blob(_ record: RemoteRecord, to path: String, deadline: Date? = nil) throws(RemoteError) {
        let response = try send("GET", Self.blobPath(record.sha256), body: path, maxBytes: max(1, record.size),
                                timeout: try remaining(deadline))
        guard (200...299).contains(response.status) else {
            try? FileManager.default.removeItem(atPath: path)
            throw .status(remote: display, what: "blob \(record.sha256.prefix(12))", code: response.status)
        }
        guard let digest = try? FileDigest.sha256(path), digest.hex == record.sha256, digest.size == record.size else {
            try? FileManager.default.removeItem(atPath: path)
            throw .invalid(remote: display, what: "the blob \(record.sha256.prefix(12)) does not match its SHA-256")
        }
    }

    /// Uploads a wheel and then its record (the blob is skipped when the remote has it).
    public func upload(wheel: String, manifest: EntryManifest, scratch: String) throws(RemoteError) {
        let blob = Self.blobPath(manifest.sha256)
        let head = try send("HEAD", blob, body: nil)
        if !(200...299).contains(head.status) {
            let put = try send("PUT", blob, body: wheel, contentType: "application/octet-stream", payloadHash: manifest.sha256)
            guard (200...299).contains(put.status) else { throw .status(remote: display, what: "uploading blob \(manifest.sha256.prefix(12))", code: put.status) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(RemoteRecord(manifest: manifest)) else {
            throw .invalid(remote: display, what: "cannot encode the record")
        }
        let file = scratch + "/remote-record-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        guard FileManager.default.createFile(atPath: file, contents: data) else { throw .invalid(remote: display, what: "cannot write \(file)") }
        let put = try send("PUT", Self.recordPath(manifest.key), body: file, contentType: "application/json",
                           payloadHash: SHA256.hash(data: data).hexString)
        guard (200...299).contains(put.status) else { throw .status(remote: display, what: "uploading record \(manifest.key.prefix(12))", code: put.status) }
    }

    /// Whether a record exists (for `plan`).
    public func hasRecord(_ key: String) throws(RemoteError) -> Bool {
        let response = try send("HEAD", Self.recordPath(key), body: nil)
        if response.status == 404 || response.status == 403 && isS3 { return false }
        guard (200...299).contains(response.status) else { throw .status(remote: display, what: "key \(key.prefix(12))", code: response.status) }
        return true
    }

    private var isS3: Bool { if case .s3 = kind { true } else { false } }

    /// One request with its authentication; 5xx answers are retried twice with backoff.
    private func send(_ method: String, _ path: String, body: String?, contentType: String? = nil,
                      payloadHash: String? = nil, maxBytes: Int64 = 0, timeout: Int = 0) throws(RemoteError) -> HTTPClient.Response {
        var attempt = 0
        while true {
            let response: HTTPClient.Response
            do {
                response = try sendOnce(method, path, body: body, contentType: contentType, payloadHash: payloadHash,
                                        maxBytes: maxBytes, timeout: timeout)
            } catch {
                if method == "GET", let body { try? FileManager.default.removeItem(atPath: body) }
                throw .unreachable(remote: display, reason: "\(error)")
            }
            if (500...599).contains(response.status) && attempt < 2 {
                attempt += 1
                usleep(UInt32(250_000 * (1 << attempt)))
                continue
            }
            return response
        }
    }

    private func sendOnce(_ method: String, _ path: String, body: String?, contentType: String?,
                          payloadHash: String?, maxBytes: Int64, timeout: Int) throws(FetchError) -> HTTPClient.Response {
        var headers: [String: String] = [:]
        if let contentType { headers["Content-Type"] = contentType }
        let url: String
        switch kind {
        case .http(let base):
            url = base + path
            if let token = environment["WHEELCACHE_REMOTE_TOKEN"], !token.isEmpty {
                headers["Authorization"] = "Bearer \(token)"
            } else if let user = environment["WHEELCACHE_REMOTE_USER"], !user.isEmpty {
                let password = environment["WHEELCACHE_REMOTE_PASSWORD"] ?? ""
                headers["Authorization"] = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
            }
            return try client.request(method, url, headers: headers, body: method == "HEAD" ? nil : body, netrc: headers["Authorization"] == nil,
                                      maxBytes: maxBytes, timeout: timeout)
        case .s3(let bucket, let prefix, let endpoint, let region):
            let key = (prefix.isEmpty ? "" : prefix + "/") + path
            let encodedKey = key.split(separator: "/").map { SigV4.encode(String($0)) }.joined(separator: "/")
            if let endpoint {
                url = "\(endpoint)/\(SigV4.encode(bucket))/\(encodedKey)"
            } else {
                url = "https://\(bucket).s3.\(region).amazonaws.com/\(encodedKey)"
            }
            if let credentials = AWSCredentials.from(environment) {
                let signed = SigV4.sign(method: method, url: url, headers: headers, payloadHash: payloadHash ?? SigV4.emptyPayload,
                                        region: region, credentials: credentials, date: Date())
                for (name, value) in signed { headers[name] = value }
            }
            return try client.request(method, url, headers: headers, body: method == "HEAD" ? nil : body,
                                      maxBytes: maxBytes, timeout: timeout)
        }
    }
}

/// Failures of the remote tier: each costs a warning and a local build, never the job.
public enum RemoteError: Error, Equatable, Sendable, CustomStringConvertible {
    case configuration(String)
    case unreachable(remote: String, reason: String)
    case status(remote: String, what: String, code: Int)
    case invalid(remote: String, what: String)

    public var description: String {
        switch self {
        case .configuration(let message): return message
        case .unreachable(let remote, let reason): return "remote cache \(remote) cannot be reached (\(reason))"
        case .status(let remote, let what, let code): return "remote cache \(remote): \(what) answered HTTP \(code)"
        case .invalid(let remote, let what): return "remote cache \(remote): \(what)"
        }
    }
}
