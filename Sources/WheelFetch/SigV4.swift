import Crypto
import FoundationEssentials
import WheelModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelSystem

/// AWS credentials, from the standard environment variables or the shared credentials file.
public struct AWSCredentials: Sendable, Equatable {
    public var accessKey: String
    public var secretKey: String
    public var sessionToken: String?

    public init(accessKey: String, secretKey: String, sessionToken: String? = nil) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
    }

    /// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, else the profile
    /// (`AWS_PROFILE`, default `default`) of `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`.
    public static func from(_ environment: [String: String]) -> AWSCredentials? {
        if let key = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"], !key.isEmpty {
            return AWSCredentials(accessKey: key, secretKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
        }
        let home = environment["HOME"] ?? (PathText.homeDirectory() ?? "")
        let file = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? home + "/.aws/credentials"
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let profile = environment["AWS_PROFILE"] ?? "default"
        var section: String?
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingSpaces()
            if line.hasPrefix("#") || line.hasPrefix(";") || line.isEmpty { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingSpaces()
                continue
            }
            guard section == profile, let eq = line.firstIndex(of: "=") else { continue }
            values[line[..<eq].trimmingSpaces().lowercased()] = line[line.index(after: eq)...].trimmingSpaces()
        }
        guard let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else { return nil }
        return AWSCredentials(accessKey: key, secretKey: secret, sessionToken: values["aws_session_token"])
    }
}

/// AWS Signature Version 4 for S3 requests (header-based), as botocore's `S3SigV4Auth` signs
/// them: the payload's SHA-256 in `x-amz-content-sha256`, every given header signed.
public enum SigV4 {
    /// The headers to add to a request: `Authorization`, `x-amz-date`, `x-amz-content-sha256`,
    /// and `x-amz-security-token` with a session token. `url` is the full request URL
    /// (path already percent-encoded as it will be sent); `headers` are the request's other
    /// headers (they are signed too).
    public static func sign(method: String, url: String, headers: [String: String], payloadHash: String,
                            region: String, service: String = "s3", credentials: AWSCredentials, date: Date) -> [String: String] {
        let amzDate = SigV4.amzDate(date)
        let day = String(amzDate.prefix(8))
        let components = URLComponents(string: url)
        let host = (components?.host ?? "") + (components?.port.map { ":\($0)" } ?? "")

        var signed: [String: String] = [:]
        for (name, value) in headers { signed[name.lowercased()] = value }
        signed["host"] = host
        signed["x-amz-date"] = amzDate
        signed["x-amz-content-sha256"] = payloadHash
        if let token = credentials.sessionToken { signed["x-amz-security-token"] = token }
        let names = signed.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(normalizeSpaces(signed[$0]!))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        let path = components?.percentEncodedPath ?? "/"
        let canonicalURI = path.isEmpty ? "/" : canonicalPath(path)
        var pairs: [(String, String)] = []
        for pair in (components?.percentEncodedQuery ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let key = encode(parts[0].percentDecoded ?? parts[0])
            let value: String = parts.count > 1 ? encode(parts[1].percentDecoded ?? parts[1]) : ""
            pairs.append((key, value))
        }
        pairs.sort { (a: (String, String), b: (String, String)) -> Bool in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        let canonicalQuery = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")

        let canonicalRequest = [method, canonicalURI, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope,
                            SHA256.hash(data: Data(canonicalRequest.utf8)).hexString].joined(separator: "\n")
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key)).hexString
        var out: [String: String] = [
            "Authorization": "AWS4-HMAC-SHA256 Credential=\(credentials.accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)",
            "x-amz-date": amzDate,
            "x-amz-content-sha256": payloadHash,
        ]
        if let token = credentials.sessionToken { out["x-amz-security-token"] = token }
        return out
    }

    private static func hexDigit(_ value: UInt8) -> String {
        String(UnicodeScalar(value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "A") + value - 10))
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC, whole seconds (as DateFormatter gave it).
    static func amzDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = String(parts.tm_year + 1900)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + two(parts.tm_mon + 1) + two(parts.tm_mday)
            + "T" + two(parts.tm_hour) + two(parts.tm_min) + two(parts.tm_sec) + "Z"
    }

    /// The payload hash of an empty body.
    public static let emptyPayload = SHA256.hash(data: Data()).hexString

    /// S3 paths are signed as sent: each segment percent-encoded once (RFC 3986 unreserved kept).
    static func canonicalPath(_ percentEncoded: String) -> String {
        percentEncoded.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            encode(String(segment).percentDecoded ?? String(segment))
        }.joined(separator: "/")
    }

    /// RFC 3986 encoding: everything but `A-Z a-z 0-9 - _ . ~`.
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += "%" + hexDigit(byte >> 4) + hexDigit(byte & 0x0f)
            }
        }
        return out
    }

    static func normalizeSpaces(_ value: String) -> String {
        value.trimmingSpaces().split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
