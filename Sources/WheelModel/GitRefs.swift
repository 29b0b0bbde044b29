/// The refs a remote advertises (`git ls-remote` output), and how a revision resolves
/// against them the way pip does: a branch first, then a tag, then a full ref name.
public struct GitRefs: Equatable, Sendable {
    public struct Ref: Equatable, Sendable {
        /// The object the ref names (for an annotated tag: the tag object).
        public let oid: String
        public let name: String
    }

    public let refs: [Ref]
    /// Annotated tags peeled to the commit they point at (`refs/tags/T^{}` lines).
    let peeled: [String: String]

    /// Parses lines of `OID<TAB>REF`; other lines are ignored.
    public init(lsRemoteOutput: String) {
        var refs: [Ref] = []
        var peeled: [String: String] = [:]
        for line in lsRemoteOutput.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard parts.count == 2, GitURL.isFullCommit(parts[0]) else { continue }
            let oid = parts[0].lowercased()
            if parts[1].hasSuffix("^{}") {
                peeled[String(parts[1].dropLast(3))] = oid
            } else {
                refs.append(Ref(oid: oid, name: parts[1]))
            }
        }
        self.refs = refs
        self.peeled = peeled
    }

    public enum Resolution: Equatable, Sendable {
        /// The commit the revision names, and the ref that named it.
        case commit(String, ref: String)
        /// No ref of that name, but it looks like an abbreviated commit id: it can only be
        /// resolved against the repository's objects.
        case abbreviatedCommit
        case unknown
    }

    /// Resolves `revision` (nil: the remote's HEAD).
    public func resolve(_ revision: String?) -> Resolution {
        guard let revision else {
            return commit(ofRef: "HEAD").map { .commit($0, ref: "HEAD") } ?? .unknown
        }
        let candidates = revision.hasPrefix("refs/") ? [revision] : ["refs/heads/" + revision, "refs/tags/" + revision]
        for name in candidates {
            if let oid = commit(ofRef: name) { return .commit(oid, ref: name) }
        }
        if (4..<64).contains(revision.count) && revision.allSatisfy(\.isHexDigit) { return .abbreviatedCommit }
        return .unknown
    }

    /// Tags that point at `commit` (directly or through a tag object), to fetch along with it so
    /// that version tools such as setuptools-scm see them.
    public func tags(at commit: String) -> [Ref] {
        refs.filter { $0.name.hasPrefix("refs/tags/") && self.commit(ofRef: $0.name) == commit }
    }

    /// The object format the remote uses, from the length of its ids.
    public var objectFormat: GitObjectFormat? {
        refs.first.flatMap { GitObjectFormat(commit: $0.oid) }
    }

    private func commit(ofRef name: String) -> String? {
        peeled[name] ?? refs.first { $0.name == name }?.oid
    }
}
