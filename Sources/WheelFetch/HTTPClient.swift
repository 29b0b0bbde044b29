import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import WheelModel

/// A blocking HTTP GET that streams the body into a file: the toolchain's URLSession, with
/// bounded connect and idle timeouts, no cache of its own (ours is `HTTPCache`), credentials
/// from the URL sent as basic auth, and a few retries with backoff on 5xx answers.
public final class HTTPClient: @unchecked Sendable {
    public struct Response: Sendable {
        public var status: Int
        /// Header names lowercased.
        public var headers: [String: String]
        /// The final URL after redirects.
        public var url: String
    }

    let session: URLSession
    let retries: Int

    public init(idleTimeout: TimeInterval = 30, totalTimeout: TimeInterval = 600, retries: Int = 2) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = idleTimeout
        configuration.timeoutIntervalForResource = totalTimeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpAdditionalHeaders = ["User-Agent": "wheelcache"]
        session = URLSession(configuration: configuration)
        self.retries = retries
    }

    /// GETs `url`; a 2xx body is written to `destination`, other bodies are dropped.
    public func get(_ url: String, headers: [String: String] = [:], to destination: String) throws(FetchError) -> Response {
        var attempt = 0
        while true {
            let response = try once(url, headers: headers, to: destination)
            if (500...599).contains(response.status) && attempt < retries {
                attempt += 1
                Thread.sleep(forTimeInterval: 0.2 * Double(1 << attempt))
                continue
            }
            return response
        }
    }

    private func once(_ text: String, headers: [String: String], to destination: String) throws(FetchError) -> Response {
        guard var components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else {
            throw .badURL(URLRedaction.redact(text))
        }
        var authorization: String?
        if let user = components.user {
            let password = components.password ?? ""
            authorization = "Basic " + Data("\(user.removingPercentEncoding ?? user):\(password.removingPercentEncoding ?? password)".utf8).base64EncodedString()
            components.user = nil
            components.password = nil
        }
        components.fragment = nil
        guard let url = components.url else { throw .badURL(URLRedaction.redact(text)) }
        var request = URLRequest(url: url)
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }

        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<Response, FetchError> = .failure(.unreachable(url: URLRedaction.redact(text), reason: "no answer"))
        let task = session.downloadTask(with: request) { file, response, error in
            defer { done.signal() }
            if let error {
                outcome = .failure(.unreachable(url: URLRedaction.redact(text), reason: URLRedaction.redact(error.localizedDescription)))
                return
            }
            guard let http = response as? HTTPURLResponse else {
                outcome = .failure(.unreachable(url: URLRedaction.redact(text), reason: "not an HTTP answer"))
                return
            }
            var fields: [String: String] = [:]
            for (key, value) in http.allHeaderFields {
                if let key = key as? String, let value = value as? String { fields[key.lowercased()] = value }
            }
            if (200...299).contains(http.statusCode), let file {
                try? FileManager.default.removeItem(atPath: destination)
                do { try FileManager.default.moveItem(at: file, to: URL(fileURLWithPath: destination)) } catch {
                    outcome = .failure(.io(path: destination, reason: error.localizedDescription))
                    return
                }
            }
            outcome = .success(Response(status: http.statusCode, headers: fields, url: http.url?.absoluteString ?? text))
        }
        task.resume()
        done.wait()
        return try outcome.get()
    }
}

/// Failures of downloads and indexes.
public enum FetchError: Error, Equatable, Sendable, CustomStringConvertible {
    case badURL(String)
    case unreachable(url: String, reason: String)
    case status(url: String, code: Int)
    case hashMismatch(url: String, expected: [String], actual: String)
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
        case .io(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
