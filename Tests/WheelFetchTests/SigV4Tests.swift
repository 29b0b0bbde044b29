import Crypto
import Foundation
import Testing
import TestSupport
@testable import WheelFetch

@Suite("SigV4 signing matches botocore's S3 signer")
struct SigV4Tests {
    struct Case: Codable {
        var method: String
        var url: String
        var headers: [String: String]
        var body: String
        var region: String
        var access_key: String
        var secret_key: String
        var token: String?
        var timestamp: String
    }

    static let cases: [Case] = [
        // Path style, as for S3-compatible servers with a custom endpoint.
        Case(method: "GET", url: "http://127.0.0.1:9000/bucket/prefix/keys/abc.json", headers: [:], body: "",
             region: "us-east-1", access_key: "AKIDEXAMPLE", secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token: nil,
             timestamp: "20260102T030405Z"),
        // Virtual-host style, unicode and spaces in the key, a session token, a payload.
        Case(method: "PUT", url: "https://bucket.s3.eu-west-1.amazonaws.com/a%20b/%E2%9C%93.whl", headers: ["Content-Type": "application/octet-stream"],
             body: "wheel bytes", region: "eu-west-1", access_key: "AKID", secret_key: "secret", token: "SESSION+TOKEN/=",
             timestamp: "20261121T235959Z"),
        // Query strings: unsorted, encoded, an empty value.
        Case(method: "GET", url: "https://bucket.s3.amazonaws.com/?prefix=a%2Fb&list-type=2&delimiter=%2F&uploads=", headers: [:], body: "",
             region: "us-east-1", access_key: "AK", secret_key: "SK", token: nil, timestamp: "20250615T120000Z"),
        Case(method: "HEAD", url: "http://minio.local:9000/wheels/blobs/sha256/ab/abcdef.whl", headers: [:], body: "",
             region: "us-west-2", access_key: "minio", secret_key: "minio123", token: nil, timestamp: "20240229T000000Z"),
        // Characters RFC 3986 keeps (-_.~) and ones it encodes (+ ( ) ! ').
        Case(method: "PUT", url: "http://127.0.0.1:5000/b/k-_.~/p%2Bq%28r%29%21%27.json", headers: ["Content-Type": "application/json", "X-Amz-Meta-Note": "a  b   c"],
             body: "{\"record\": 1}", region: "ap-south-1", access_key: "AK2", secret_key: "SK2", token: "tok", timestamp: "20301231T235959Z"),
        Case(method: "GET", url: "https://s3.amazonaws.com/bucket/%E6%97%A5%E6%9C%AC/file.whl?versionId=3%2F4", headers: [:], body: "",
             region: "us-east-1", access_key: "AK3", secret_key: "SK3", token: nil, timestamp: "20200101T010101Z"),
    ]

    @Test("for path-style and virtual-host URLs, query strings, unicode keys, session tokens and payload hashes")
    func matchesBotocore() throws {
        let dir = TemporaryDirectory("sigv4")
        let file = dir.path + "/cases.json"
        try JSONEncoder().encode(Self.cases).write(to: URL(fileURLWithPath: file))
        let reference = try run(TestFixtures.remotePython, [TestFixtures.repository + "/scripts/sigv4-reference", file])
        #expect(reference.status == 0, "\(reference.stderr)")
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(reference.stdout.utf8)) as? [[String: String]])
        #expect(expected.count == Self.cases.count)
        let parser = DateFormatter()
        parser.locale = Locale(identifier: "en_US_POSIX")
        parser.timeZone = TimeZone(identifier: "UTC")
        parser.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        for (index, item) in Self.cases.enumerated() {
            let payload = SHA256.hash(data: Data(item.body.utf8)).map { String(format: "%02x", $0) }.joined()
            let ours = SigV4.sign(method: item.method, url: item.url, headers: item.headers, payloadHash: payload, region: item.region,
                                  credentials: AWSCredentials(accessKey: item.access_key, secretKey: item.secret_key, sessionToken: item.token),
                                  date: try #require(parser.date(from: item.timestamp)))
            #expect(ours["Authorization"] == expected[index]["authorization"], "case \(index): \(item.method) \(item.url)")
            #expect(ours["x-amz-date"] == expected[index]["x-amz-date"])
            #expect(ours["x-amz-content-sha256"] == expected[index]["x-amz-content-sha256"])
            #expect(ours["x-amz-security-token"] == expected[index]["x-amz-security-token"])
        }
    }

    @Test("credentials come from the environment, else the shared credentials file's profile")
    func credentials() throws {
        #expect(AWSCredentials.from(["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_SESSION_TOKEN": "c"])
                == AWSCredentials(accessKey: "a", secretKey: "b", sessionToken: "c"))
        let dir = TemporaryDirectory("aws")
        try "[default]\naws_access_key_id = d1\naws_secret_access_key = s1\n\n[ci]\naws_access_key_id=d2\naws_secret_access_key=s2\naws_session_token = t2\n"
            .write(toFile: dir.path + "/credentials", atomically: true, encoding: .utf8)
        #expect(AWSCredentials.from(["AWS_SHARED_CREDENTIALS_FILE": dir.path + "/credentials"]) == AWSCredentials(accessKey: "d1", secretKey: "s1"))
        #expect(AWSCredentials.from(["AWS_SHARED_CREDENTIALS_FILE": dir.path + "/credentials", "AWS_PROFILE": "ci"])
                == AWSCredentials(accessKey: "d2", secretKey: "s2", sessionToken: "t2"))
        #expect(AWSCredentials.from(["HOME": dir.path + "/nowhere"]) == nil)
    }
}
