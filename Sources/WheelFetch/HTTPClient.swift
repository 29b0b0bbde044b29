import CCurl
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelModel
import WheelSystem

/// Blocking HTTP requests through libcurl, loaded on first use (`CCurl`): bounded connect and
/// stall timeouts, credentials from the URL sent as basic auth (never on a command line), and
/// a few retries with backoff on 5xx answers. The toolchain's URLSession would do, but linking
/// it loads libcurl and forty other libraries at every start, doubling the time of a cache hit.
public final class HTTPClient: @unchecked Sendable {
    public struct Response: Sendable {
        public var status: Int
        /// Header names lowercased.
        public var headers: [String: String]
        /// The final URL after redirects.
        public var url: String
    }

    let connectTimeout: Int
    let stallTimeout: Int
    let retries: Int

    public init(connectTimeout: Int = 10, stallTimeout: Int = 30, retries: Int = 2) {
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.retries = retries
    }

    /// GETs `url`; a 2xx body is written to `destination`, other bodies are dropped.
    public func get(_ url: String, headers: [String: String] = [:], to destination: String,
                    maxBytes: Int64 = 0) throws(FetchError) -> Response {
        var attempt = 0
        while true {
            let response = try request("GET", url, headers: headers, body: destination, maxBytes: maxBytes)
            if !(200...299).contains(response.status) { try? FileManager.default.removeItem(atPath: destination) }
            if (500...599).contains(response.status) && attempt < retries {
                attempt += 1
                usleep(UInt32(200_000 * (1 << attempt)))
                continue
            }
            return response
        }
    }

    /// One request: GET (body into `body`), HEAD, or PUT (body from `body`). `maxBytes`: a
    /// larger body fails the request, whatever the server announced; `timeout`: seconds for
    /// the whole request (0: only the stall bound).
    public func request(_ method: String, _ text: String, headers: [String: String] = [:], body: String? = nil,
                        netrc: Bool = false, maxBytes: Int64 = 0, timeout: Int = 0) throws(FetchError) -> Response {
        guard var components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else {
            throw .badURL(URLRedaction.redact(text))
        }
        var userpwd: String?
        if let user = components.percentEncodedUser {
            let password = components.percentEncodedPassword ?? ""
            userpwd = "\(user.percentDecoded ?? user):\(password.percentDecoded ?? password)"
            components.user = nil
            components.password = nil
        }
        components.fragment = nil
        guard let url = components.string else { throw .badURL(URLRedaction.redact(text)) }
        let lines = headers.map { "\($0.key): \($0.value)" }
        var response = wc_response()
        let status: Int32 = withCStrings(lines) { pointers in
            var request = wc_request()
            return method.withCString { methodPointer in
                url.withCString { urlPointer in
                    withOptionalCString(userpwd) { userPointer in
                        withOptionalCString(body) { bodyPointer in
                            pointers.withUnsafeBufferPointer { buffer in
                                request.method = methodPointer
                                request.url = urlPointer
                                request.headers = buffer.baseAddress
                                request.header_count = Int32(lines.count)
                                request.userpwd = userPointer
                                request.body_path = bodyPointer
                                request.connect_timeout = connectTimeout
                                request.low_speed_time = stallTimeout
                                request.use_netrc = netrc ? 1 : 0
                                request.max_bytes = maxBytes
                                request.timeout = timeout
                                return wc_http(&request, &response)
                            }
                        }
                    }
                }
            }
        }
        defer {
            wc_free(response.headers)
            wc_free(response.effective_url)
        }
        guard status == 0 else {
            let reason = withUnsafeBytes(of: response.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw .unreachable(url: URLRedaction.redact(text), reason: URLRedaction.redact(reason))
        }
        var fields: [String: String] = [:]
        for line in String(cString: response.headers).split(whereSeparator: \.isNewline).dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces()
        }
        return Response(status: Int(response.status), headers: fields, url: String(cString: response.effective_url))
    }
}

/// Runs `body` with C strings for `strings` that live until it returns.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) })
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}

/// Failures of downloads and indexes.
public enum FetchError: Error, Equatable, Sendable, CustomStringConvertible {
    case badURL(String)
    case unreachable(url: String, reason: String)
    case status(url: String, code: Int)
    case hashMismatch(url: String, expected: [String], actual: String)
    /// Matches none of its hashes of any algorithm (`ALGORITHM:HEX`).
    case digestMismatch(url: String, expected: [String])
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .badURL(let url):
            return "'\(url)' is not an http(s) or file URL"
        case .unreachable(let url, let reason):
            return "cannot reach \(url) (\(reason)); check the URL and the network"
        case .status(let url, let code):
            return "\(url) answered HTTP \(code)"
        case .hashMismatch(let url, let expected, let actual):
            return "\(url) has SHA-256 \(actual), which is not the expected \(expected.joined(separator: " or ")); the file changed or the hash is wrong"
        case .digestMismatch(let url, let expected):
            return "\(url) matches none of its hashes (\(expected.joined(separator: ", "))); the file changed or a hash is wrong"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
