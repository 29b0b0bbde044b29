import FoundationEssentials
import WheelSystem

/// A git source in pip's VCS URL form: `git+SCHEME://HOST/PATH[@REV][#subdirectory=DIR&egg=NAME]`,
/// with SCHEME one of https, http, ssh, git, file.
public struct GitURL: Equatable, Sendable, CustomStringConvertible {
    /// What git is given: the URL without `git+`, the revision and the fragment. May carry
    /// credentials; never print it (use `description`).
    public let remote: String
    /// The revision after `@`, as written; nil means the remote's HEAD.
    public let revision: String?
    /// A relative folder inside the repository holding the project, normalized; nil for the root.
    public let subdirectory: String?
    /// The project name from `#egg=`, if any (checked against the wheel, not part of the key).
    public let eggName: String?

    /// The text as the user wrote it, credentials redacted.
    public let redacted: String

    public init(_ text: String) throws(ModelError) {
        let bad = { (why: String) in ModelError.invalidGitURL(URLRedaction.redact(text), why) }
        guard text.lowercased().hasPrefix("git+") else { throw bad("it does not start with 'git+'") }
        var rest = String(text.dropFirst(4))
        var fragment: String?
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = String(rest[..<hash])
        }
        guard let schemeEnd = rest.firstRange(of: "://") else {
            throw bad("expected git+SCHEME://HOST/PATH; an scp-style address (git+git@host:path) is not supported, write git+ssh://git@host/path")
        }
        let scheme = rest[..<schemeEnd.lowerBound].lowercased()
        guard ["https", "http", "ssh", "git", "file"].contains(scheme) else {
            throw bad("scheme '\(scheme)' is not one of https, http, ssh, git, file")
        }
        let afterScheme = rest[schemeEnd.upperBound...]
        let pathStart = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let authority = afterScheme[..<pathStart]
        var path = String(afterScheme[pathStart...])
        if scheme != "file" && authority.isEmpty { throw bad("it names no host") }
        // pip's rule: the revision follows the last '@' of the path (an '@' before the path is a user name).
        var revision: String?
        if let at = path.lastIndex(of: "@") {
            revision = String(path[path.index(after: at)...])
            path = String(path[..<at])
            if revision!.isEmpty { throw bad("'@' is not followed by a revision") }
            if revision!.contains(where: { $0.isWhitespace || $0.isNewline }) { throw bad("the revision contains white space") }
        }
        if path.isEmpty || path == "/" { throw bad("it names no repository path") }
        var subdirectory: String?
        var egg: String?
        for pair in (fragment ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            let value = parts.count == 2 ? (parts[1].percentDecoded ?? parts[1]) : ""
            switch parts[0] {
            case "subdirectory": subdirectory = try GitURL.normalizeSubdirectory(value, text)
            case "egg":
                guard ProjectName.isValid(value) else { throw bad("#egg='\(value)' is not a valid project name") }
                egg = value
            default: continue  // pip ignores other fragment keys (hashes, sha256=) for VCS URLs
            }
        }
        self.remote = "\(scheme)://\(authority)\(path)"
        self.revision = revision
        self.subdirectory = subdirectory
        self.eggName = egg
        self.redacted = URLRedaction.redact(text)
    }

    /// A full commit id (40 hex for SHA-1 repositories, 64 for SHA-256), lowercased, when the
    /// revision is one: such a source is immutable and can be looked up without git.
    public var pinnedCommit: String? {
        guard let revision, GitURL.isFullCommit(revision) else { return nil }
        return revision.lowercased()
    }

    /// The remote with credentials removed: what is safe to show, store and hash.
    public var cleanRemote: String { URLRedaction.strip(remote) }

    /// Names the repository's mirror in the cache: the credential-free remote, so tokens that
    /// rotate do not split it, and the object format (a SHA-1 and a SHA-256 mirror never mix).
    public func mirrorIdentity(objectFormat: GitObjectFormat) -> String {
        CacheKey.plainDigest(objectFormat.rawValue + " " + cleanRemote)
    }

    public var description: String { redacted }

    public static func isFullCommit(_ text: String) -> Bool {
        (text.count == 40 || text.count == 64) && text.allSatisfy(\.isHexDigit)
    }

    static func normalizeSubdirectory(_ value: String, _ text: String) throws(ModelError) -> String? {
        let bad = { (why: String) in ModelError.invalidGitURL(URLRedaction.redact(text), why) }
        if value.hasPrefix("/") { throw bad("#subdirectory='\(value)' must be relative to the repository root") }
        let parts = value.split(separator: "/").filter { $0 != "." }
        if parts.contains("..") { throw bad("#subdirectory='\(value)' must stay inside the repository (no '..')") }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }
}

/// The hash function of a git repository's object names.
public enum GitObjectFormat: String, Sendable {
    case sha1, sha256

    /// The format a full commit id belongs to.
    public init?(commit: String) {
        switch commit.count {
        case 40: self = .sha1
        case 64: self = .sha256
        default: return nil
        }
    }
}

/// Keeps credentials in URLs out of output, logs and the cache.
public enum URLRedaction {
    /// `scheme://user:secret@host` → `scheme://user:****@host`; a lone user name on http(s)
    /// (a token) → `****`. Applies to every URL in `text`, as pip does.
    public static func redact(_ text: String) -> String {
        rewriteUserInfo(in: text) { scheme, userInfo in
            if let colon = userInfo.firstIndex(of: ":") { return userInfo[..<colon] + ":****" }
            return scheme.hasSuffix("http") || scheme.hasSuffix("https") ? "****" : userInfo
        }
    }

    /// What of a URL may be stored or uploaded (a manifest's source, the HTTP cache's notes, a
    /// remote record): no user information, and no query or fragment, where tokens and
    /// signatures travel (`?token=…`, `X-Amz-Signature=…`). Text that is not a URL is kept.
    public static func storable(_ text: String) -> String {
        guard text.contains("://") else { return text }
        let stripped = strip(text)
        guard let cut = stripped.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return stripped }
        return String(stripped[..<cut])
    }

    /// The URL with any user information removed entirely.
    public static func strip(_ text: String) -> String {
        rewriteUserInfo(in: text) { _, _ in nil }
    }

    /// Calls `replace(scheme, userinfo)` for each `scheme://userinfo@` in `text`; nil drops it.
    private static func rewriteUserInfo(in text: String, _ replace: (String, String) -> String?) -> String {
        guard text.utf8.contains(UInt8(ascii: ":")) else { return text }  // no URL: most lines
        var out = ""
        var rest = Substring(text)
        while let marker = rest.firstRange(of: "://") {
            let before = rest[..<marker.lowerBound]
            out += before + "://"
            let scheme = String(before.reversed().prefix { $0.isLetter || $0.isNumber || "+-.".contains($0) }.reversed()).lowercased()
            let after = rest[marker.upperBound...]
            let authorityEnd = after.firstIndex { "/?#".contains($0) || $0.isWhitespace } ?? after.endIndex
            let authority = after[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                if let kept = replace(scheme, String(authority[..<at])) { out += kept + "@" }
                out += authority[authority.index(after: at)...]
            } else {
                out += authority
            }
            rest = after[authorityEnd...]
        }
        return out + rest
    }
}
